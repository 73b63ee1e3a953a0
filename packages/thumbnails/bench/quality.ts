/**
 * Quality per byte: the SSIM of a rendition against a reference made without any shortcut (the
 * photo decoded at full size, resized with Lanczos3 to the rendition's own dimensions, never
 * compressed), beside its bytes. Used by the bench and by `tests/integration/quality.test.ts`.
 */
import sharp from 'sharp';

/** A luma plane: one value per pixel, 0–255. */
interface Luma {
  readonly data: Float64Array;
  readonly width: number;
  readonly height: number;
}

/**
 * The luma (Rec. 601 weights, the Y of JPEG's YCbCr) of 8-bit pixels with 3 or 4 channels; alpha
 * is ignored.
 */
function luma(pixels: Buffer, width: number, height: number, channels: number): Luma {
  const data = new Float64Array(width * height);
  for (let i = 0, p = 0; i < data.length; i++, p += channels) {
    data[i] =
      0.299 * (pixels[p] ?? 0) + 0.587 * (pixels[p + 1] ?? 0) + 0.114 * (pixels[p + 2] ?? 0);
  }
  return { data, width, height };
}

/** Decodes an image to the luma of its 8-bit sRGB pixels. */
async function decodeLuma(image: Buffer): Promise<Luma> {
  const { data, info } = await sharp(image)
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return luma(data, info.width, info.height, info.channels);
}

/** A rendition's size on disk and its closeness to the reference of its dimensions. */
export interface Scored {
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
  /** Mean SSIM of its luma against the reference's ({@link ssim}), 1 for identical pixels. */
  readonly ssim: number;
}

/**
 * Scores renditions of one photo: each one's bytes and the SSIM of its luma against the
 * reference at its own dimensions, the photo decoded once at full size (upright, sRGB, no shrink
 * on load) and resized with Lanczos3 to exactly that width and height, never compressed.
 *
 * @example
 * const [large] = await score('photo.jpg', [largeJpeg]); // { width, height, bytes, ssim }
 */
export async function score(
  photo: string | Buffer,
  renditions: readonly Buffer[],
): Promise<Scored[]> {
  const full = await sharp(photo, { failOn: 'truncated' })
    .autoOrient()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width, height, channels } = full.info;
  const scored: Scored[] = [];
  for (const rendition of renditions) {
    const decoded = await decodeLuma(rendition);
    const reference = await sharp(full.data, { raw: { width, height, channels } })
      .resize(decoded.width, decoded.height, { fit: 'fill', kernel: 'lanczos3' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const { info } = reference;
    scored.push({
      width: decoded.width,
      height: decoded.height,
      bytes: rendition.length,
      ssim: ssim(decoded, luma(reference.data, info.width, info.height, info.channels)),
    });
  }
  return scored;
}

const WINDOW = 11;
const SIGMA = 1.5;
/** The normalised 11-tap Gaussian (σ 1.5) of Wang, Bovik, Sheikh and Simoncelli's SSIM. */
const KERNEL = (() => {
  const half = (WINDOW - 1) / 2;
  const taps = Array.from({ length: WINDOW }, (_, i) =>
    Math.exp(-((i - half) ** 2) / (2 * SIGMA ** 2)),
  );
  const sum = taps.reduce((a, b) => a + b, 0);
  return Float64Array.from(taps, (t) => t / sum);
})();
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

/** `plane` filtered by the Gaussian window where it fits whole ("valid"): (w − 10) × (h − 10). */
function gaussian(plane: Float64Array, width: number, height: number): Float64Array {
  const outWidth = width - WINDOW + 1;
  const outHeight = height - WINDOW + 1;
  const rows = new Float64Array(outWidth * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < outWidth; x++) {
      let sum = 0;
      for (let k = 0; k < WINDOW; k++) sum += (KERNEL[k] ?? 0) * (plane[row + x + k] ?? 0);
      rows[y * outWidth + x] = sum;
    }
  }
  const out = new Float64Array(outWidth * outHeight);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      let sum = 0;
      for (let k = 0; k < WINDOW; k++)
        sum += (KERNEL[k] ?? 0) * (rows[(y + k) * outWidth + x] ?? 0);
      out[y * outWidth + x] = sum;
    }
  }
  return out;
}

/**
 * The mean SSIM of two luma planes of the same size: the index of Wang et al. (2004) with its
 * 11×11 Gaussian window (σ 1.5), K1 0.01, K2 0.03, L 255, averaged over every position where
 * the window fits, at full resolution (no downsampling first: a rendition is seen at 1:1).
 */
function ssim(a: Luma, b: Luma): number {
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(
      `SSIM needs planes of one size, received ${a.width}x${a.height} and ${b.width}x${b.height}`,
    );
  }
  const { width, height } = a;
  if (width < WINDOW || height < WINDOW) {
    throw new Error(
      `SSIM needs planes of at least ${WINDOW}x${WINDOW} px, received ${width}x${height}`,
    );
  }
  const product = (p: Float64Array, q: Float64Array) => p.map((v, i) => v * (q[i] ?? 0));
  const muA = gaussian(a.data, width, height);
  const muB = gaussian(b.data, width, height);
  const aa = gaussian(product(a.data, a.data), width, height);
  const bb = gaussian(product(b.data, b.data), width, height);
  const ab = gaussian(product(a.data, b.data), width, height);
  let sum = 0;
  for (let i = 0; i < muA.length; i++) {
    const ma = muA[i] ?? 0;
    const mb = muB[i] ?? 0;
    const varA = (aa[i] ?? 0) - ma * ma;
    const varB = (bb[i] ?? 0) - mb * mb;
    const cov = (ab[i] ?? 0) - ma * mb;
    sum += ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (varA + varB + C2));
  }
  return sum / muA.length;
}
