/**
 * `npm run bench` (or `npx nx run zipper:bench`), second part (after `renditions.ts`): zipping
 * against a plain stream copy of the same bytes, at 100 MB and at 2 GB, then one archive past
 * 4 GiB checked by 7-Zip and yauzl.
 *
 * The data are random bytes (nothing compresses) written once to files of 4 MiB, named `.jpg` as
 * the bundle's photos are. Each measurement runs in a process of its own (`measure.mjs`), so
 * its peak RSS is its own; copy and zip alternate and the best round counts (the dev machine is
 * shared with other work, which only ever slows a round down).
 *
 * Environment: BENCH_ROUNDS (default 3); BENCH_SKIP_4GIB=1 leaves out the 4 GiB archive;
 * BENCH_CHUNK, the size in bytes both sides read the files in (default 64 KiB, Node's default).
 */
import { execFile } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdtemp, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { sevenZipTest } from '../../../tools/testing/seven-zip.ts';
import { measure, type Measure } from './child.ts';

const MIB = 1024 * 1024;
const FILE_BYTES = 4 * MIB;
const SIZES = [
  { label: '100 MB', files: 25 }, // 104.9 MB
  { label: '2 GB', files: 512 }, // 2147.5 MB
];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BIG_ENTRY_BYTES = 4 * 1024 * MIB + 64 * MIB;
/**
 * Each size runs under Node's defaults and under the flag the zip Lambda runs with
 * (NODE_OPTIONS, see packages/infra): with a 1 MB young generation, V8 collects spent source
 * buffers every few MB instead of letting up to 64 MB of them wait for a full collection.
 */
const NODE_FLAGS: readonly (readonly string[])[] = [[], ['--max-semi-space-size=1']];

const mbps = (m: Measure) => m.bytes / 1e6 / m.seconds;
const fixed = (n: number, digits = 0) => n.toFixed(digits);

async function generate(dir: string, count: number): Promise<void> {
  const block = Buffer.alloc(FILE_BYTES);
  for (let i = 0; i < count; i += 1) {
    await writeFile(join(dir, `${String(i).padStart(4, '0')}.jpg`), randomFillSync(block));
  }
}

const best = (ms: Measure[]) => Math.max(...ms.map(mbps));
const most = (ms: Measure[], key: 'peakRssMb' | 'peakHeapMb') => Math.max(...ms.map((m) => m[key]));
const cpuPerGb = (ms: Measure[]) => Math.min(...ms.map((m) => m.cpuSeconds / (m.bytes / 1e9)));

async function compare(dir: string): Promise<void> {
  console.log(
    `\nzip = createZip of the files (lazy sources, declared sizes) to a null sink; copy = pipeline of the same files to a null sink; best of ${ROUNDS}`,
  );
  const header = [
    'size  ',
    'Node flags              ',
    'copy MB/s',
    'zip MB/s',
    'zip/copy',
    'copy peak RSS',
    'zip peak RSS',
    'zip peak heap',
    'copy CPU s/GB',
    'zip CPU s/GB',
  ];
  console.log(header.join(' | '));
  for (const size of SIZES) {
    for (const flags of NODE_FLAGS) {
      const runs: Record<'copy' | 'zip', Measure[]> = { copy: [], zip: [] };
      for (let round = 0; round < ROUNDS; round += 1) {
        for (const mode of ['copy', 'zip'] as const) {
          runs[mode].push(await measure(flags, mode, dir, String(size.files)));
        }
      }
      const cells = [
        size.label,
        flags.join(' ') || '(defaults)',
        fixed(best(runs.copy)),
        fixed(best(runs.zip)),
        `${fixed((best(runs.zip) / best(runs.copy)) * 100)} %`,
        `${fixed(most(runs.copy, 'peakRssMb'))} MB`,
        `${fixed(most(runs.zip, 'peakRssMb'))} MB`,
        `${fixed(most(runs.zip, 'peakHeapMb'))} MB`,
        fixed(cpuPerGb(runs.copy), 2),
        fixed(cpuPerGb(runs.zip), 2),
      ];
      const perRound = runs.zip.map(
        (zip, i) => `${fixed((mbps(zip) / mbps(runs.copy[i] as Measure)) * 100)} %`,
      );
      console.log(
        `${cells.map((cell, i) => cell.padStart(header[i]?.length ?? 0)).join(' | ')}   (zip/copy round by round: ${perRound.join(', ')})`,
      );
    }
  }
  console.log('Goals: zip/copy >= 80 %; zip peak RSS < 120 MB at both sizes.');
}

/** Reads the archive back with yauzl: every entry's size and CRC, and the big one's against its source. */
async function yauzlCheck(file: string, bigCrc: number | undefined): Promise<string> {
  const zipfile = await yauzl.openPromise(file, { lazyEntries: true, validateEntrySizes: true });
  const seen: string[] = [];
  for await (const entry of zipfile.eachEntry()) {
    let crc = 0;
    for await (const chunk of await zipfile.openReadStreamPromise(entry))
      crc = crc32(chunk as Buffer, crc);
    if (crc !== entry.crc32) throw new Error(`yauzl: ${entry.fileName} does not match its CRC`);
    if (
      entry.fileName === 'video/large/big.mp4' &&
      (entry.uncompressedSize !== BIG_ENTRY_BYTES || crc !== bigCrc)
    ) {
      throw new Error('yauzl: the big entry differs from its source');
    }
    seen.push(`${entry.fileName} ${entry.uncompressedSize} B`);
  }
  return `${seen.length} entries, sizes and CRCs match (${seen.join(', ')})`;
}

async function beyond4GiB(dir: string): Promise<void> {
  const free = await statfs(dir);
  if (free.bavail * free.bsize < 6 * 1024 * MIB) {
    console.log(`\n4 GiB archive: skipped, less than 6 GiB free in ${dir}`);
    return;
  }
  const file = join(dir, 'big.zip');
  const m = await measure([], 'zip-4gib', file, String(BIG_ENTRY_BYTES));
  console.log(
    `\n4 GiB archive (one ${fixed(BIG_ENTRY_BYTES / MIB)} MiB entry between two small ones, to a file): ` +
      `${fixed(m.seconds, 1)} s, ${fixed(mbps(m))} MB/s, peak RSS ${fixed(m.peakRssMb)} MB, ${m.archiveBytes} bytes`,
  );
  const { files, size } = await sevenZipTest(file);
  console.log(`  7-Zip test: ${files} files, ${size} bytes, no errors`);
  console.log(`  yauzl: ${await yauzlCheck(file, m.crc)}`);
}

const dir = await mkdtemp(join(tmpdir(), 'toq-zipper-bench-'));
try {
  const largest = Math.max(...SIZES.map((s) => s.files));
  console.log(`Generating ${fixed((largest * FILE_BYTES) / 1e6)} MB of random bytes in ${dir} …`);
  await generate(dir, largest);
  // Flush the new files to disk first: writeback while a round runs would slow it down at random.
  await promisify(execFile)('sync');
  await compare(dir);
  if (process.env.BENCH_SKIP_4GIB === '1')
    console.log('\n4 GiB archive: skipped (BENCH_SKIP_4GIB=1)');
  else await beyond4GiB(dir);
} finally {
  await rm(dir, { recursive: true, force: true });
}
