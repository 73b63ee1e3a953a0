/**
 * `npm run bench` (or `npx nx run thumbnails:bench`): createRenditions against the naive
 * baseline (./naive.ts), side by side in one run, on the fixtures and on 24 MP photos, with one
 * and with two photos in flight; then the peak RSS of a fresh process rendering 24 MP photos one
 * at a time.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { createRenditions } from '@toq/thumbnails';
import { naiveRenditions } from './naive.ts';
import { fixturePhotos, largePhotos } from './photos.ts';

const run = promisify(execFile);

type Render = (bytes: Buffer) => Promise<unknown>;

const ours: Render = (bytes) => createRenditions(bytes, { placeholder: false });
const naive: Render = (bytes) => naiveRenditions(bytes);

/**
 * Photos per second with `inFlight` photos rendered at once (1: a Lambda's one photo; 2: a
 * service keeping both cores busy). The two contenders alternate batch by batch (and who goes
 * first alternates too), so that the load of a shared machine weighs on both alike.
 */
async function throughput(photos: Buffer[], rounds: number, inFlight: number) {
  const seconds = { ours: 0, naive: 0 };
  for (const photo of photos) await Promise.all([ours(photo), naive(photo)]); // warm-up
  const batches: Buffer[][] = [];
  for (let i = 0; i < photos.length; i += inFlight) batches.push(photos.slice(i, i + inFlight));
  let turn = 0;
  for (let round = 0; round < rounds; round++) {
    for (const batch of batches) {
      const order: [keyof typeof seconds, Render][] = [
        ['ours', ours],
        ['naive', naive],
      ];
      if (turn++ % 2) order.reverse();
      for (const [name, render] of order) {
        const start = performance.now();
        await Promise.all(batch.map(render));
        seconds[name] += (performance.now() - start) / 1000;
      }
    }
  }
  const count = photos.length * rounds;
  return { ours: count / seconds.ours, naive: count / seconds.naive };
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

const fixtures = await Promise.all(fixturePhotos().map((path) => readFile(path)));
const large = await largePhotos();
const largeBytes = await Promise.all(large.map((path) => readFile(path)));

console.log(
  `@toq/thumbnails bench: ${availableParallelism()} cores, Node ${process.versions.node}`,
);
const rows = [
  ['fixtures (18, 1800x1200), 1 in flight', await throughput(fixtures, 3, 1)],
  ['fixtures (18, 1800x1200), 2 in flight', await throughput(fixtures, 3, 2)],
  ['24 MP (4, 6000x4000), 1 in flight', await throughput(largeBytes, 8, 1)],
  ['24 MP (4, 6000x4000), 2 in flight', await throughput(largeBytes, 8, 2)],
] as const;
for (const [name, { ours: o, naive: n }] of rows) {
  console.log(
    `${name.padEnd(40)} createRenditions ${o.toFixed(2)} photos/s | naive ${n.toFixed(2)} photos/s | ratio ${(o / n).toFixed(2)}x`,
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
