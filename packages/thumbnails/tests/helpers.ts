import sharp from 'sharp';
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
