/**
 * `npm run bench` (or `npx nx run zipper:bench`), first part: a listing's real workload, about
 * 2,000 stored JPEG renditions of 10–300 KB (70.9 MB), zipped side by side in one run by
 * `createZip`, by archiver as published (`store: true`, files added with `archive.file()`) and by
 * Info-ZIP's `zip -0 -r` when a `zip` binary is on the PATH (skipped with a note when it is not).
 * createZip runs five ways: one source at a time (its default) and with `readAhead: 16` (the
 * next 16 sources opened and read while one is written, the zip Lambda's setting), each under
 * Node's defaults and under the zip Lambda's `--max-semi-space-size=1`; then once more with
 * read-ahead and the flag, each file read in one read of its known size (a caller's choice:
 * `end` and `highWaterMark` on its `createReadStream`). The others run under Node's defaults. A
 * last column reads the same files one after another without zipping them (each read to its
 * end, the bytes thrown away): the floor of any zip that opens one source at a time, as
 * createZip does by default.
 *
 * The files are generated in a temporary directory (deterministic pseudo-random bytes with JPEG
 * markers, named `photo/{size}/{uuid}.jpg` as `zipEntryPath` names renditions) and deleted after.
 * Every measurement runs in a process of its own (`measure.mjs`, `zip`), so its peak RSS is its
 * own; the columns take turns in every round (the dev machine is shared: a busy moment slows one
 * round of each, not one column) and each column's median counts. Each tool starts from the
 * directory: createZip and the copy list it and stat every file (for the entries' sizes),
 * archiver and zip list it themselves. Every output goes to a null sink (`zip` to /dev/null).
 * Then createZip writes the archive to disk, once each way: its SHA-256 (the same on every run,
 * both ways and every version that writes the same bytes) and a 7-Zip test.
 *
 * Environment: BENCH_RENDITIONS_ROUNDS (default 11).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sevenZipTest } from '../../../tools/testing/seven-zip.ts';
import { measure, type Measure } from './child.ts';

const ROUNDS = Number(process.env.BENCH_RENDITIONS_ROUNDS ?? 11);
const PHOTOS = 500;
const KB = 1000;

/** xorshift32: the sizes and ids are the same on every run. */
function pseudoRandom(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

/**
 * A rendition's size in bytes: thumbnails 10–14 KB, small 16–30 KB, medium 30–60 KB, large
 * 40–300 KB, most of them under 80 KB (`u ** 6` skews towards the low end).
 */
function renditionBytes(size: string, u: number): number {
  const kb =
    size === 'thumbnail'
      ? 10 + 4 * u
      : size === 'small'
        ? 16 + 14 * u
        : size === 'medium'
          ? 30 + 30 * u
          : 40 * 7.5 ** (u ** 6);
  return Math.round(kb * KB);
}

/**
 * Writes `PHOTOS` × 4 renditions under `dir`: AES-CTR keystream bytes (incompressible, as JPEG
 * data is, and the same on every run) between a JPEG start marker and an end marker.
 */
async function generate(dir: string): Promise<{ entries: number; bytes: number }> {
  const random = pseudoRandom(0x70c0ffee);
  const keystream = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16));
  const hex = () => Math.floor(random() * 16).toString(16);
  let entries = 0;
  let bytes = 0;
  for (const size of ['thumbnail', 'small', 'medium', 'large']) {
    await mkdir(join(dir, 'photo', size), { recursive: true });
  }
  for (let photo = 0; photo < PHOTOS; photo += 1) {
    const id = Array.from({ length: 32 }, hex).join('');
    const uuid = `${id.slice(0, 8)}-${id.slice(8, 12)}-4${id.slice(13, 16)}-a${id.slice(17, 20)}-${id.slice(20)}`;
    for (const size of ['thumbnail', 'small', 'medium', 'large']) {
      const data = keystream.update(Buffer.alloc(renditionBytes(size, random())));
      data.set([0xff, 0xd8, 0xff, 0xe0], 0);
      data.set([0xff, 0xd9], data.length - 2);
      await writeFile(join(dir, 'photo', size, `${uuid}.jpg`), data);
      entries += 1;
      bytes += data.length;
    }
  }
  return { entries, bytes };
}

