/**
 * What a photo costs on Lambda by memory size: Lambda gives a function CPU in proportion to its
 * memory (1,769 MB is one vCPU), so each size is emulated by a CPU quota of memory / 1,769 vCPU
 * (a Linux cgroup's CFS quota, spread over every core as Lambda's is), and a fresh process renders
 * the 24 MP photos one at a time under it, as one `thumbnails` invocation renders one photo. It
 * prints the median time per photo, the GB-seconds and the price per 1,000 photos at arm64's list
 * price, each against the 2,048 MB the stack configures. The sizes take turns, round after round.
 *
 * Needs a writable cgroup (root; cgroup v1 `cpu` or v2 `cpu.max`): elsewhere it says so and
 * exits 0. Usage: node bench/lambda-memory.ts (also the second part of `npx nx run thumbnails:bench`)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRenditions } from '@toq/thumbnails';
import { largePhotos } from './photos.ts';

/** Lambda's memory sizes compared, in MB; 2,048 is what the stack gives `thumbnails`. */
const SIZES_MB = [1024, 1536, 1769, 2048, 3008] as const;
const CONFIGURED_MB = 2048;
const ONE_VCPU_MB = 1769;
/** Lambda arm64, us-east-1, list prices of 4 December 2026 (first 7.5 billion GB-s a month). */
const PRICE_PER_GB_SECOND = 0.0000133334;
const PRICE_PER_REQUEST = 0.2 / 1e6;
const ROUNDS = Number(process.env['BENCH_MEMORY_ROUNDS'] ?? 3);
const PERIOD_US = 10_000;

/** Child: renders each photo (read beforehand, as from S3) once after a warm-up; prints ms. */
async function renderEach(photos: string[]): Promise<void> {
  const inputs = await Promise.all(photos.map((photo) => readFile(photo)));
  if (inputs[0]) await createRenditions(inputs[0]); // a warm invocation: sharp loaded
  const ms: number[] = [];
  for (const bytes of inputs) {
    const started = performance.now();
    await createRenditions(bytes);
    ms.push(performance.now() - started);
  }
  process.stdout.write(`${JSON.stringify(ms)}\n`);
}

/** A cgroup whose CPU can be capped: its folder, and how to set its share of one CPU. */
interface CpuGroup {
  readonly dir: string;
  readonly cap: (share: number) => void;
}

/** A cgroup this process can cap the CPU of, v2 or v1; undefined when there is none. */
function cpuCgroup(name: string): CpuGroup | undefined {
  const v2 = '/sys/fs/cgroup/cgroup.controllers';
  try {
    if (existsSync(v2) && readFileSync(v2, 'utf8').includes('cpu')) {
      const dir = join('/sys/fs/cgroup', name);
      mkdirSync(dir, { recursive: true });
      return usable({
        dir,
        cap: (share) =>
          writeFileSync(join(dir, 'cpu.max'), `${Math.round(share * PERIOD_US)} ${PERIOD_US}`),
      });
    }
    const dir = join('/sys/fs/cgroup/cpu', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
    return usable({
      dir,
      cap: (share) =>
        writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(Math.round(share * PERIOD_US))),
    });
  } catch {
    return undefined;
  }
}

/**
 * The group, once a cap was written to it (a v2 group whose parent does not delegate the `cpu`
 * controller has no `cpu.max`); removed again and undefined when none can be.
 */
function usable(group: CpuGroup): CpuGroup | undefined {
  try {
    group.cap(1);
    return group;
  } catch {
    rmdirSync(group.dir);
    return undefined;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const childAt = process.argv.indexOf('--render');
  if (childAt >= 0) return renderEach(process.argv.slice(childAt + 1));

  const group = cpuCgroup(`toq-thumbnails-bench-${process.pid}`);
  if (!group) {
    console.log(
      'Lambda memory sizes: skipped (no writable cgroup to cap the CPU with; run as root on Linux)',
    );
    return;
  }
  const photos = await largePhotos();
  const perPhoto = new Map<number, number[]>(SIZES_MB.map((mb) => [mb, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const mb of SIZES_MB) {
        group.cap(mb / ONE_VCPU_MB);
        // The shell joins the cgroup before it becomes Node, so no instruction runs uncapped.
        const child = spawnSync(
          'sh',
          [
            '-c',
            `echo $$ > ${join(group.dir, 'cgroup.procs')} && exec "$0" "$@"`,
            process.execPath,
            import.meta.filename,
            '--render',
            ...photos,
          ],
          { encoding: 'utf8' },
        );
        if (child.status !== 0) throw new Error(`render at ${mb} MB failed: ${child.stderr}`);
        perPhoto.get(mb)?.push(...(JSON.parse(child.stdout.trim()) as number[]));
      }
    }
  } finally {
    rmdirSync(group.dir);
  }

  const rows = SIZES_MB.map((mb) => {
    const seconds = median(perPhoto.get(mb) ?? []) / 1000;
    const gbSeconds = (mb / 1024) * seconds;
    return {
      mb,
      seconds,
      gbSeconds,
      dollars: 1000 * (gbSeconds * PRICE_PER_GB_SECOND + PRICE_PER_REQUEST),
    };
  });
  const configured = rows.find((row) => row.mb === CONFIGURED_MB) ?? rows[0];
  if (!configured) return;
  const lines = [
    `Lambda memory sizes: one 24 MP photo at a time (${photos.length} photos × ${ROUNDS} rounds, median), CPU capped at memory / ${ONE_VCPU_MB} vCPU`,
    `  arm64 list prices (us-east-1): $${PRICE_PER_GB_SECOND} per GB-s, $0.20 per million requests`,
    `  ${'memory'.padEnd(8)} ${'vCPU'.padStart(5)} ${'s/photo'.padStart(8)} ${'× 2048'.padStart(7)} ${'GB-s/photo'.padStart(11)} ${'$/1,000'.padStart(8)} ${'× 2048'.padStart(7)}`,
    ...rows.map(
      (row) =>
        `  ${`${row.mb} MB`.padEnd(8)} ${(row.mb / ONE_VCPU_MB).toFixed(2).padStart(5)} ${row.seconds.toFixed(3).padStart(8)} ${(row.seconds / configured.seconds).toFixed(2).padStart(7)} ${row.gbSeconds.toFixed(3).padStart(11)} ${row.dollars.toFixed(4).padStart(8)} ${(row.dollars / configured.dollars).toFixed(2).padStart(7)}`,
    ),
  ];
  console.log(lines.join('\n'));
}

await main();
