// The end-to-end benchmark (`npm run bench`, or `npx nx run local:bench`): the same 50 generated
// 24 MP photos rendered by the library alone and by the whole local pipeline, on the folder store
// and on the S3 endpoint, side by side in one run, each run in a fresh process. Prints photos/s,
// the pipeline's rate as a share of the library's, peak RSS and where the pipeline's time went,
// per state, so a regression anywhere shows.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRenditions } from '@toq/thumbnails';
import pLimit from 'p-limit';
import sharp from 'sharp';
import { SAMPLE_LISTING, runListing } from '../src/run-listing.ts';

const PHOTOS = 50;
const WIDTH = 6000;
const HEIGHT = 4000; // 24 MP
const PHOTO_DIR = join(tmpdir(), `toq-bench-${PHOTOS}x${WIDTH}x${HEIGHT}`);
const ROUNDS = 3;

/** What is measured: the library alone, the pipeline on the folder store, on the S3 endpoint. */
const MODES = ['library', 'fs', 's3'] as const;
type Mode = (typeof MODES)[number];
const LABELS: Readonly<Record<Mode, string>> = {
  library: 'createRenditions alone',
  fs: 'pipeline, folder store',
  s3: 'pipeline, S3 endpoint',
};

/**
 * 50 distinct 24 MP JPEGs, made once and kept: the sample listing's real photos (EXIF orientations
 * and all) enlarged to 6000 × 4000 (or 4000 × 6000), each with its own hue.
 */
async function ensurePhotos(): Promise<void> {
  if (existsSync(PHOTO_DIR) && (await readdir(PHOTO_DIR)).length === PHOTOS) return;
  await mkdir(PHOTO_DIR, { recursive: true });
  const sources = (await readdir(SAMPLE_LISTING)).filter((f) =>
    /^(Landscape|Portrait)_\d\.jpg$/.test(f),
  );
  for (let i = 0; i < PHOTOS; i++) {
    const source = join(SAMPLE_LISTING, sources[i % sources.length] ?? '');
    const { orientation = 1 } = await sharp(source).metadata();
    // Orientations 5-8 store the picture turned a quarter: a landscape photo stored tall.
    const storedWide = orientation >= 5 !== /Landscape/.test(source);
    await sharp(source)
      .resize(storedWide ? WIDTH : HEIGHT, storedWide ? HEIGHT : WIDTH, { fit: 'fill' })
      .modulate({ hue: i * 7 })
      .withMetadata({ orientation })
      .jpeg({ quality: 90 })
      .toFile(join(PHOTO_DIR, `photo-${String(i + 1).padStart(2, '0')}.jpg`));
  }
}

interface Measurement {
  succeeded: number;
  /** The run, from the first byte read to the last output written. */
  wallMs: number;
  /**
   * The pipeline's own part: the execution, from its start to the webhook's answer (the raw
   * uploads the runner makes as a backend would, and its contact sheet, are not the pipeline's).
   */
  pipelineMs: number;
  maxRssKiB: number;
  tasks: Record<string, { invocations: number; totalMs: number }>;
}

/**
 * The library's share of the pipeline's work: every photo's four renditions and placeholder, as
 * many photos in flight as the local pipeline runs thumbnails invocations (one per core).
 */
async function renderWithLibrary(): Promise<Omit<Measurement, 'maxRssKiB'>> {
  const photos = (await readdir(PHOTO_DIR)).map((name) => join(PHOTO_DIR, name));
  const limit = pLimit(availableParallelism());
  const started = performance.now();
  const sets = await Promise.all(photos.map((photo) => limit(() => createRenditions(photo))));
  const wallMs = performance.now() - started;
  return { succeeded: sets.length, wallMs, pipelineMs: wallMs, tasks: {} };
}

