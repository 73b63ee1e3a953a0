// Only `node:` imports: the pack test also loads this file in its scratch project, on Node 22.
import type { ZipEntry } from '@toq/zipper';
import { Readable } from 'node:stream';

/** `length` deterministic pseudo-random bytes (a linear congruential generator). */
function bytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i += 1) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** A stream of `data` in chunks of `size` bytes. */
const inChunks = (data: Buffer, size: number) => async () =>
  Readable.from(
    Array.from({ length: Math.ceil(data.length / size) }, (_, i) =>
      data.subarray(i * size, (i + 1) * size),
    ),
  );

/**
 * Every kind of entry whose CRC-32 archiver computes: stored and deflated, from a Buffer and from
 * streams in odd chunk sizes, empty, non-ASCII. The same entries on every call.
 */
export function mixedEntries(): ZipEntry[] {
  const photo = bytes(3_000_001, 7);
  const text = Buffer.from('Listing 4f8c1d2e, 12 photos, 1 video.\n'.repeat(20_000));
  return [
    { path: 'photo/large/from-buffer.jpg', source: photo },
    { path: 'photo/large/from-stream.jpg', source: inChunks(photo, 65_536), size: photo.length },
    { path: 'photo/small/odd-chunks.jpg', source: inChunks(photo.subarray(5, 99_999), 333) },
    { path: 'notes/from-buffer.txt', source: text },
    { path: 'notes/from-stream.txt', source: inChunks(text, 1_000) },
    { path: 'photo/thumbnail/empty.jpg', source: Buffer.alloc(0) },
    { path: 'notes/ünïcödé.txt', source: inChunks(Buffer.from('é'.repeat(5_000)), 7) },
  ];
}
