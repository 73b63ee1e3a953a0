import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { fromBufferPromise } from 'yauzl';
import type { ObjectStore } from '@toq/lambdas';

/** A fresh directory for one run's outputs. */
export function scratchDir(name: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `toq-e2e-${name}-`));
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Every object under `prefix` with the SHA-256 of its bytes. */
export async function hashTree(store: ObjectStore, prefix: string): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for await (const object of store.list(prefix)) {
    hashes.set(object.key, sha256(await store.getBuffer(object.key)));
  }
  return hashes;
}

/** Every entry of a zip, read back: path → bytes. */
export async function unzip(buffer: Buffer): Promise<Map<string, Buffer>> {
  const zip = await fromBufferPromise(buffer, { lazyEntries: true, strictFileNames: true });
  const entries = new Map<string, Buffer>();
  for await (const entry of zip.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    entries.set(entry.fileName, Buffer.concat(chunks));
  }
  zip.close();
  return entries;
}

/**
 * How far apart two pictures are: both shrunk to 24×16 (or 16×24) greyscale, the mean absolute
 * difference of their pixels (0 = same, 255 = opposite).
 */
export async function pictureDistance(a: Buffer, b: Buffer): Promise<number> {
  const meta = await sharp(a).metadata();
  const [w, h] = (meta.width ?? 1) >= (meta.height ?? 1) ? [24, 16] : [16, 24];
  const small = (input: Buffer) =>
    sharp(input).resize(w, h, { fit: 'fill' }).greyscale().raw().toBuffer();
  const [x, y] = await Promise.all([small(a), small(b)]);
  let sum = 0;
  x.forEach((value, i) => (sum += Math.abs(value - (y[i] ?? 0))));
  return sum / x.length;
}

/** `list[index]`, or a failed test when it is missing. */
export function at<T>(list: readonly T[], index: number): T {
  const value = list[index];
  if (value === undefined) throw new Error(`Expected an element at ${index}, received none`);
  return value;
}

/**
 * Writes `count` small JPEGs (`photo-0001.jpg`, …) into `dir`: each a different flat colour with
 * a gradient, `width` × `height` pixels.
 */
export async function writeTinyPhotos(
  dir: string,
  count: number,
  { width = 64, height = 48 } = {},
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g"><stop offset="0" stop-color="hsl(${(i * 37) % 360},70%,50%)"/><stop offset="1" stop-color="#fff"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`;
    const jpeg = await sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer();
    await writeFile(join(dir, `photo-${String(i + 1).padStart(4, '0')}.jpg`), jpeg);
  }
}
