import { createZip, ZipperError, type ZipEntry } from '@toq/zipper';
import { once } from 'node:events';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MemorySink,
  SourceTracker,
  chunked,
  failingAfter,
  pseudoRandomBytes,
  readZip,
  rejectionOf,
  stallingAfter,
  sevenZipTestBuffer,
} from '../support/zip.ts';

const photo = pseudoRandomBytes(200_000, 7);
const video = pseudoRandomBytes(2_000_000, 8);

/** What a failed run left in the destination must not pass for a zip, for either reader. */
async function expectNoValidZip(written: Buffer): Promise<void> {
  await expect(readZip(written)).rejects.toThrow(/end of central directory record/i);
  await expect(sevenZipTestBuffer(written)).rejects.toThrow(/7-Zip found errors/);
}

async function failedRun(entries: ZipEntry[] | AsyncIterable<ZipEntry>, options = {}) {
  const sink = new MemorySink();
  const error = await rejectionOf(createZip(entries, sink, options));
  expect(error).toBeInstanceOf(ZipperError);
  return { error: error as ZipperError, sink };
}

describe('createZip when a source fails', () => {
  it('rejects with SOURCE_FAILED naming the entry, destroys the stream and opens nothing after it', async () => {
    // Prepare
    const sources = new SourceTracker();
    const reset = new Error('socket hang up');
    const entries: ZipEntry[] = [
      { path: 'photo/large/a.jpg', source: sources.lazy('a', photo) },
      {
        path: 'video/large/b.mp4',
        source: sources.lazy('b', video, (data) => failingAfter(data, 500_000, reset)),
      },
      { path: 'photo/large/c.jpg', source: sources.lazy('c', photo) },
    ];

    // Act
    const { error, sink } = await failedRun(entries);

    // Assess
    expect(error).toMatchObject({
      name: 'ZipperError',
      code: 'SOURCE_FAILED',
      entryPath: 'video/large/b.mp4',
      cause: reset,
    });
    expect(error.message).toBe('Entry "video/large/b.mp4" failed while being read: socket hang up');
    expect(sources.events).not.toContain('open c');
    expect(sources.opened.every((stream) => stream.destroyed)).toBe(true);
    expect(sink.destroyed).toBe(true);
    expect(sink.errored).toBe(error);
    await expectNoValidZip(sink.buffer);
  });

  it('rejects with SOURCE_FAILED when a source closes before its end without an error', async () => {
    let pushed = 0;
    const cut = new Readable({
      read() {
        if (pushed < 100_000) this.push(video.subarray(pushed, (pushed += 16 * 1024)));
        else this.destroy(); // a stream torn down midway: 'close' without 'end' or 'error'
      },
    });

    const { error, sink } = await failedRun([{ path: 'video/large/b.mp4', source: cut }]);

    expect(error).toMatchObject({
      code: 'SOURCE_FAILED',
      entryPath: 'video/large/b.mp4',
      cause: { code: 'ERR_STREAM_PREMATURE_CLOSE' },
    });
    expect(error.message).toBe(
      'Entry "video/large/b.mp4" failed while being read: Premature close',
    );
    await expectNoValidZip(sink.buffer);
  });

  it.each([
    ['without an error', undefined, 'Premature close'],
    ['with an error', new Error('EACCES: permission denied'), 'EACCES: permission denied'],
  ])(
    'rejects with SOURCE_FAILED at once when the opener resolves to a stream already destroyed %s',
    async (_how, reason, message) => {
      const open = async () => {
        const stream = chunked(photo);
        stream.on('error', () => undefined);
        stream.destroy(reason);
        await new Promise((resolve) => setImmediate(resolve)); // it has closed by now
        return stream;
      };

      const { error } = await failedRun([{ path: 'a.jpg', source: open }]);

      expect(error).toMatchObject({ code: 'SOURCE_FAILED', entryPath: 'a.jpg' });
      expect(error.message).toBe(`Entry "a.jpg" failed while being read: ${message}`);
    },
  );

  it('rejects with SOURCE_FAILED when the opener rejects', async () => {
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    const { error, sink } = await failedRun([
      { path: 'a.jpg', source: Buffer.from(photo) },
      { path: 'b.jpg', source: () => Promise.reject(denied) },
    ]);

    expect(error).toMatchObject({ code: 'SOURCE_FAILED', entryPath: 'b.jpg', cause: denied });
    expect(error.message).toBe('Entry "b.jpg" could not be opened: Access Denied');
    await expectNoValidZip(sink.buffer);
  });

  it('rejects with INVALID_ENTRY when the opener resolves to something that is not a stream', async () => {
    const { error } = await failedRun([
      { path: 'b.jpg', source: (async () => Buffer.from('x')) as unknown as ZipEntry['source'] },
    ]);

    expect(error).toMatchObject({ code: 'INVALID_ENTRY', entryPath: 'b.jpg' });
    expect(error.message).toBe(
      'Invalid entry #0 ("b.jpg"): expected its source function to resolve to a Readable, but it resolved to a Buffer of 1 byte',
    );
  });

  it('rejects with SIZE_MISMATCH when a source gives fewer or more bytes than its size', async () => {
    const short = await failedRun([
      { path: 'v.mp4', source: chunked(video.subarray(0, 1_000_000)), size: video.length },
    ]);
    const long = await failedRun([{ path: 'v.mp4', source: chunked(video), size: 1_000_000 }]);
    const buffer = await failedRun([{ path: 'p.jpg', source: Buffer.from(photo), size: 10 }]);

    expect(short.error).toMatchObject({ code: 'SIZE_MISMATCH', entryPath: 'v.mp4' });
    expect(short.error.message).toBe(
      'Entry "v.mp4" has the wrong size: expected 2000000 bytes, but its source gave 1000000',
    );
    expect(long.error.code).toBe('SIZE_MISMATCH');
    expect(long.error.message).toMatch(/expected 1000000 bytes, but its source gave more/);
    expect(buffer.error.message).toBe(
      'Entry "p.jpg" has the wrong size: expected 10 bytes, but its source gave 200000',
    );
    await expectNoValidZip(short.sink.buffer);
  });

  it('rejects with ENTRIES_FAILED when the entries iterable throws', async () => {
    const listingFailed = new Error('ListObjectsV2: SlowDown');
    async function* listing(): AsyncGenerator<ZipEntry> {
      yield { path: 'a.jpg', source: Buffer.from(photo) };
      throw listingFailed;
    }

    const { error, sink } = await failedRun(listing());

    expect(error).toMatchObject({ code: 'ENTRIES_FAILED', cause: listingFailed });
    expect(error.message).toBe(
      'The entries iterable failed after 1 entries: ListObjectsV2: SlowDown',
    );
    await expectNoValidZip(sink.buffer);
  });

  it('destroys the Readable sources of an array that it never reached', async () => {
    const later = chunked(photo);
    const { error } = await failedRun([
      { path: 'a.jpg', source: () => Promise.reject(new Error('gone')) },
      { path: 'b.jpg', source: later },
    ]);

    expect(error.code).toBe('SOURCE_FAILED');
    expect(later.destroyed).toBe(true);
  });
});

