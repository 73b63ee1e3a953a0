// One measurement of bench/throughput.ts, run in a process of its own and printed as JSON.
// Plain JavaScript on purpose: a .ts file makes Node load its TypeScript stripper (~20 MB of
// RSS), which would be counted in the peak RSS this process reports.
//
// node bench/measure.mjs copy|zip <dir> <file count>   (BENCH_CHUNK: read size, default 64 KiB)
// node bench/measure.mjs zip-4gib <archive file> <entry bytes>
// node bench/measure.mjs tree-copy|tree-archiver <dir>   (every file under <dir>)
// node bench/measure.mjs tree-zip <dir> [readAhead] [exact]   (readAhead: createZip's option,
//   default 0; exact: each file read in one read of its known size, no read to find its end)
// node bench/measure.mjs tree-zip-file <dir> <archive file> [readAhead]
import { randomFillSync } from 'node:crypto';
import { createReadStream, createWriteStream, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
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

/**
 * Every file under `dir` as a zip entry would name it (`photo/large/….jpg`), in path order (as S3
 * lists a listing's renditions), with its size when `withSizes` (one stat per file).
 */
const tree = (dir, withSizes) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return { name: relative(dir, path), path, size: withSizes ? statSync(path).size : 0 };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/**
 * createZip's entries for `list`: each file opened when the archive reaches it (or read ahead),
 * size declared. `exact`: the stream reads the file's known size in one read (up to 1 MiB at a
 * time) and stops there, instead of 64 KiB reads and one more that finds the end.
 */
const lazyFileEntries = (list, exact = false) =>
  list.map(({ name, path, size }) => ({
    path: name,
    source: async () =>
      createReadStream(
        path,
        exact && size > 0
          ? { start: 0, end: size - 1, highWaterMark: Math.min(size, MIB) }
          : { highWaterMark: READ_CHUNK },
      ),
    size,
  }));

/**
 * archiver as published (its JavaScript CRC-32 and readable-stream), loaded before the clock
 * starts, and only for its own measurement: its modules would count in the others' peak RSS.
 */
const archiver = process.argv[2] === 'tree-archiver' ? await import('archiver') : undefined;

/** The date every entry gets (createZip's default), so that archiver writes the same headers. */
const ZIP_EPOCH = new Date(Date.UTC(1980, 0, 1));

/** Reads `stream` to its end, throwing the bytes away. */
const drain = (stream) =>
  new Promise((resolve, reject) => {
    stream
      .on('data', () => undefined)
      .once('end', resolve)
      .once('error', reject);
  });

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

async function run(mode, target, argument, extra) {
  const count = Number(argument);
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
  if (mode === 'tree-copy') {
    // The floor of any zip that reads its sources one after another: each file read to its end,
    // the bytes thrown away, the next one opened then (not waiting for the previous one's close).
    const list = tree(target, true);
    for (const { path } of list) await drain(createReadStream(path, { highWaterMark: READ_CHUNK }));
    return { bytes: list.reduce((sum, f) => sum + f.size, 0), entries: list.length };
  }
  if (mode === 'tree-zip' || mode === 'tree-zip-file') {
    const list = tree(target, true);
    const toFile = mode === 'tree-zip-file';
    const destination = toFile ? createWriteStream(argument) : nullSink();
    const options = { readAhead: Number((toFile ? extra : argument) ?? 0) };
    const entries = lazyFileEntries(list, !toFile && extra === 'exact');
    const summary = await createZip(entries, destination, options);
    return {
      bytes: list.reduce((sum, f) => sum + f.size, 0),
      entries: summary.entries,
      archiveBytes: summary.bytes,
    };
  }
  if (mode === 'tree-archiver') {
    // archiver as published, the way it zips files: `file()` stats each one (4 at a time) and
    // opens it when its turn comes; stored, with createZip's date and permissions.
    const list = tree(target, false);
    const archive = new archiver.ZipArchive({ store: true });
    const written = pipeline(archive, nullSink());
    let bytes = 0;
    archive.on('entry', (data) => (bytes += data.stats.size));
    for (const { name, path } of list) archive.file(path, { name, date: ZIP_EPOCH, mode: 0o644 });
    await archive.finalize();
    await written;
    return { bytes, entries: list.length, archiveBytes: archive.pointer() };
  }
  throw new Error(`unknown mode ${mode}`);
}

if (import.meta.filename === process.argv[1]) {
  const [mode, target, argument, extra] = process.argv.slice(2);
  let peakHeap = 0;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 10);
  const startCpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const result = await run(mode, target, argument, extra);
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
