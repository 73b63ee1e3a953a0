/**
 * `readAhead`: the sources of the next entries are opened and read while one is written. The
 * archive must not change by a byte, the bounds (entries and bytes) must hold, and a failure,
 * an abort or a stall must leave no source, stream or file descriptor open.
 */
import { createZip, ZipperError, type ZipEntry, type ZipOptions } from '@toq/zipper';
import { once } from 'node:events';
import { createReadStream, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mixedEntries } from '../support/mixed-entries.ts';
import {
  MemorySink,
  SourceTracker,
  chunked,
  failingAfter,
  pseudoRandomBytes,
  readZip,
  rejectionOf,
  sevenZipTestBuffer,
  sha256,
  stallingAfter,
} from '../support/zip.ts';

const photo = pseudoRandomBytes(150_000, 21);

/** `count` lazy photo entries of `size` bytes (declared), opened through `sources`. */
function photos(sources: SourceTracker, count: number, size = photo.length): ZipEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    path: `photo/large/${i}.jpg`,
    source: sources.lazy(String(i), photo.subarray(0, size)),
    size,
  }));
}

async function zipToBuffer(entries: ZipEntry[], options?: ZipOptions) {
  const sink = new MemorySink();
  const summary = await createZip(entries, sink, options);
  return { summary, archive: sink.buffer };
}

async function failedRun(
  entries: ZipEntry[],
  options: ZipOptions,
  destination: Writable = new MemorySink(),
) {
  const error = await rejectionOf(createZip(entries, destination, options));
  expect(error).toBeInstanceOf(ZipperError);
  return error as ZipperError;
}

/** Resolves once every stream `sources` handed out has closed (a destroyed file closes its fd). */
async function allClosed(sources: SourceTracker): Promise<void> {
  await Promise.all(
    sources.opened.map((stream) => (stream.closed ? undefined : once(stream, 'close'))),
  );
}

const openFileDescriptors = () => readdirSync('/proc/self/fd').length;

describe('createZip with readAhead', () => {
  it('writes the same bytes as one source at a time, entries in the order given', async () => {
    // Prepare: every kind of entry, sizes declared or not, a few larger than the byte budget.
    const entries = () => {
      const sources = new SourceTracker();
      return [
        ...mixedEntries(),
        ...photos(sources, 20, 40_000),
        { path: 'video/large/no-size.mp4', source: sources.lazy('v', photo) },
        { path: 'photo/large/stream.jpg', source: chunked(photo, 10_000), size: photo.length },
        ...photos(sources, 30, 90_000).map((entry) => ({ ...entry, path: `a/${entry.path}` })),
      ];
    };
    const expected = await zipToBuffer(entries());

    // Act
    const runs = await Promise.all([
      zipToBuffer(entries(), { readAhead: 8 }),
      zipToBuffer(entries(), { readAhead: 3, readAheadBytes: 200_000 }),
      zipToBuffer(entries(), { readAhead: 100 }),
    ]);

    // Assess
    for (const { archive, summary } of runs) {
      expect(summary).toEqual(expected.summary);
      expect(sha256(archive)).toBe(sha256(expected.archive));
    }
    const read = await readZip(runs[0].archive);
    const given = entries();
    expect(read.map((entry) => entry.path)).toEqual(given.map((entry) => entry.path));
    expect(read[given.length - 1]?.data.equals(photo.subarray(0, 90_000))).toBe(true);
    await expect(sevenZipTestBuffer(runs[0].archive)).resolves.toMatchObject({
      files: given.length,
    });
  });

  it('opens the next sources while one is written, never more than readAhead + 1 at once', async () => {
    const sources = new SourceTracker();

    const { summary } = await zipToBuffer(photos(sources, 40), { readAhead: 3 });

    expect(summary.entries).toBe(40);
    expect(sources.maxOpen).toBe(4);
    expect(sources.events.slice(0, 4)).toEqual(['open 0', 'open 1', 'open 2', 'open 3']);
    expect(sources.events.filter((event) => event.startsWith('open'))).toEqual(
      Array.from({ length: 40 }, (_, i) => `open ${i}`),
    );
    expect(sources.open).toBe(0);
  });

  it('takes entries from an async iterable up to readAhead ahead of the one being written', async () => {
    const sources = new SourceTracker();
    const data = pseudoRandomBytes(60_000, 24);
    async function* listing(): AsyncGenerator<ZipEntry> {
      for (let i = 0; i < 12; i += 1) {
        sources.events.push(`yield ${i}`);
        yield { path: `p/${i}.jpg`, source: sources.lazy(String(i), data), size: data.length };
      }
    }
    const sequential = await createZip(listing(), new MemorySink());
    sources.events.length = 0;

    const sink = new MemorySink();
    const summary = await createZip(listing(), sink, { readAhead: 4 });

    expect(summary).toEqual(sequential);
    expect(sources.events.slice(0, 10)).toEqual([
      ...['yield 0', 'yield 1', 'yield 2', 'yield 3', 'yield 4'],
      ...['open 0', 'open 1', 'open 2', 'open 3', 'open 4'],
    ]);
    const read = await readZip(sink.buffer);
    expect(read.map((entry) => entry.path)).toEqual(
      Array.from({ length: 12 }, (_, i) => `p/${i}.jpg`),
    );
  });

  it('reads ahead no more than readAheadBytes, the entry being written included', async () => {
    const sources = new SourceTracker();
    // 100 kB entries in a 350 kB budget: the one being written and two more.
    const entries = photos(sources, 20, 100_000);

    await zipToBuffer(entries, { readAhead: 8, readAheadBytes: 350_000 });

    expect(sources.maxOpen).toBe(3);
  });

  it('opens nothing ahead of an entry larger than the budget while it is written', async () => {
    const sources = new SourceTracker();
    const big = pseudoRandomBytes(1_000_000, 22);
    const entries = [
      { path: 'video/large/big.mp4', source: sources.lazy('big', big), size: big.length },
      ...photos(sources, 8, 100_000),
    ];

    await zipToBuffer(entries, { readAhead: 8, readAheadBytes: 500_000 });

    // big, alone; then photo 0 with the four more that fit in 500 kB.
    expect(sources.events.slice(0, 7)).toEqual([
      'open big',
      'close big',
      'open 0',
      'open 1',
      'open 2',
      'open 3',
      'open 4',
    ]);
  });

  it('opens an entry without a size, and those after it, only when its turn comes', async () => {
    const sources = new SourceTracker();
    const entries: ZipEntry[] = [
      ...photos(sources, 3, 50_000),
      { path: 'video/large/unknown.mp4', source: sources.lazy('unknown', photo) },
      ...photos(sources, 3, 50_000).map((entry, i) => ({
        ...entry,
        path: `b/${i}.jpg`,
        source: sources.lazy(`b${i}`, photo.subarray(0, 50_000)),
      })),
    ];

    await zipToBuffer(entries, { readAhead: 8 });

    const at = (event: string) => sources.events.indexOf(event);
    expect(sources.events.slice(0, 3)).toEqual(['open 0', 'open 1', 'open 2']);
    expect(at('open unknown')).toBeGreaterThan(at('close 2'));
    expect(at('open b0')).toBeGreaterThan(at('close unknown'));
    expect(sources.maxOpen).toBe(3);
  });
});