describe('createZip with a bad entry in the middle', () => {
  it.each([
    ['../etc/passwd', 'INVALID_PATH', /has a "\.\." segment/],
    ['photo/large/a.jpg', 'DUPLICATE_PATH', /entry #2 repeats it/],
  ])('rejects %s with %s and leaves no zip', async (path, code, message) => {
    const sources = new SourceTracker();
    const { error, sink } = await failedRun([
      { path: 'photo/large/a.jpg', source: sources.lazy('a', photo) },
      { path: 'photo/large/b.jpg', source: sources.lazy('b', photo) },
      { path, source: sources.lazy('bad', photo) },
    ]);

    expect(error).toMatchObject({ code, entryPath: path });
    expect(error.message).toMatch(message);
    expect(sources.events).not.toContain('open bad');
    expect(sink.destroyed).toBe(true);
    await expectNoValidZip(sink.buffer);
  });
});

/** A destination that accepts `limit` bytes and then fails. */
function failingDestination(limit: number, error: Error): Writable {
  let received = 0;
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      callback(received > limit ? error : null);
    },
  });
}

describe('createZip when the destination fails', () => {
  it('rejects with DESTINATION_FAILED naming the entry being written, and destroys its source', async () => {
    const sources = new SourceTracker();
    const quota = new Error('EntityTooLarge');
    // Far longer than the few MiB that can be in flight, so b is still being read when it fails.
    const longVideo = Buffer.concat([video, video, video, video]);

    const error = await rejectionOf(
      createZip(
        [
          { path: 'photo/large/a.jpg', source: sources.lazy('a', photo) },
          { path: 'video/large/b.mp4', source: sources.lazy('b', longVideo) },
          { path: 'photo/large/c.jpg', source: sources.lazy('c', photo) },
        ],
        failingDestination(1_000_000, quota),
      ),
    );

    expect(error).toBeInstanceOf(ZipperError);
    expect(error).toMatchObject({
      code: 'DESTINATION_FAILED',
      entryPath: 'video/large/b.mp4',
      cause: quota,
    });
    expect((error as Error).message).toBe(
      'Destination failed while entry "video/large/b.mp4" was being written: EntityTooLarge',
    );
    expect(sources.events).not.toContain('open c');
    expect(sources.opened.every((stream) => stream.destroyed)).toBe(true);
  });

  it('rejects with DESTINATION_FAILED when the destination is destroyed midway', async () => {
    const sources = new SourceTracker();
    const sink = new MemorySink();
    const stalled = (data: Buffer) => stallingAfter(data, 500_000, () => sink.destroy());
    const zipping = createZip(
      [{ path: 'video/large/b.mp4', source: sources.lazy('b', video, stalled) }],
      sink,
    );

    const error = await rejectionOf(zipping);

    expect(error).toMatchObject({ code: 'DESTINATION_FAILED', entryPath: 'video/large/b.mp4' });
    expect(sources.opened.every((stream) => stream.destroyed)).toBe(true);
  });
});

