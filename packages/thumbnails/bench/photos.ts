/**
 * The bench's photos: the repository's EXIF-orientation fixtures (`fixtures/exif-orientation`,
 * 1800x1200, 2.2 MP) and 24 MP photos generated from them (6000x4000 with sensor-like noise, JPEG
 * quality 90, EXIF-tagged like a camera's), written once into `bench/.cache`.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { EXIF_ORIENTATION_DIR as FIXTURES } from '../../../tools/testing/fixtures.ts';

const CACHE = resolve(import.meta.dirname, '.cache');

export function fixturePhotos(): string[] {
  return readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.jpg'))
    .sort()
    .map((name) => join(FIXTURES, name));
}

async function generate(source: string, out: string, orientation: number): Promise<void> {
  const width = 6000;
  const height = 4000;
  const pixels = await sharp(source)
    .autoOrient()
    .resize(width, height, { fit: 'cover' })
    .raw()
    .toBuffer();
  let seed = orientation * 7919 + 1;
  for (let i = 0; i < pixels.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff; // deterministic noise, ±6
    pixels[i] = Math.min(255, Math.max(0, (pixels[i] ?? 0) + ((seed >> 16) % 13) - 6));
  }
  await sharp(pixels, { raw: { width, height, channels: 3 } })
    .withExif({ IFD0: { Make: 'Bench', Model: '24MP', Orientation: String(orientation) } })
    .jpeg({ quality: 90 })
    .toFile(out);
}

/** Four 24 MP JPEGs (orientations 1, 6, 3, 8), generated on first use. */
export async function largePhotos(): Promise<string[]> {
  mkdirSync(CACHE, { recursive: true });
  const photos: string[] = [];
  for (const [index, orientation] of [1, 6, 3, 8].entries()) {
    const out = join(CACHE, `24mp-${index}-o${orientation}.jpg`);
    if (!existsSync(out)) {
      await generate(
        join(FIXTURES, index % 2 ? 'Portrait_0.jpg' : 'Landscape_0.jpg'),
        out,
        orientation,
      );
    }
    photos.push(out);
  }
  return photos;
}