describe('createZip with readAhead when a source read ahead fails', () => {
  const reset = new Error('socket hang up');

  it.each([
    [
      'fails while being read',
      (sources: SourceTracker) =>
        sources.lazy('2', photo, (data) => failingAfter(data, 30_000, reset)),
      'Entry "photo/large/2.jpg" failed while being read: socket hang up',
    ],
    [
      'cannot be opened',
      () => () => Promise.reject(reset),
      'Entry "photo/large/2.jpg" could not be opened: socket hang up',
    ],
  ])(
    'rejects with SOURCE_FAILED naming it when it %s while an earlier entry is written',
    async (_case, failing, message) => {
      // Prepare: entry 0 stays in the middle of being written (its source stops after 100 kB).
      const sources = new SourceTracker();
      const entries = photos(sources, 10);
      entries[0] = {
        path: 'photo/large/0.jpg',
        source: sources.lazy('0', photo, (data) => stallingAfter(data, 100_000, () => undefined)),
        size: photo.length,
      };
      entries[2] = { path: 'photo/large/2.jpg', source: failing(sources), size: photo.length };
      const sink = new MemorySink();

      // Act
      const error = await failedRun(entries, { readAhead: 4 }, sink);

      // Assess
      expect(error).toMatchObject({
        code: 'SOURCE_FAILED',
        entryPath: 'photo/large/2.jpg',
        cause: reset,
        message,
      });
      expect(sources.opened.every((stream) => stream.destroyed)).toBe(true);
      expect(sources.events).not.toContain('open 5');
      expect(sink.errored).toBe(error);
      await expect(readZip(sink.buffer)).rejects.toThrow(/end of central directory record/i);
    },
  );
});

