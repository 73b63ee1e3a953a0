/**
 * Test helpers: an in-memory destination, and two independent readers of the archives the tests
 * make (yauzl, and Debian's `unzip -t`). Neither reader shares code with archiver.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';

const run = promisify(execFile);

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

/** Runs Debian's `unzip -t` (tests every entry's CRC) on the archive; resolves to its output. */
export async function unzipTest(archive: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'toq-zipper-'));
  try {
    const file = join(dir, 'archive.zip');
    await writeFile(file, archive);
    const { stdout } = await run('unzip', ['-t', file], { maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
