/**
 * `npm run bench` (or `npx nx run thumbnails:bench`): side by side in one run, on the fixtures
 * and on 24 MP photos, with one and with two photos in flight: createRenditions, the decode-only
 * floor (./floor.ts) and the naive baseline (./naive.ts), in photos per second; then the quality
 * per byte of createRenditions' JPEGs and the naive ones (bytes, and SSIM against a full-decode
 * Lanczos3 reference, ./quality.ts); then the peak RSS of a fresh process rendering 24 MP photos
 * one at a time.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { createRenditions } from '@toq/thumbnails';
import { decodeFloor } from './floor.ts';
import { naiveRenditions } from './naive.ts';
import { fixturePhotos, largePhotos } from './photos.ts';
import { score, type Scored } from './quality.ts';

const run = promisify(execFile);

type Contender = 'createRenditions' | 'floor' | 'naive';

/** What is timed: the library as the pipeline calls it (defaults, placeholder included). */
const contenders: Record<Contender, (bytes: Buffer) => Promise<unknown>> = {
  createRenditions: (bytes) => createRenditions(bytes),
  floor: decodeFloor,
  naive: naiveRenditions,
};

/**
 * Photos per second of each contender with `inFlight` photos rendered at once (1: a Lambda's one
 * photo; 2: a service keeping both cores busy). The contenders take turns batch by batch, and who
 * goes first rotates, so that the load of a shared machine weighs on all of them alike.
 */
async function throughput(photos: Buffer[], rounds: number, inFlight: number) {
  const names = Object.keys(contenders) as Contender[];
  const seconds = Object.fromEntries(names.map((name) => [name, 0])) as Record<Contender, number>;
  for (const photo of photos) for (const name of names) await contenders[name](photo); // warm-up
  const batches: Buffer[][] = [];
  for (let i = 0; i < photos.length; i += inFlight) batches.push(photos.slice(i, i + inFlight));
  let turn = 0;
  for (let round = 0; round < rounds; round++) {
    for (const batch of batches) {
      const first = turn++ % names.length;
      for (const name of [...names.slice(first), ...names.slice(0, first)]) {
        const start = performance.now();
        await Promise.all(batch.map(contenders[name]));
        seconds[name] += (performance.now() - start) / 1000;
      }
    }
  }
  const count = photos.length * rounds;
  return Object.fromEntries(names.map((name) => [name, count / seconds[name]])) as Record<
    Contender,
    number
  >;
}

/** Peak RSS of a fresh process; `arenas` sets MALLOC_ARENA_MAX (glibc reads it at start). */
async function peakRss(mode: 'ours' | 'naive', photos: string[], arenas?: number): Promise<number> {
  const env = { ...process.env };
  if (arenas) env['MALLOC_ARENA_MAX'] = String(arenas);
  else delete env['MALLOC_ARENA_MAX'];
  const { stdout } = await run(process.execPath, ['rss.ts', mode, ...photos], {
    cwd: import.meta.dirname,
    env,
  });
  return (JSON.parse(stdout) as { peakRssMB: number }).peakRssMB;
}

const fixtures = fixturePhotos();
const fixtureBytes = await Promise.all(fixtures.map((path) => readFile(path)));
const large = await largePhotos();
const largeBytes = await Promise.all(large.map((path) => readFile(path)));

console.log(
  `@toq/thumbnails bench: ${availableParallelism()} cores, Node ${process.versions.node}`,
);
const rows = [
  ['fixtures (18, 1800x1200), 1 in flight', await throughput(fixtureBytes, 3, 1)],
  ['fixtures (18, 1800x1200), 2 in flight', await throughput(fixtureBytes, 3, 2)],
  ['24 MP (4, 6000x4000), 1 in flight', await throughput(largeBytes, 8, 1)],
  ['24 MP (4, 6000x4000), 2 in flight', await throughput(largeBytes, 8, 2)],
] as const;
for (const [name, rate] of rows) {
  const share = Math.round((rate.createRenditions / rate.floor) * 100);
  console.log(
    `${name.padEnd(40)} createRenditions ${rate.createRenditions.toFixed(2)} photos/s | decode floor ${rate.floor.toFixed(2)} photos/s, share ${share} % | naive ${rate.naive.toFixed(2)} photos/s, ratio ${(rate.createRenditions / rate.naive).toFixed(2)}x`,
  );
}

/**
 * Quality per byte on the two pictures of the fixtures (their upright copies) and the four 24 MP
 * photos: per size, the bytes of all the photos' renditions together and their mean SSIM, for
 * createRenditions' JPEGs and the naive ones, with the worst photo's bytes ratio and SSIM gap.
 */
const qualityPhotos = [...fixtures.filter((path) => /_0\.jpg$/.test(path)), ...large];
const scores: { size: string; ours: Scored; naive: Scored }[][] = [];
for (const path of qualityPhotos) {
  const bytes = await readFile(path);
  const { renditions } = await createRenditions(bytes, { placeholder: false });
  const ours = await score(
    bytes,
    renditions.map((r) => r.data),
  );
  const naive = await score(bytes, await naiveRenditions(bytes));
  scores.push(renditions.map((r, i) => ({ size: r.size, ours: at(ours, i), naive: at(naive, i) })));
}
console.log(
  `quality per byte, ${qualityPhotos.length} photos (bytes: all photos together; SSIM of the luma against a full-decode Lanczos3 reference: mean; worst photo in brackets):`,
);
for (const [index, { size }] of at(scores, 0).entries()) {
  const sized = scores.map((photo) => at(photo, index));
  const kb = (side: 'ours' | 'naive') => sized.reduce((sum, s) => sum + s[side].bytes, 0) / 1024;
  const ssim = (side: 'ours' | 'naive') =>
    sized.reduce((sum, s) => sum + s[side].ssim, 0) / sized.length;
  const worstRatio = Math.max(...sized.map((s) => s.ours.bytes / s.naive.bytes));
  const worstGap = Math.min(...sized.map((s) => s.ours.ssim - s.naive.ssim));
  const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(4)}`;
  console.log(
    `${size.padEnd(10)} createRenditions ${kb('ours').toFixed(1)} KB, SSIM ${ssim('ours').toFixed(4)} | naive ${kb('naive').toFixed(1)} KB, SSIM ${ssim('naive').toFixed(4)} | bytes ${(kb('ours') / kb('naive')).toFixed(3)}x (${worstRatio.toFixed(3)}x), SSIM ${signed(ssim('ours') - ssim('naive'))} (${signed(worstGap)})`,
  );
}

/** The highest of three fresh processes' peaks: thread scheduling makes each run differ a little. */
async function worstPeakRss(mode: 'ours' | 'naive', arenas?: number): Promise<number> {
  const peaks: number[] = [];
  for (let i = 0; i < 3; i++) peaks.push(await peakRss(mode, large, arenas));
  return Math.max(...peaks);
}

for (const arenas of [undefined, 2]) {
  const [rssOurs, rssNaive] = [
    await worstPeakRss('ours', arenas),
    await worstPeakRss('naive', arenas),
  ];
  const setting = arenas ? `MALLOC_ARENA_MAX=${arenas}` : 'glibc defaults';
  console.log(
    `peak RSS (worst of 3 runs), one 24 MP photo in flight, ${setting.padEnd(17)} createRenditions ${rssOurs} MB | naive ${rssNaive} MB`,
  );
}

function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`expected an item at ${index} of ${items.length}`);
  return item;
}