describe('createZip with an abort signal', () => {
  it('rejects with ABORTED, destroys the open source and the destination', async () => {
    const sources = new SourceTracker();
    const controller = new AbortController();
    const sink = new MemorySink();
    const timeout = new Error('Lambda time is running out');
    const stalled = (data: Buffer) => stallingAfter(data, 500_000, () => controller.abort(timeout));
    const zipping = createZip(
      [{ path: 'video/large/b.mp4', source: sources.lazy('b', video, stalled) }],
      sink,
      { signal: controller.signal },
    );

    const error = await rejectionOf(zipping);

    expect(error).toMatchObject({ name: 'ZipperError', code: 'ABORTED', cause: timeout });
    expect((error as Error).message).toBe(
      'Zip aborted while entry "video/large/b.mp4" was being written',
    );
    expect(sources.opened.every((stream) => stream.destroyed)).toBe(true);
    expect(sink.destroyed).toBe(true);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const sources = new SourceTracker();
    const { error } = await failedRun([{ path: 'a.jpg', source: sources.lazy('a', photo) }], {
      signal: AbortSignal.abort(),
    });

    expect(error.code).toBe('ABORTED');
    expect(sources.opened).toEqual([]);
  });
});

describe('createZip with a real HTTP source cut off midway', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      response.writeHead(200, { 'content-length': video.length });
      response.write(video.subarray(0, 300_000), () => response.socket?.destroy());
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/video.mp4`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('rejects with SOURCE_FAILED and destroys the response stream', async () => {
    let response: IncomingMessage | undefined;
    const open = () =>
      new Promise<IncomingMessage>((resolve, reject) => {
        get(url, (res) => resolve((response = res))).once('error', reject);
      });

    const { error, sink } = await failedRun([{ path: 'video/large/b.mp4', source: open }]);

    expect(error).toMatchObject({ code: 'SOURCE_FAILED', entryPath: 'video/large/b.mp4' });
    expect(error.message).toMatch(/^Entry "video\/large\/b.mp4" failed while being read: /);
    expect(response?.destroyed).toBe(true);
    await expectNoValidZip(sink.buffer);
  });
});
