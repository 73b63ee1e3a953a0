import sharp from 'sharp';
import { rgbaToThumbHash, thumbHashToDataURL } from 'thumbhash';
import type { Master } from './decode';

/** A tiny stand-in for the photo while its rendition loads (listing pages). */
export interface Placeholder {
  /** The ThumbHash (https://evanw.github.io/thumbhash/), base64: about 25 bytes, keeps aspect and alpha. */
  readonly thumbhash: string;
  /** The ThumbHash rendered as a `data:image/png;base64,…` URL (≤ 32 px), ready for `<img src>`. */
  readonly dataUrl: string;
}

/** Computes the ThumbHash of the master (scaled to fit 100×100, as ThumbHash requires). */
export async function createPlaceholder(master: Master): Promise<Placeholder> {
  const { data, info } = await sharp(master.data, {
    raw: { width: master.width, height: master.height, channels: master.channels },
  })
    .resize(100, 100, { fit: 'inside' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const hash = rgbaToThumbHash(info.width, info.height, data);
  return { thumbhash: Buffer.from(hash).toString('base64'), dataUrl: thumbHashToDataURL(hash) };
}
