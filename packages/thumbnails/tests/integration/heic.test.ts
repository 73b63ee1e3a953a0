import { readFile } from 'node:fs/promises';
import exifReader from 'exif-reader';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRenditions, type RenditionSet } from '../../src/index';
import { fixturePath } from '../../../../tools/testing/fixtures.ts';
import { withRotation } from '../heif-boxes';
import { alphaAcross, at, fixture, meanAbsoluteDifference } from '../helpers';

/**
 * Real HEICs (HEVC, as iPhones write), committed in `fixtures/formats`: fixtures/README.md gives
 * the command that made each. The photos are the fixture photos downscaled to 450x300 (300x450).
 */
const HEIC = {
  Landscape: fixturePath('formats', 'Landscape_0.heic'),
  Portrait: fixturePath('formats', 'Portrait_0.heic'),
  /** Landscape_6 as stored (turned sideways, 300x450), with its EXIF orientation 6 kept. */
  sideways: fixturePath('formats', 'Landscape_6.heic'),
  /** Colour patches in Display P3, the profile carried, and the same values without it. */
  p3: fixturePath('formats', 'patches-p3.heic'),
  p3Untagged: fixturePath('formats', 'patches-p3-untagged.heic'),
  /** The landscape photo at 450x300 with its left half fully transparent. */
  alpha: fixturePath('formats', 'alpha.heic'),
};

/**
 * Measured (mean per channel, 0–255): the HEICs' renditions differ from those of the photo they
 * were made from by ≤ 2.1, the rotated one (made from Landscape_6, another saving of the picture)
 * by ≤ 3.5; a turned or mirrored picture differs by more than 70.
 */
const SAME_PICTURE = 5;

/** The photo a HEIC fixture was made from: a fixture photo downscaled (fixtures/README.md). */
function heicSource(kind: 'Landscape' | 'Portrait'): Promise<Buffer> {
  const [width, height] = kind === 'Landscape' ? [450, 300] : [300, 450];
  return sharp(fixture(kind, 0)).resize(width, height).png().toBuffer();
}

/**
 * Four saturated sRGB patches, where Display P3 values differ most from sRGB ones: the picture
 * the P3 HEIC fixtures were made from.
 */
async function colourPatches(): Promise<Buffer> {
  const patch = (background: string) => ({
    input: { create: { width: 300, height: 200, channels: 3 as const, background } },
  });
  return sharp({ create: { width: 600, height: 400, channels: 3, background: '#c81e1e' } })
    .composite([
      { ...patch('#1ec81e'), left: 300, top: 0 },
      { ...patch('#1e1ec8'), left: 0, top: 200 },
      { ...patch('#c8c81e'), left: 300, top: 200 },
    ])
    .png()
    .toBuffer();
}

describe.each([
  ['Landscape', 450, 300],
  ['Portrait', 300, 450],
] as const)('createRenditions on a %s iPhone-style HEIC', (kind, width, height) => {
  let reference: RenditionSet;
  let set: RenditionSet;

  beforeAll(async () => {
    [reference, set] = await Promise.all([
      createRenditions(await heicSource(kind), { placeholder: false }),
      createRenditions(HEIC[kind], { placeholder: false }),
    ]);
  });

  it('decodes it (HEVC, which sharp alone cannot) and writes JPEG renditions', async () => {
    expect(set.source).toEqual({ format: 'heic', width, height, orientation: 1, hasAlpha: false });
    expect(set.renditions.map((r) => [r.size, r.width, r.height, r.ext])).toEqual(
      reference.renditions.map((r) => [r.size, r.width, r.height, 'jpg']),
    );
  });

  it('shows the same picture as the photo it was made from', async () => {
    for (const [index, rendition] of set.renditions.entries()) {
      const difference = await meanAbsoluteDifference(
        rendition.data,
        at(reference.renditions, index).data,
      );
      expect(difference, rendition.size).toBeLessThan(SAME_PICTURE);
    }
  });
});

