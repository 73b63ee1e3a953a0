import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRenditions, type RenditionSet } from '../../src/index';
import { at, fixture, meanAbsoluteDifference } from '../helpers';

/**
 * The fixtures are one picture saved nine times, each rotated/mirrored and tagged so that correct
 * auto-rotation shows it upright; each was JPEG-compressed on its own, so even correct renditions
 * differ from the reference's a little. Measured on these files: correct renditions differ from
 * the reference by at most 3.8 (mean per channel, 0–255; the worst is a 200 px thumbnail, where
 * each source's own JPEG noise weighs most); the large rendition mirrored, flipped or rotated by
 * 180° differs by 42 to 88. A threshold of 8 is twice the worst correct case and five times
 * below the best wrong one.
 */
const UPRIGHT_THRESHOLD = 8;

describe.each([
  ['Landscape', 1800, 1200],
  ['Portrait', 1200, 1800],
] as const)('createRenditions on %s photos tagged with every EXIF orientation', (kind, w, h) => {
  let reference: RenditionSet;

  beforeAll(async () => {
    reference = await createRenditions(fixture(kind, 0), { placeholder: false });
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'renders orientation %i upright, pixel for pixel like the untagged photo',
    async (orientation) => {
      // Act
      const set = await createRenditions(fixture(kind, orientation), { placeholder: false });
      // Assess
      expect(set.source).toEqual({
        format: 'jpeg',
        width: w,
        height: h,
        orientation,
        hasAlpha: false,
      });
      expect(set.renditions.map((r) => [r.size, r.width, r.height])).toEqual(
        reference.renditions.map((r) => [r.size, r.width, r.height]),
      );
      for (const [index, rendition] of set.renditions.entries()) {
        const decoded = await sharp(rendition.data).metadata();
        expect([decoded.width, decoded.height, decoded.orientation]).toEqual([
          rendition.width,
          rendition.height,
          undefined,
        ]);
        const difference = await meanAbsoluteDifference(
          rendition.data,
          at(reference.renditions, index).data,
        );
        expect(difference, `${rendition.size} of ${kind}_${orientation}`).toBeLessThan(
          UPRIGHT_THRESHOLD,
        );
      }
    },
  );

  it('would notice a rendition that is not upright (the threshold discriminates)', async () => {
    // Prepare: the reference large rendition rotated, mirrored and flipped (a missed 3, 2 or 4)
    const large = at(reference.renditions, 0);
    const wrong = await sharp(large.data).rotate(180).jpeg().toBuffer();
    const mirrored = await sharp(large.data).flop().jpeg().toBuffer();
    const flipped = await sharp(large.data).flip().jpeg().toBuffer();
    // Assess
    expect(await meanAbsoluteDifference(wrong, large.data)).toBeGreaterThan(4 * UPRIGHT_THRESHOLD);
    expect(await meanAbsoluteDifference(mirrored, large.data)).toBeGreaterThan(
      4 * UPRIGHT_THRESHOLD,
    );
    expect(await meanAbsoluteDifference(flipped, large.data)).toBeGreaterThan(
      4 * UPRIGHT_THRESHOLD,
    );
  });
});

describe('rendition sizes', () => {
  it('are the nominal widths, with heights following the upright aspect ratio', async () => {
    const set = await createRenditions(fixture('Portrait', 6), { placeholder: false });
    expect(set.renditions.map((r) => [r.size, r.width, r.height, r.ext])).toEqual([
      ['large', 1200, 1800, 'jpg'],
      ['medium', 800, 1200, 'jpg'],
      ['small', 400, 600, 'jpg'],
      ['thumbnail', 200, 300, 'jpg'],
    ]);
  });
});
