/**
 * A source, a destination or an entries iterable that stops moving fails the zip after
 * `idleTimeout` ms instead of hanging it. The stalls are made to last forever, so the assertions
 * are on the error, never on elapsed time; timeouts that must not fire have wide margins.
 */
import { createZip, ZipperError, type ZipEntry, type ZipOptions } from '@toq/zipper';
import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  MemorySink,
  SourceTracker,
  pseudoRandomBytes,
  readZip,
  rejectionOf,
  stallingAfter,
} from '../support/zip.ts';

const photo = pseudoRandomBytes(200_000, 11);
/** Short enough for a quick test; the stalls below never end, so no margin is needed. */
const idleTimeout = 50;

/** A source that never gives a byte (a download whose connection went silent). */
const silent = () =>
  new Readable({
    read() {
      // never pushes
    },
  });

/** A destination that never calls back (an upload that stopped reading its body). */
const neverAccepting = () =>
  new Writable({
    write() {
      // never calls back
    },
  });

async function stalledRun(
  entries: ZipEntry[] | AsyncIterable<ZipEntry>,
  destination: Writable = new MemorySink(),
  options: ZipOptions = { idleTimeout },
): Promise<ZipperError> {
  const error = await rejectionOf(createZip(entries, destination, options));
  expect(error).toBeInstanceOf(ZipperError);
  return error as ZipperError;
}

describe('createZip with a stalled source', () => {
  it('rejects with SOURCE_STALLED when a source gives no byte, destroys it and leaves no zip', async () => {
    const sources = new SourceTracker();
    const sink = new MemorySink();

    const error = await stalledRun(
      [
        { path: 'photo/large/a.jpg', source: sources.lazy('a', photo) },
        { path: 'video/large/b.mp4', source: async () => sources.watch('b', silent()) },
        { path: 'photo/large/c.jpg', source: sources.lazy('c', photo) },
      ],
      sink,
    );

    expect(error).toMatchObject({
      name: 'ZipperError',
      code: 'SOURCE_STALLED',
      entryPath: 'video/large/b.mp4',
    });
    expect(error.message).toBe(
      'Entry "video/large/b.mp4" stalled: expected its source to give bytes at least every 50 ms (idleTimeout), but it gave none for 50 ms after 0 bytes',
    );
    expect(sources.events).not.toContain('open c');
    expect(sources.opened.every((stream) => stream.destroyed)).toBe(true);
    expect(sink.destroyed).toBe(true);
    expect(sink.errored).toBe(error);
    await expect(readZip(sink.buffer)).rejects.toThrow(/end of central directory record/i);
  });

  it('rejects with SOURCE_STALLED when a source stops midway', async () => {
    const sources = new SourceTracker();
    const stalls = (data: Buffer) => stallingAfter(data, 100_000, () => undefined);

    const error = await stalledRun([
      { path: 'video/large/b.mp4', source: sources.lazy('b', photo, stalls), size: photo.length },
    ]);

    expect(error).toMatchObject({ code: 'SOURCE_STALLED', entryPath: 'video/large/b.mp4' });
    expect(error.message).toMatch(/but it gave none for 50 ms after \d+ bytes$/);
    expect(sources.opened.every((stream) => stream.destroyed)).toBe(true);
  });

  it('rejects with SOURCE_STALLED when a source function never resolves, and destroys what it resolves to later', async () => {
    let open: (stream: Readable) => void = () => undefined;
    const opening = new Promise<Readable>((resolve) => (open = resolve));

    const error = await stalledRun([{ path: 'a.jpg', source: () => opening }]);
    const late = Readable.from([photo]);
    open(late);
    await new Promise((resolve) => setImmediate(resolve));

    expect(error).toMatchObject({ code: 'SOURCE_STALLED', entryPath: 'a.jpg' });
    expect(error.message).toBe(
      'Entry "a.jpg" stalled: expected its source function to resolve within 50 ms (idleTimeout), but it had not after 50 ms',
    );
    expect(late.destroyed).toBe(true);
  });
});

