// One measurement of bench/throughput.ts, run in a process of its own and printed as JSON.
// Plain JavaScript on purpose: a .ts file makes Node load its TypeScript stripper (~20 MB of
// RSS), which would be counted in the peak RSS this process reports.
//
// node bench/measure.mjs copy|zip <dir> <file count>   (BENCH_CHUNK: read size, default 64 KiB)
// node bench/measure.mjs zip-4gib <archive file> <entry bytes>
import { randomFillSync } from 'node:crypto';
import { createReadStream, createWriteStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setInterval, clearInterval } from 'node:timers';
import { crc32 } from 'node:zlib';
import { createZip } from '@toq/zipper';

const MIB = 1024 * 1024;
/** Both sides read the files in chunks of this size (Node's default for files: 64 KiB). */
const READ_CHUNK = Number(process.env.BENCH_CHUNK ?? 64 * 1024);

/** The first `count` generated files in `dir` (by name), with their sizes. */
const files = (dir, count) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.jpg'))
    .sort()
    .slice(0, count)
    .map((name) => ({ name, path: join(dir, name), size: statSync(join(dir, name)).size }));

/** A destination that throws every byte away. */
function nullSink() {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}

/** A Readable of `bytes` bytes, repeating one random MiB, computing its CRC-32 on the way. */
function bigVideo(bytes, onCrc) {
  const block = randomFillSync(Buffer.alloc(MIB));
  let sent = 0;
  let crc = 0;
  return new Readable({
    read() {
      if (sent >= bytes) {
        onCrc(crc);
        this.push(null);
        return;
      }
      const chunk = block.subarray(0, Math.min(MIB, bytes - sent));
      crc = crc32(chunk, crc);
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

async function run(mode, target, count) {
  if (mode === 'copy') {
    const list = files(target, count);
    for (const { path } of list)
      await pipeline(createReadStream(path, { highWaterMark: READ_CHUNK }), nullSink());
    return { bytes: list.reduce((sum, f) => sum + f.size, 0) };
  }
  if (mode === 'zip') {
    const list = files(target, count);
    const entries = list.map(({ name, path, size }) => ({
      path: `photo/large/${name}`,
      source: async () => createReadStream(path, { highWaterMark: READ_CHUNK }),
      size,
    }));
    const summary = await createZip(entries, nullSink());
    return { bytes: list.reduce((sum, f) => sum + f.size, 0), archiveBytes: summary.bytes };
  }
  if (mode === 'zip-4gib') {
    let crc;
    const entries = [
      { path: 'photo/large/first.jpg', source: Buffer.from('first') },
      {
        path: 'video/large/big.mp4',
        source: async () => bigVideo(count, (value) => (crc = value)),
        size: count,
      },
      { path: 'photo/large/last.jpg', source: Buffer.from('last') },
    ];
    const summary = await createZip(entries, createWriteStream(target));
    return { bytes: count, archiveBytes: summary.bytes, crc };
  }
  throw new Error(`unknown mode ${mode}`);
}

if (import.meta.filename === process.argv[1]) {
  const [mode, target, count] = process.argv.slice(2);
  let peakHeap = 0;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 10);
  const startCpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const result = await run(mode, target, Number(count));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(startCpu);
  clearInterval(sampler);
  const measure = {
    mode,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    peakHeapMb: peakHeap / MIB,
    ...result,
  };
  process.stdout.write(`${JSON.stringify(measure)}\n`);
}
