import { createZip, ZipperError, type ZipEntry } from '@toq/zipper';
import { once } from 'node:events';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { zipHandler } from '../../examples/http.ts';
import {
  MemorySink,
  SourceTracker,
  pseudoRandomBytes,
  readZip,
  rejectionOf,
  sha256,
  stallingAfter,
} from '../support/zip.ts';

describe('createZip opening sources', () => {
  it('opens one source at a time, each only after the previous one closed', async () => {
    // Prepare
    const sources = new SourceTracker();
    const data = pseudoRandomBytes(150_000, 3);
    const entries: ZipEntry[] = Array.from({ length: 40 }, (_, i) => ({
      path: `photo/medium/${i}.jpg`,
      source: sources.lazy(String(i), data),
    }));

    // Act
    const summary = await createZip(entries, new MemorySink());

    // Assess
    expect(summary.entries).toBe(40);
    expect(sources.maxOpen).toBe(1);
    expect(sources.events).toEqual(
      Array.from({ length: 40 }, (_, i) => [`open ${i}`, `close ${i}`]).flat(),
    );
  });

  it('pulls the next entry from an async iterable only when the previous one is written', async () => {
    const sources = new SourceTracker();
    const data = pseudoRandomBytes(100_000, 4);
    async function* listing(): AsyncGenerator<ZipEntry> {
      for (let i = 0; i < 5; i += 1) {
        sources.events.push(`yield ${i}`);
        yield { path: `p/${i}.jpg`, source: sources.lazy(String(i), data) };
      }
    }

    await createZip(listing(), new MemorySink());

    expect(sources.events).toEqual(
      Array.from({ length: 5 }, (_, i) => [`yield ${i}`, `open ${i}`, `close ${i}`]).flat(),
    );
  });
});

/**
 * A destination that takes its time: each write completes on a later turn of the event loop, and
 * records how far the source had run ahead of what it received.
 */
class SlowSink extends Writable {
  received = 0;
  maxAhead = 0;
  readonly chunks: Buffer[] = [];

  constructor(private readonly produced: () => number) {
    super({ highWaterMark: 16 * 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.received += chunk.length;
    this.chunks.push(chunk);
    this.maxAhead = Math.max(this.maxAhead, this.produced() - this.received);
    setImmediate(callback);
  }
}

describe('createZip with a slow destination', () => {
  it('reads the sources no faster than the destination takes the archive (backpressure)', async () => {
    // Prepare: 32 MiB that the source can give at once, to a sink taking 16 KiB per event-loop turn
    const block = pseudoRandomBytes(64 * 1024, 5);
    const total = 32 * 1024 * 1024;
    let produced = 0;
    const source = new Readable({
      read() {
        if (produced >= total) this.push(null);
        else {
          produced += block.length;
          this.push(block);
        }
      },
    });
    const sink = new SlowSink(() => produced);

    // Act
    const summary = await createZip(
      [{ path: 'video/large/v.mp4', source: async () => source }],
      sink,
    );

    // Assess: everything arrived, and the source was never more than a few buffers ahead
    expect(sink.received).toBe(summary.bytes);
    expect(sink.received).toBeGreaterThan(total);
    expect(sink.maxAhead).toBeLessThan(4 * 1024 * 1024);
    const [entry] = await readZip(Buffer.concat(sink.chunks), { withData: false });
    expect(entry).toMatchObject({ path: 'video/large/v.mp4', size: total, method: 0 });
  });
});

describe('createZip into an HTTP response', () => {
  let server: Server | undefined;
  afterEach(() => new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined))));

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    server = createServer(handler);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/bundle.zip`;
  }

  it('streams a bundle that the client unzips (the README example)', async () => {
    const photo = pseudoRandomBytes(500_000, 6);
    const errors: unknown[] = [];
    const url = await serve(
      zipHandler(
        () => [
          { path: 'photo/large/a.jpg', source: Buffer.from(photo) },
          {
            path: 'photo/small/a.jpg',
            source: async () => Readable.from([photo.subarray(0, 1000)]),
          },
        ],
        (error) => errors.push(error),
      ),
    );

    const response = await fetch(url);
    const body = Buffer.from(await response.arrayBuffer());

    expect(response.headers.get('content-type')).toBe('application/zip');
    const entries = await readZip(body);
    expect(entries.map((e) => [e.path, sha256(e.data)])).toEqual([
      ['photo/large/a.jpg', sha256(photo)],
      ['photo/small/a.jpg', sha256(photo.subarray(0, 1000))],
    ]);
    expect(errors).toEqual([]);
  });

  it('rejects with DESTINATION_FAILED and closes the source when the client goes away', async () => {
    const sources = new SourceTracker();
    const video = pseudoRandomBytes(8 * 1024 * 1024, 7);
    // The source stalls halfway (a slow download), so the zip cannot end before the client leaves.
    const slow = (data: Buffer) => stallingAfter(data, 4 * 1024 * 1024, () => undefined);
    let zipping: Promise<unknown> | undefined;
    const url = await serve((_request, response) => {
      zipping = rejectionOf(
        createZip(
          [{ path: 'video/large/v.mp4', source: sources.lazy('v', video, slow) }],
          response,
        ),
      );
    });

    await new Promise<void>((resolve, reject) => {
      const request = get(url, (response) => {
        response.once('data', () => {
          request.destroy();
          resolve();
        });
      });
      request.once('error', (error) => (request.destroyed ? undefined : reject(error)));
    });
    const error = await zipping;

    expect(error).toBeInstanceOf(ZipperError);
    expect(error).toMatchObject({ code: 'DESTINATION_FAILED', entryPath: 'video/large/v.mp4' });
    expect(sources.opened.every((stream) => stream.destroyed)).toBe(true);
  });
});
