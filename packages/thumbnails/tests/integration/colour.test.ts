import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRenditions } from '../../src/index';
import { fixturePath } from '../../../../tools/testing/fixtures.ts';
import { at, fixture, meanAbsoluteDifference } from '../helpers';

/** An Adobe RGB (1998) compatible profile, from "ICC Profiles Free" (zlib licence, beside it). */
const ADOBE_RGB = fixturePath('formats', 'compatibleWithAdobeRGB1998.icc');

/**
 * Measured on this photo (mean absolute difference per channel, 0–255, against the rendition of
 * the sRGB original): through Display P3 or Adobe RGB and back, 1.4; read without colour
 * management, 4.0 (P3) and 5.1 (Adobe RGB). A threshold of 2.5 separates them. CMYK loses more
 * on the way (its gamut is smaller): 5.8, so its threshold is 8.
 */
const SAME_COLOURS = { rgb: 2.5, cmyk: 8 };

describe('createRenditions colour management', () => {
  let reference: Buffer;

  beforeAll(async () => {
    const set = await createRenditions(fixture('Landscape', 0), { sizes: ['medium'] });
    reference = at(set.renditions, 0).data;
  });

  it.each([
    ['Display P3', 'p3'],
    ['Adobe RGB (1998)', ADOBE_RGB],
  ])('converts a %s JPEG to sRGB', async (_name, profile) => {
    // Prepare: the sRGB photo converted to the profile, which is embedded
    const photo = await convertedTo(profile);
    // Act
    const set = await createRenditions(photo, { sizes: ['medium'] });
    // Assess: sRGB, no profile left in the file, same colours as the sRGB original
    await expectSrgbWithoutProfile(at(set.renditions, 0).data);
    const difference = await meanAbsoluteDifference(at(set.renditions, 0).data, reference);
    expect(difference).toBeLessThan(SAME_COLOURS.rgb);
    // Without colour management the same pixels would be visibly off
    const unmanaged = await sharp(photo, { ignoreIcc: true }).resize(800).jpeg().toBuffer();
    expect(await meanAbsoluteDifference(unmanaged, reference)).toBeGreaterThan(SAME_COLOURS.rgb);
  });

  it('converts a CMYK JPEG to sRGB', async () => {
    // Prepare
    const photo = await convertedTo('cmyk');
    expect((await sharp(photo).metadata()).space).toBe('cmyk');
    // Act
    const set = await createRenditions(photo, { sizes: ['medium'] });
    // Assess
    await expectSrgbWithoutProfile(at(set.renditions, 0).data);
    const difference = await meanAbsoluteDifference(at(set.renditions, 0).data, reference);
    expect(difference).toBeLessThan(SAME_COLOURS.cmyk);
  });
});

async function convertedTo(profile: string): Promise<Buffer> {
  const photo = await sharp(fixture('Landscape', 0))
    .withIccProfile(profile)
    .jpeg({ quality: 98, chromaSubsampling: '4:4:4' })
    .toBuffer();
  expect((await sharp(photo).metadata()).icc).toBeDefined();
  return photo;
}

async function expectSrgbWithoutProfile(rendition: Buffer) {
  const out = await sharp(rendition).metadata();
  expect([out.space, out.channels, out.icc]).toEqual(['srgb', 3, undefined]);
}
