/**
 * Test helpers: an in-memory destination, and two independent readers of the archives the tests
 * make (yauzl, and 7-Zip's `7za t`, in `tools/testing/seven-zip.ts`). Neither reader shares code
 * with archiver.
 */
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';

export { sevenZipTestBuffer } from '../../../../tools/testing/seven-zip.ts';

/** A destination that keeps every byte written to it. */
export class MemorySink extends Writable {
  readonly chunks: Buffer[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(chunk);
    callback();
  }

  get buffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** One entry as yauzl reads it back, with its content (its CRC checked against the header). */
export interface ReadEntry {
  path: string;
  size: number;
  compressedSize: number;
  crc32: number;
  /** 0 = stored, 8 = deflated. */
  method: number;
  /** Unix permission bits from the external attributes. */
  mode: number;
  modified: Date;
  data: Buffer;
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Reads a whole archive with yauzl (sizes validated, strict file names) and checks every entry's
 * content against the CRC-32 in its header. `withData: false` lists entries without reading them.
 */
export async function readZip(
  archive: Buffer,
  { withData = true }: { withData?: boolean } = {},
): Promise<ReadEntry[]> {
  const zipfile = await yauzl.fromBufferPromise(archive, {
    lazyEntries: true,
    strictFileNames: true,
    validateEntrySizes: true,
  });
  const entries: ReadEntry[] = [];
  for await (const entry of zipfile.eachEntry()) {
    const data = withData ? await collect(await zipfile.openReadStreamPromise(entry)) : Buffer.of();
    if (withData && crc32(data) >>> 0 !== entry.crc32) {
      throw new Error(`CRC-32 of ${entry.fileName} does not match its header`);
    }
    entries.push({
      path: entry.fileName,
      size: entry.uncompressedSize,
      compressedSize: entry.compressedSize,
      crc32: entry.crc32,
      method: entry.compressionMethod,
      mode: (entry.externalFileAttributes >>> 16) & 0o7777,
      modified: entry.getLastModDate({ forceDosFormat: true, timezone: 'UTC' }),
      data,
    });
  }
  return entries;
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A Readable of `data` in chunks of `chunkSize` bytes, produced on demand. */
export function chunked(data: Buffer, chunkSize = 64 * 1024): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= data.length) {
        this.push(null);
        return;
      }
      this.push(data.subarray(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

/** Deterministic pseudo-random bytes (xorshift), so a test's data are the same on every run. */
export function pseudoRandomBytes(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * Hands out sources and watches them: how many were opened, how many are open right now, the
 * most that were ever open at once, and whether each was destroyed.
 */
export class SourceTracker {
  readonly opened: Readable[] = [];
  readonly events: string[] = [];
  open = 0;
  maxOpen = 0;

  /** A lazy source (`() => Promise<Readable>`) giving `data` in 64 KiB chunks. */
  lazy(name: string, data: Buffer, make: (data: Buffer) => Readable = chunked) {
    return async (): Promise<Readable> => this.watch(name, make(data));
  }

  /** Starts watching an already-made stream. */
  watch(name: string, stream: Readable): Readable {
    this.events.push(`open ${name}`);
    this.opened.push(stream);
    this.open += 1;
    this.maxOpen = Math.max(this.maxOpen, this.open);
    stream.once('close', () => {
      this.open -= 1;
      this.events.push(`close ${name}`);
    });
    return stream;
  }
}

/** A Readable that gives `before` bytes of `data` and then fails with `error`. */
export function failingAfter(data: Buffer, before: number, error: Error): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= before) {
        this.destroy(error);
        return;
      }
      const end = Math.min(before, offset + 16 * 1024);
      this.push(data.subarray(offset, end));
      offset = end;
    },
  });
}

/** Settles with the rejection of `promise` (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/**
 * A Readable that gives `before` bytes of `data` and then waits forever (a stalled download),
 * calling `onStall` once when it gets there.
 */
export function stallingAfter(data: Buffer, before: number, onStall: () => void): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= before) {
        if (offset === before) onStall();
        offset += 1;
        return;
      }
      const end = Math.min(before, offset + 16 * 1024);
      this.push(data.subarray(offset, end));
      offset = end;
    },
  });
}
