// The end-to-end benchmark: a listing of 50 generated 24 MP photos through the whole local
// pipeline (`npm run bench`, or `npx nx run local:bench`). Prints photos/s, peak RSS and where
// the time went, per state, so a regression anywhere in the pipeline shows.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { SAMPLE_LISTING, runListing } from '../src/run-listing.ts';

const PHOTOS = 50;
const WIDTH = 6000;
const HEIGHT = 4000; // 24 MP
const PHOTO_DIR = join(tmpdir(), `toq-bench-${PHOTOS}x${WIDTH}x${HEIGHT}`);

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

/** One run in this process: prints one JSON line. */
async function measure(): Promise<void> {
  const out = await mkdtemp(join(tmpdir(), 'toq-bench-run-'));
  try {
    const started = performance.now();
    const report = await runListing({ folder: PHOTO_DIR, out, timeScale: 0 });
    const wallMs = performance.now() - started;
    const tasks = report.execution?.tasks ?? {};
    process.stdout.write(
      `${JSON.stringify({
        status: report.result?.status,
        succeeded: report.result?.summary.succeeded,
        wallMs,
        maxRssKiB: process.resourceUsage().maxRSS,
        tasks,
      })}\n`,
    );
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

interface Measurement {
  status: string;
  succeeded: number;
  wallMs: number;
  maxRssKiB: number;
  tasks: Record<string, { invocations: number; totalMs: number }>;
}

async function main(): Promise<void> {
  if (process.argv.includes('--measure')) return measure();
  await ensurePhotos();
  // Each run in a fresh process, so peak RSS is the pipeline's alone (not the photo generator's).
  const runs: Measurement[] = [];
  for (let run = 0; run < 2; run++) {
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, process.argv[1] ?? '', '--measure'],
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
    );
    if (child.status !== 0) throw new Error(`bench run failed: ${child.stderr}`);
    runs.push(JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as Measurement);
  }
  const best = runs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
  const taskMs = Object.values(best.tasks).reduce((sum, t) => sum + t.totalMs, 0);
  const thumbnails = best.tasks['RenderPhoto']?.totalMs ?? 0;
  const lines = [
    `end-to-end local run: ${PHOTOS} photos of ${(WIDTH * HEIGHT) / 1e6} MP (${best.succeeded} succeeded, ${best.status}), best of ${runs.length}`,
    `  wall time         ${(best.wallMs / 1000).toFixed(1)} s   (runs: ${runs.map((r) => (r.wallMs / 1000).toFixed(1)).join(' s, ')} s)`,
    `  throughput        ${((PHOTOS * 1000) / best.wallMs).toFixed(2)} photos/s`,
    `  peak RSS          ${(best.maxRssKiB / 1024).toFixed(0)} MiB`,
    `  thumbnails share  ${((thumbnails / taskMs) * 100).toFixed(0)} % of the task time (RenderPhoto ${(thumbnails / 1000).toFixed(1)} s of ${(taskMs / 1000).toFixed(1)} s, summed over concurrent invocations)`,
    '  per state (invocations, total, mean):',
    ...Object.entries(best.tasks)
      .sort(([, a], [, b]) => b.totalMs - a.totalMs)
      .map(
        ([state, t]) =>
          `    ${state.padEnd(14)} ${String(t.invocations).padStart(4)}  ${(t.totalMs / 1000).toFixed(2).padStart(7)} s  ${(t.totalMs / t.invocations).toFixed(0).padStart(6)} ms`,
      ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
