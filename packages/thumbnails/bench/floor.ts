/**
 * The decode-only floor: what decoding a photo costs before anything is encoded. The photo is
 * decoded as `createRenditions` decodes it (its header read, then upright, sRGB, straight to the
 * widest rendition's size, so that a JPEG shrinks on load by the same factor) into a raw buffer,
 * and nothing else: no rendition, no placeholder. No library can render faster than this.
 */
import sharp from 'sharp';
import { WIDTHS } from './naive.ts';

/** Decodes `photo` to the pixels of its widest rendition (1200 px wide, or its own width). */
export async function decodeFloor(photo: Buffer): Promise<Buffer> {
  const { width, height, orientation = 1 } = await sharp(photo).metadata();
  const [uprightWidth, uprightHeight] = orientation >= 5 ? [height, width] : [width, height];
  const widest = Math.min(WIDTHS[0], uprightWidth);
  return sharp(photo, { failOn: 'truncated' })
    .autoOrient()
    .resize(widest, Math.max(1, Math.round((uprightHeight * widest) / uprightWidth)), {
      fit: 'fill',
    })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer();
}
