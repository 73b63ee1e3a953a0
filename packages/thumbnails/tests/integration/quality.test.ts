import { describe, expect, it } from 'vitest';
import { createRenditions, type RenditionSize } from '../../src/index';
import { naiveRenditions } from '../../bench/naive.ts';
import { score } from '../../bench/quality.ts';
import { at, fixture } from '../helpers';

/**
 * The most bytes a JPEG rendition may take, as a share of the naive one's of the same size
 * (sharp's defaults at quality 80, `bench/naive.ts`), while its SSIM is at least as high.
 * Measured on these two photos: large 0.966 and 0.966 (the same quantisation as the naive one,
 * progressive: the same SSIM), medium 0.973 and 0.958, small 0.989 and 0.993, thumbnail 1.021
 * and 1.001 (resized from the 1200 px master, sharper than the naive one's shrink on load: SSIM
 * 0.0076 and 0.0024 higher). Tried against the encoder: a baseline encode (large 1.00), quality
 * 82 (1.03) or 4:4:4 chroma (1.13) fail on bytes; quality 78, the ImageMagick tables or trellis
 * quantisation fail on SSIM.
 */
const MAX_BYTES_RATIO: Record<RenditionSize, number> = {
  large: 0.98,
  medium: 0.98,
  small: 1.0,
  thumbnail: 1.03,
};

describe('createRenditions quality per byte', () => {
  it.each(['Landscape', 'Portrait'] as const)(
    'writes %s JPEGs at least as close to a full-decode reference as naive sharp, in fewer bytes at 800–1200 px',
    async (kind) => {
      // Prepare
      const photo = fixture(kind, 0);
      const naive = await score(photo, await naiveRenditions(photo));
      // Act
      const { renditions } = await createRenditions(photo, { placeholder: false });
      // Assess
      const ours = await score(
        photo,
        renditions.map((r) => r.data),
      );
      renditions.forEach(({ size }, index) => {
        const [mine, theirs] = [at(ours, index), at(naive, index)];
        expect([mine.width, mine.height], `${size} dimensions`).toEqual([
          theirs.width,
          theirs.height,
        ]);
        expect(mine.ssim, `${size} SSIM`).toBeGreaterThanOrEqual(theirs.ssim);
        expect(mine.bytes / theirs.bytes, `${size} bytes / naive bytes`).toBeLessThanOrEqual(
          MAX_BYTES_RATIO[size],
        );
      });
    },
  );
});
