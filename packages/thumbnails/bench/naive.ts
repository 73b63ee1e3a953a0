/**
 * The naive baseline, what one writes with sharp alone: four independent pipelines per photo,
 * one per size, each decoding the photo again (with sharp's own shrink on load), run at once;
 * upright, in sRGB, JPEG with sharp's defaults (quality 80, baseline, libjpeg's quantisation
 * tables, 4:2:0 chroma, optimised Huffman tables). The bench compares both speed and quality per
 * byte with it, and so does `tests/integration/quality.test.ts`.
 */
import sharp from 'sharp';

/** The four sizes' widths, widest first (spec §2). */
export const WIDTHS = [1200, 800, 400, 200] as const;

/** The naive renditions of a photo, widest first. */
export async function naiveRenditions(input: string | Buffer): Promise<Buffer[]> {
  return Promise.all(
    WIDTHS.map((width) =>
      sharp(input, { failOn: 'truncated' })
        .autoOrient()
        .resize({ width, withoutEnlargement: true })
        .toColourspace('srgb')
        .jpeg({ quality: 80 })
        .toBuffer(),
    ),
  );
}