/** Whether Info-ZIP's `zip` is on the PATH. */
const hasZip = () => spawnSync('zip', ['-v'], { stdio: 'ignore' }).error === undefined;

/** The peak RSS of process `pid` so far (Linux's VmHWM), in MB, or `undefined` when unknown. */
async function highWaterMark(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb) / 1024;
}

/**
 * `zip -0 -r -q -X -D - .` in `dir` (stored, recursive, no extra attributes, no folder entries,
 * to stdout) with stdout on /dev/null; its peak RSS is read from /proc while it runs (Linux).
 */
async function infoZip(dir: string, entries: number, bytes: number): Promise<Measure> {
  const start = process.hrtime.bigint();
  const child = spawn('zip', ['-0', '-r', '-q', '-X', '-D', '-', '.'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let peakRssMb = Number.NaN;
  const poll = setInterval(() => {
    void highWaterMark(child.pid ?? 0).then((mb) => {
      if (mb !== undefined) peakRssMb = Number.isNaN(peakRssMb) ? mb : Math.max(peakRssMb, mb);
    });
  }, 2);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).finally(() => clearInterval(poll));
  if (code !== 0) throw new Error(`zip exited with ${code}`);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { mode: 'zip -0', bytes, entries, seconds, cpuSeconds: NaN, peakRssMb, peakHeapMb: NaN };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const fixed = (n: number, digits = 0) => (Number.isNaN(n) ? 'n/a' : n.toFixed(digits));

type Column =
  | 'createZip'
  | 'createZip, Lambda'
  | 'read-ahead'
  | 'read-ahead, Lambda'
  | 'read-ahead, exact reads'
  | 'archiver'
  | 'zip -0'
  | 'copy';

/** The zip Lambda's V8 flag (its NODE_OPTIONS, see packages/infra and the README). */
const LAMBDA_FLAGS = ['--max-semi-space-size=1'];
/** createZip's `readAhead` in the read-ahead columns: the zip Lambda's setting. */
const READ_AHEAD = '16';

const LABELS: Record<Column, string> = {
  createZip: 'createZip',
  'createZip, Lambda': 'createZip, --max-semi-space-size=1',
  'read-ahead': `createZip readAhead ${READ_AHEAD}`,
  'read-ahead, Lambda': `createZip readAhead ${READ_AHEAD}, --max-semi-space-size=1`,
  'read-ahead, exact reads': `createZip readAhead ${READ_AHEAD}, --max-semi-space-size=1, one read per file`,
  archiver: 'archiver',
  'zip -0': 'zip -0 -r',
  copy: 'copy only',
};

const dir = await mkdtemp(join(tmpdir(), 'toq-zipper-renditions-'));
try {
  const tree = join(dir, 'renditions');
  const workload = await generate(tree);
  console.log(
    `A listing's renditions: ${workload.entries} JPEG files, ${fixed(workload.bytes / 1e6, 1)} MB, 10–300 KB each, in ${tree}`,
  );
  await promisify(execFile)('sync'); // writeback during a round would slow it down at random
  const zipPresent = hasZip();
  const zipColumns: Column[] = [
    'createZip',
    'createZip, Lambda',
    'read-ahead',
    'read-ahead, Lambda',
    'read-ahead, exact reads',
  ];
  const columns: Column[] = [
    ...zipColumns,
    'archiver',
    ...(zipPresent ? ['zip -0' as const] : []),
    'copy',
  ];
  const run: Record<Column, () => Promise<Measure>> = {
    createZip: () => measure([], 'tree-zip', tree),
    'createZip, Lambda': () => measure(LAMBDA_FLAGS, 'tree-zip', tree),
    'read-ahead': () => measure([], 'tree-zip', tree, READ_AHEAD),
    'read-ahead, Lambda': () => measure(LAMBDA_FLAGS, 'tree-zip', tree, READ_AHEAD),
    'read-ahead, exact reads': () => measure(LAMBDA_FLAGS, 'tree-zip', tree, READ_AHEAD, 'exact'),
    archiver: () => measure([], 'tree-archiver', tree),
    'zip -0': () => infoZip(tree, workload.entries, workload.bytes),
    copy: () => measure([], 'tree-copy', tree),
  };
  const runs: Record<Column, Measure[]> = {
    createZip: [],
    'createZip, Lambda': [],
    'read-ahead': [],
    'read-ahead, Lambda': [],
    'read-ahead, exact reads': [],
    archiver: [],
    'zip -0': [],
    copy: [],
  };
  for (let round = 0; round < ROUNDS; round += 1) {
    // A different column goes first in each round, so that none always follows the same one.
    for (let i = 0; i < columns.length; i += 1) {
      const column = columns[(i + round) % columns.length] as Column;
      runs[column].push(await run[column]());
    }
  }

  const seconds = (column: Column) => median(runs[column].map((m) => m.seconds));
  const header = [
    'tool'.padEnd(Math.max(...columns.map((column) => LABELS[column].length))),
    'median s',
    'ms/entry',
    'MB/s',
    'CPU s',
    'peak RSS',
    'archive bytes',
  ];
  console.log(
    `\nmedians of ${ROUNDS} round${ROUNDS === 1 ? '' : 's'}, Node ${process.versions.node}`,
  );
  console.log(header.join(' | '));
  for (const column of columns) {
    const measures = runs[column];
    const cells = [
      LABELS[column].padEnd(header[0]?.length ?? 0),
      fixed(seconds(column), 3),
      fixed((seconds(column) * 1000) / workload.entries, 3),
      fixed(workload.bytes / 1e6 / seconds(column)),
      fixed(median(measures.map((m) => m.cpuSeconds)), 2),
      `${fixed(Math.max(...measures.map((m) => m.peakRssMb)))} MB`,
      String(measures[0]?.archiveBytes ?? ''),
    ];
    console.log(
      cells
        .map((cell, i) => cell.padStart(header[i]?.length ?? 0))
        .join(' | ')
        .trimEnd(),
    );
  }
  if (!zipPresent) {
    console.log('zip -0 -r: skipped, no `zip` on the PATH (Debian: apt-get install zip)');
  }

  /** `a`'s time over `b`'s: the ratio of the medians, and the spread of the rounds' ratios. */
  const ratio = (a: Column, b: Column) => {
    const perRound = runs[a].map((m, i) => m.seconds / (runs[b][i] as Measure).seconds);
    return `${fixed(seconds(a) / seconds(b), 2)} (round by round: median ${fixed(median(perRound), 2)}, ${fixed(Math.min(...perRound), 2)}–${fixed(Math.max(...perRound), 2)})`;
  };
  const width = Math.max(...zipColumns.map((column) => LABELS[column].length));
  console.log('');
  for (const column of zipColumns) {
    console.log(
      `${LABELS[column].padEnd(width)} / archiver: ${ratio(column, 'archiver')}   goal <= 1`,
    );
  }
  if (zipPresent) {
    for (const column of zipColumns) {
      console.log(
        `${LABELS[column].padEnd(width)} / zip -0:   ${ratio(column, 'zip -0')}   goal <= 2`,
      );
    }
  }
  for (const column of zipColumns) {
    console.log(`${LABELS[column].padEnd(width)} / copy:     ${ratio(column, 'copy')}`);
  }
  if (zipPresent)
    console.log(`${'copy only'.padEnd(width)} / zip -0:   ${ratio('copy', 'zip -0')}`);

  console.log('');
  for (const readAhead of ['0', READ_AHEAD]) {
    const file = join(dir, `renditions-${readAhead}.zip`);
    const written = await measure([], 'tree-zip-file', tree, file, readAhead);
    const sha256 = createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
    const { files } = await sevenZipTest(file);
    console.log(
      `createZip's archive, readAhead ${readAhead}: ${written.archiveBytes} bytes, SHA-256 ${sha256}; 7-Zip test: ${files} files, no errors`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
