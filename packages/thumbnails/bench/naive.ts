/**
 * The naive baseline: four independent sharp pipelines per photo, one per size, each decoding
 * the photo again (with sharp's own shrink-on-load), run at once, with the same output settings
 * as @toq/thumbnails (auto-orient, sRGB, no metadata, same JPEG encoder options).
 */
import sharp from 'sharp';

const WIDTHS = [1200, 800, 400, 200];

export async function naiveRenditions(input: string | Buffer): Promise<Buffer[]> {
  return Promise.all(
    WIDTHS.map((width) =>
      sharp(input, { failOn: 'truncated' })
        .autoOrient()
        .resize({ width, withoutEnlargement: true })
        .toColourspace('srgb')
        .jpeg({ quality: 80, progressive: true, optimiseCoding: true, quantisationTable: 3 })
        .toBuffer(),
    ),
  );
}