describe('createZip with readAhead on real files', () => {
  let dir: string;
  const files = 12;
  // Larger than what a source may run ahead (1 MiB): files read ahead wait mid-way, open.
  const file = pseudoRandomBytes(3_000_000, 23);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'toq-zipper-read-ahead-'));
    for (let i = 0; i < files; i += 1) await writeFile(join(dir, `${i}.jpg`), file);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Entries of the files in `dir`, each a file stream `sources` watches. */
  const fileEntries = (
    sources: SourceTracker,
    names = Array.from({ length: files }, (_, i) => String(i)),
  ) =>
    names.map((name) => ({
      path: `photo/large/${name}.jpg`,
      source: async () => sources.watch(name, createReadStream(join(dir, `${name}.jpg`))),
      size: file.length,
    }));

  it('closes every file when a file read ahead is missing, leaving no descriptor open', async () => {
    // Prepare: entry 0 stays in the middle of being written; entry 2 has no file.
    const before = openFileDescriptors();
    const sources = new SourceTracker();
    const entries: ZipEntry[] = fileEntries(sources, ['x', '1', 'missing', '3', '4', '5', '6']);
    entries[0] = {
      path: 'photo/large/0.jpg',
      source: sources.lazy('0', photo, (data) => stallingAfter(data, 100_000, () => undefined)),
      size: photo.length,
    };

    // Act
    const error = await failedRun(entries, { readAhead: 4 });
    await allClosed(sources);

    // Assess
    expect(error).toMatchObject({ code: 'SOURCE_FAILED', entryPath: 'photo/large/missing.jpg' });
    expect(error.message).toMatch(
      /^Entry "photo\/large\/missing.jpg" failed while being read: ENOENT/,
    );
    expect(sources.events).not.toContain('open 5');
    expect(sources.opened.every((stream) => stream.destroyed)).toBe(true);
    expect(openFileDescriptors()).toBe(before);
  });

  it('rejects with ABORTED and closes every file when aborted mid-way, leaving no descriptor open', async () => {
    // Prepare: the destination aborts the run once it has taken 300 kB (two entries in).
    const before = openFileDescriptors();
    const sources = new SourceTracker();
    const controller = new AbortController();
    let taken = 0;
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        taken += chunk.length;
        if (taken > 300_000) controller.abort();
        callback();
      },
    });

    // Act
    const error = await failedRun(
      fileEntries(sources),
      { readAhead: 4, signal: controller.signal },
      destination,
    );
    await allClosed(sources);

    // Assess
    expect(error.code).toBe('ABORTED');
    expect(error.entryPath).toMatch(/^photo\/large\/\d+\.jpg$/);
    expect(sources.opened.length).toBeGreaterThan(0);
    expect(sources.opened.every((stream) => stream.destroyed)).toBe(true);
    expect(openFileDescriptors()).toBe(before);
  });

  it('reads no more than readAhead + 1 files at once and leaves no descriptor open', async () => {
    // Prepare: a file counts from its opening to its end (its descriptor then closes on its own).
    const before = openFileDescriptors();
    const sources = new SourceTracker();
    let reading = 0;
    let mostReading = 0;
    const entries = fileEntries(sources).map((entry) => ({
      ...entry,
      source: async () => {
        const stream = await entry.source();
        reading += 1;
        mostReading = Math.max(mostReading, reading);
        let done = false;
        const stop = () => {
          if (!done) reading -= 1;
          done = true;
        };
        return stream.once('end', stop).once('close', stop);
      },
    }));

    // Act
    const { archive } = await zipToBuffer(entries, { readAhead: 4 });
    await allClosed(sources);

    // Assess
    const read = await readZip(archive);
    expect(read).toHaveLength(files);
    expect(read.every((entry) => entry.data.equals(file))).toBe(true);
    expect(mostReading).toBe(5);
    expect(openFileDescriptors()).toBe(before);
  });
});

describe('createZip with readAhead and idleTimeout', () => {
  const idleTimeout = 50;
  const silent = () =>
    new Readable({
      read() {
        // never pushes: a download whose connection went silent
      },
    });

  it('rejects with SOURCE_STALLED naming a source read ahead that gives no byte, once its turn comes', async () => {
    const sources = new SourceTracker();
    const entries = photos(sources, 6);
    entries[1] = {
      path: 'photo/large/1.jpg',
      source: sources.lazy('1', photo, silent),
      size: photo.length,
    };

    const error = await failedRun(entries, { readAhead: 4, idleTimeout });

    expect(error).toMatchObject({ code: 'SOURCE_STALLED', entryPath: 'photo/large/1.jpg' });
    expect(error.message).toBe(
      'Entry "photo/large/1.jpg" stalled: expected its source to give bytes at least every 50 ms (idleTimeout), but it gave none for 50 ms after 0 bytes',
    );
    expect(sources.opened.every((stream) => stream.destroyed)).toBe(true);
  });

  it('rejects with SOURCE_STALLED when the source function of an entry read ahead never resolves', async () => {
    const sources = new SourceTracker();
    const entries = photos(sources, 6);
    entries[2] = {
      path: 'photo/large/2.jpg',
      source: () => new Promise(() => undefined),
      size: photo.length,
    };

    const error = await failedRun(entries, { readAhead: 4, idleTimeout });

    expect(error).toMatchObject({ code: 'SOURCE_STALLED', entryPath: 'photo/large/2.jpg' });
    expect(error.message).toMatch(/expected its source function to resolve within 50 ms/);
    expect(sources.opened.every((stream) => stream.destroyed)).toBe(true);
  });

  it('does not count the bytes of sources read ahead as progress of the entry being written', async () => {
    const sources = new SourceTracker();
    const entries = photos(sources, 6);
    entries[0] = {
      path: 'photo/large/0.jpg',
      source: sources.lazy('0', photo, (data) => stallingAfter(data, 10_000, () => undefined)),
      size: photo.length,
    };

    const error = await failedRun(entries, { readAhead: 4, idleTimeout });

    expect(error).toMatchObject({ code: 'SOURCE_STALLED', entryPath: 'photo/large/0.jpg' });
    expect(error.message).toMatch(/gave none for 50 ms after 10000 bytes$/);
    expect(sources.events).toContain('open 4');
    expect(sources.opened.every((stream) => stream.destroyed)).toBe(true);
  });
});