describe('createZip with a stalled destination', () => {
  it('rejects with DESTINATION_STALLED when the destination never accepts a write', async () => {
    const destination = neverAccepting();

    const error = await stalledRun([{ path: 'photo/large/a.jpg', source: photo }], destination);

    // archiver takes a Buffer source whole, so the stall may show while it is being finished.
    expect(error.code).toBe('DESTINATION_STALLED');
    expect(error.message).toMatch(
      /^Destination stalled (while entry "photo\/large\/a\.jpg" was being written|while the archive was being finished): expected it to accept bytes at least every 50 ms \(idleTimeout\), but it accepted none for 50 ms \(\d+ bytes waiting\)$/,
    );
    expect(destination.destroyed).toBe(true);
  });

  it('rejects with DESTINATION_STALLED when nobody reads a PassThrough (backpressure never released)', async () => {
    const body = new PassThrough();

    const error = await stalledRun(
      [{ path: 'video/large/v.mp4', source: pseudoRandomBytes(4 * 1024 * 1024, 12) }],
      body,
    );

    expect(error.code).toBe('DESTINATION_STALLED');
    expect(body.destroyed).toBe(true);
  });

  it('destroys the source being read when the destination stalls', async () => {
    const sources = new SourceTracker();
    const body = new PassThrough();
    const video = pseudoRandomBytes(8 * 1024 * 1024, 13);

    // A wide timeout: the source is read within it, long before the destination's buffers fill.
    const error = await stalledRun(
      [{ path: 'video/large/v.mp4', source: sources.lazy('v', video) }],
      body,
      { idleTimeout: 1000 },
    );

    expect(error).toMatchObject({ code: 'DESTINATION_STALLED', entryPath: 'video/large/v.mp4' });
    expect(sources.opened).toHaveLength(1);
    expect(sources.opened.every((stream) => stream.destroyed)).toBe(true);
    expect(body.destroyed).toBe(true);
  });
});

describe('createZip with a stalled entries iterable', () => {
  it('rejects with ENTRIES_STALLED when the iterable gives no next entry', async () => {
    const sink = new MemorySink();
    async function* listing(): AsyncGenerator<ZipEntry> {
      yield { path: 'a.jpg', source: photo };
      await new Promise(() => undefined); // a listing request that never answers
    }

    const error = await stalledRun(listing(), sink);

    expect(error).toMatchObject({ code: 'ENTRIES_STALLED', entryPath: undefined });
    expect(error.message).toBe(
      'The entries iterable stalled after 1 entries: expected its next entry within 50 ms (idleTimeout), but received none for 50 ms',
    );
    expect(sink.destroyed).toBe(true);
    await expect(readZip(sink.buffer)).rejects.toThrow(/end of central directory record/i);
  });
});

describe('createZip idleTimeout', () => {
  it.each([0, Infinity])(
    '%s waits for as long as it takes (an abort still ends it)',
    async (timeout) => {
      const controller = new AbortController();
      const stalls = (data: Buffer) =>
        stallingAfter(data, 50_000, () => setTimeout(() => controller.abort(), 300));

      const error = await stalledRun(
        [{ path: 'b.mp4', source: new SourceTracker().lazy('b', photo, stalls) }],
        new MemorySink(),
        { idleTimeout: timeout, signal: controller.signal },
      );

      expect(error.code).toBe('ABORTED');
    },
  );

  it('counts from the last progress, not from the start: a slow but steady source passes', async () => {
    // 30 chunks 50 ms apart: at least 1.5 s in all, longer than the 1 s timeout, each gap far shorter.
    const chunk = pseudoRandomBytes(16 * 1024, 14);
    let sent = 0;
    const slow = new Readable({
      read() {
        setTimeout(() => this.push(sent++ < 30 ? chunk : null), 50);
      },
    });
    const sink = new MemorySink();

    const summary = await createZip([{ path: 'slow.bin', source: async () => slow }], sink, {
      idleTimeout: 1000,
    });

    expect(summary.entries).toBe(1);
    const [entry] = await readZip(sink.buffer);
    expect(entry?.size).toBe(30 * chunk.length);
  });

  it('leaves no timer behind once the zip is done', async () => {
    const timers = () =>
      process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const before = timers();

    await createZip([{ path: 'a.jpg', source: photo }], new MemorySink());

    expect(timers()).toBe(before);
  });
});