describe('createRenditions on rotated HEICs', () => {
  let reference: RenditionSet;

  beforeAll(async () => {
    reference = await createRenditions(await heicSource('Landscape'), { placeholder: false });
  });

  it('renders an iPhone-style HEIC (irot plus the same EXIF orientation) upright, rotated once', async () => {
    // Prepare: what an iPhone writes: the rotation as an irot property (270° anticlockwise)
    const rotated = withRotation(await readFile(HEIC.sideways), 3);
    // Act
    const set = await createRenditions(rotated, { placeholder: false });
    // Assess
    expect(set.source).toEqual({
      format: 'heic',
      width: 450,
      height: 300,
      orientation: 1,
      hasAlpha: false,
    });
    for (const [index, rendition] of set.renditions.entries()) {
      const difference = await meanAbsoluteDifference(
        rendition.data,
        at(reference.renditions, index).data,
      );
      expect(difference, rendition.size).toBeLessThan(SAME_PICTURE);
    }
  });

  it('ignores an EXIF orientation inside a HEIC, as HEIF readers do (irot/imir rule)', async () => {
    // Prepare: the fixture stores the picture turned sideways and says so in its EXIF
    const { exif, width, height } = await sharp(HEIC.sideways).metadata();
    expect(exif).toBeDefined();
    const tagged = exifReader(exif ?? Buffer.alloc(0)).Image?.Orientation;
    expect([width, height, tagged]).toEqual([300, 450, 6]);
    // Act
    const set = await createRenditions(HEIC.sideways, { sizes: ['large'] });
    // Assess: the stored pixels as they are, not turned by the EXIF orientation
    expect(set.source).toMatchObject({ width: 300, height: 450, orientation: 1 });
    expect(at(set.renditions, 0)).toMatchObject({ width: 300, height: 450 });
  });
});

describe('createRenditions on other HEICs', () => {
  it('converts a Display P3 HEIC to sRGB through its embedded profile', async () => {
    // Prepare: an iPhone shoots Display P3, the profile carried in the HEIC: these patches
    // converted to P3. The same P3 values without the profile make the HEIC a decoder that
    // ignores profiles would see.
    const original = await colourPatches();
    const [tagged, untagged] = [HEIC.p3, HEIC.p3Untagged];
    expect((await sharp(tagged).metadata()).icc).toBeDefined();
    expect((await sharp(untagged).metadata()).icc).toBeUndefined();
    // Act
    const options = { sizes: ['small'] } as const;
    const [managed, unmanaged, reference] = await Promise.all([
      createRenditions(tagged, options),
      createRenditions(untagged, options),
      createRenditions(original, options),
    ]);
    // Assess: converted, the colours are the sRGB original's up to HEVC's loss; unconverted, off
    const [good, bad] = await Promise.all(
      [managed, unmanaged].map((set) =>
        meanAbsoluteDifference(at(set.renditions, 0).data, at(reference.renditions, 0).data),
      ),
    );
    // Measured: 1.7 converted, 17 unconverted (mean per channel, 0–255)
    expect(good).toBeLessThan(3);
    expect(bad).toBeGreaterThan(8);
  });

  it('keeps the transparency of a HEIC with alpha in PNG renditions', async () => {
    // Act
    const set = await createRenditions(HEIC.alpha, { sizes: ['thumbnail'] });
    // Assess
    expect(set.source).toMatchObject({ format: 'heic', hasAlpha: true, width: 450, height: 300 });
    const rendition = at(set.renditions, 0);
    expect(rendition.ext).toBe('png');
    expect(await alphaAcross(rendition.data)).toEqual({ channels: 4, left: 0, right: 255 });
  });

  it('refuses a HEIC whose HEVC data is damaged as CORRUPT_IMAGE', async () => {
    const bytes = await readFile(HEIC.Landscape);
    const damaged = bytes.subarray(0, bytes.length >> 1);
    const error = await createRenditions(damaged).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ThumbnailError', code: 'CORRUPT_IMAGE' });
  });
});
