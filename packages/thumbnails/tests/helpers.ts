import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { expect } from 'vitest';
import { ThumbnailError, type ThumbnailErrorCode } from '../src/index';
import { fixturePath } from '../../../tools/testing/fixtures.ts';

/** A photo of `fixtures/exif-orientation`: `fixture('Landscape', 6)` is `Landscape_6.jpg`. */
export function fixture(kind: 'Landscape' | 'Portrait', orientation: number): string {
  return fixturePath('exif-orientation', `${kind}_${orientation}.jpg`);
}

/** Decodes an image to 8-bit sRGB pixels without alpha. */
export async function pixels(image: Buffer | string) {
  const { data, info } = await sharp(image)
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Mean absolute difference per channel (0–255) between two decoded images of the same size. */
export async function meanAbsoluteDifference(a: Buffer | string, b: Buffer | string) {
  const [pa, pb] = await Promise.all([pixels(a), pixels(b)]);
  if (pa.width !== pb.width || pa.height !== pb.height) {
    throw new Error(`sizes differ: ${pa.width}x${pa.height} vs ${pb.width}x${pb.height}`);
  }
  let sum = 0;
  for (let i = 0; i < pa.data.length; i++) sum += Math.abs((pa.data[i] ?? 0) - (pb.data[i] ?? 0));
  return sum / pa.data.length;
}

/** The item at `index`, failing the test when there is none. */
export function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined)
    throw new Error(`expected an item at ${index}, received ${items.length} items`);
  return item;
}

/** A 600x400 PNG of the landscape photo whose left half is fully transparent. */
export async function halfTransparentPng(): Promise<Buffer> {
  const photo = await sharp(fixture('Landscape', 0))
    .resize(600, 400)
    .ensureAlpha()
    .raw()
    .toBuffer();
  for (let y = 0; y < 400; y++) for (let x = 0; x < 300; x++) photo[(y * 600 + x) * 4 + 3] = 0;
  return sharp(photo, { raw: { width: 600, height: 400, channels: 4 } })
    .png()
    .toBuffer();
}

/** The channel count, and the alpha of the middle row at ¼ and ¾ of the width. */
export async function alphaAcross(image: Buffer) {
  const { data, info } = await sharp(image)
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const row = Math.floor(info.height / 2) * info.width;
  return {
    channels: (await sharp(image).metadata()).channels,
    left: data[(row + Math.floor(info.width / 4)) * 4 + 3],
    right: data[(row + Math.floor((info.width * 3) / 4)) * 4 + 3],
  };
}

/** Asserts that `promise` rejects with a ThumbnailError of `code` whose message matches. */
export async function expectThumbnailError(
  promise: Promise<unknown>,
  code: ThumbnailErrorCode,
  message: RegExp,
) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ThumbnailError);
  expect(error).toMatchObject({ name: 'ThumbnailError', code });
  expect((error as Error).message).toMatch(message);
}

/** A PNG chunk: length, type, data, CRC. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/** A big-endian EXIF block (TIFF header, one IFD) holding only an orientation tag. */
function exifOrientation(orientation: number): Buffer {
  const exif = Buffer.alloc(26);
  exif.write('MM\0*', 0, 'latin1');
  exif.writeUInt32BE(8, 4); // first IFD
  exif.writeUInt16BE(1, 8); // one entry
  exif.writeUInt16BE(0x0112, 10); // Orientation
  exif.writeUInt16BE(3, 12); // SHORT
  exif.writeUInt32BE(1, 14);
  exif.writeUInt16BE(orientation, 18);
  return exif; // next IFD offset: 0
}

/**
 * A PNG that declares `width`×`height` pixels (8-bit greyscale, or 16-bit RGBA; interlaced or
 * not) but holds a few bytes of data, with an `eXIf` chunk of that orientation if one is given.
 */
export function pngDeclaring(
  width: number,
  height: number,
  options: { orientation?: number; rgba16?: boolean; interlaced?: boolean } = {},
): Buffer {
  const { orientation, rgba16 = false, interlaced = false } = options;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  // 8-bit greyscale or 16-bit RGBA; no interlace or Adam7
  header.set([rgba16 ? 16 : 8, rgba16 ? 6 : 0, 0, 0, interlaced ? 1 : 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    ...(orientation === undefined ? [] : [pngChunk('eXIf', exifOrientation(orientation))]),
    pngChunk('IDAT', deflateSync(Buffer.alloc(width + 1))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