/** The whole pipeline on one listing of the photos. */
async function runPipeline(mode: 'fs' | 's3'): Promise<Omit<Measurement, 'maxRssKiB'>> {
  const out = await mkdtemp(join(tmpdir(), 'toq-bench-run-'));
  try {
    const started = performance.now();
    const report = await runListing({
      folder: PHOTO_DIR,
      out,
      timeScale: 0,
      ...(mode === 's3' ? { store: { kind: 's3' } as const } : {}),
    });
    const wallMs = performance.now() - started;
    const execution = report.execution;
    return {
      succeeded: report.result?.summary.succeeded ?? 0,
      wallMs,
      pipelineMs:
        execution?.stoppedAt === undefined
          ? wallMs
          : execution.stoppedAt.getTime() - execution.startedAt.getTime(),
      tasks: execution?.tasks ?? {},
    };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** One run in this process: prints one JSON line. */
async function measure(mode: Mode): Promise<void> {
  const run = mode === 'library' ? await renderWithLibrary() : await runPipeline(mode);
  process.stdout.write(
    `${JSON.stringify({ ...run, maxRssKiB: process.resourceUsage().maxRSS } satisfies Measurement)}\n`,
  );
}

function runChild(mode: Mode): Measurement {
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, process.argv[1] ?? '', '--measure', mode],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  if (child.status !== 0) throw new Error(`bench run (${mode}) failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as Measurement;
}

const photosPerSecond = (m: Measurement) => (PHOTOS * 1000) / m.pipelineMs;

async function main(): Promise<void> {
  const measuring = process.argv.indexOf('--measure');
  if (measuring >= 0) return measure(process.argv[measuring + 1] as Mode);
  await ensurePhotos();
  // Interleaved rounds, so that a slower spell of a shared machine hits every mode alike.
  const runs = new Map<Mode, Measurement[]>(MODES.map((mode) => [mode, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of MODES) runs.get(mode)?.push(runChild(mode));
  }
  const best = new Map(
    [...runs].map(([mode, list]) => [
      mode,
      list.reduce((a, b) => (b.pipelineMs < a.pipelineMs ? b : a)),
    ]),
  );
  const library = best.get('library');
  if (!library) throw new Error('no library run');
  const lines = [
    `${PHOTOS} photos of ${(WIDTH * HEIGHT) / 1e6} MP, ${availableParallelism()} in flight, best of ${ROUNDS} interleaved rounds, each in a fresh process`,
    '  photos/s and × library: from the execution start to the webhook (the library: its calls);',
    '  wall: the whole run, with the raw uploads a backend would make and the contact sheet',
    `  ${'mode'.padEnd(24)} ${'photos/s'.padStart(8)} ${'× library'.padStart(10)} ${'pipeline'.padStart(9)} ${'wall'.padStart(8)} ${'peak RSS'.padStart(9)}  ok`,
    ...MODES.map((mode) => {
      const m = best.get(mode) ?? library;
      return `  ${LABELS[mode].padEnd(24)} ${photosPerSecond(m).toFixed(2).padStart(8)} ${(photosPerSecond(m) / photosPerSecond(library)).toFixed(2).padStart(10)} ${`${(m.pipelineMs / 1000).toFixed(1)} s`.padStart(9)} ${`${(m.wallMs / 1000).toFixed(1)} s`.padStart(8)} ${`${(m.maxRssKiB / 1024).toFixed(0)} MiB`.padStart(9)}  ${m.succeeded}/${PHOTOS}`;
    }),
  ];
  for (const mode of ['fs', 's3'] as const) {
    const tasks = best.get(mode)?.tasks ?? {};
    lines.push(
      `  ${LABELS[mode]}, per state (invocations, total summed over concurrent invocations, mean):`,
      ...Object.entries(tasks)
        .sort(([, a], [, b]) => b.totalMs - a.totalMs)
        .map(
          ([state, t]) =>
            `    ${state.padEnd(14)} ${String(t.invocations).padStart(4)}  ${(t.totalMs / 1000).toFixed(2).padStart(7)} s  ${(t.totalMs / t.invocations).toFixed(0).padStart(6)} ms`,
        ),
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
