import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRenditions, type RenditionSet } from '../../src/index';
import { withRotation } from '../heif-boxes';
import { alphaAcross, at, fixture, halfTransparentPng, meanAbsoluteDifference } from '../helpers';

const run = promisify(execFile);

/**
 * HEVC at quality 90 adds its own loss to the JPEG fixture's: measured ≤ 2.2 (mean per channel,
 * 0–255) against the JPEG's renditions, where a wrong orientation differs by more than 40.
 */
const SAME_PICTURE = 5;

let dir: string;

/** Encodes an image file into a real HEIC (HEVC via x265) with Debian's `heif-enc`. */
async function heic(source: string, name: string, ...flags: string[]): Promise<string> {
  const out = join(dir, name);
  try {
    await run('heif-enc', ['-q', '90', ...flags, source, '-o', out]);
  } catch (error) {
    throw new Error('heif-enc failed: `apt-get install libheif-examples` (.ci/apt-packages)', {
      cause: error,
    });
  }
  return out;
}

/** Four saturated sRGB patches, where Display P3 values differ most from sRGB ones. */
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

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'toq-heic-'));
});

describe.each([
  ['Landscape', 1800, 1200],
  ['Portrait', 1200, 1800],
] as const)('createRenditions on a %s iPhone-style HEIC', (kind, width, height) => {
  let reference: RenditionSet;
  let set: RenditionSet;

  beforeAll(async () => {
    const file = await heic(fixture(kind, 0), `${kind}.heic`);
    [reference, set] = await Promise.all([
      createRenditions(fixture(kind, 0), { placeholder: false }),
      createRenditions(file, { placeholder: false }),
    ]);
  });

  it('decodes it (HEVC, which sharp alone cannot) and writes JPEG renditions', async () => {
    expect(set.source).toEqual({ format: 'heic', width, height, orientation: 1, hasAlpha: false });
    expect(set.renditions.map((r) => [r.size, r.width, r.height, r.ext])).toEqual(
      reference.renditions.map((r) => [r.size, r.width, r.height, 'jpg']),
    );
  });

  it('shows the same picture as the JPEG it was made from', async () => {
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
  let sideways: string;

  beforeAll(async () => {
    reference = await createRenditions(fixture('Landscape', 0), { placeholder: false });
    // Landscape_6 stores the picture turned sideways plus EXIF orientation 6; heif-enc keeps both
    sideways = await heic(fixture('Landscape', 6), 'Landscape_6.heic');
  });

  it('renders an iPhone-style HEIC (irot plus the same EXIF orientation) upright, rotated once', async () => {
    // Prepare: what an iPhone writes: the rotation as an irot property (270° anticlockwise)
    const rotated = join(dir, 'iphone.heic');
    await writeFile(rotated, withRotation(await readFile(sideways), 3));
    // Act
    const set = await createRenditions(rotated, { placeholder: false });
    // Assess
    expect(set.source).toEqual({
      format: 'heic',
      width: 1800,
      height: 1200,
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
    const set = await createRenditions(sideways, { sizes: ['large'] });
    expect(set.source).toMatchObject({ width: 1200, height: 1800, orientation: 1 });
    expect(at(set.renditions, 0)).toMatchObject({ width: 1200, height: 1800 });
  });
});

describe('createRenditions on other HEICs', () => {
  it('converts a Display P3 HEIC to sRGB through its embedded profile', async () => {
    // Prepare: an iPhone shoots Display P3; heif-enc carries the JPEG's ICC profile along. The
    // same P3 values without the profile make the HEIC a decoder that ignores profiles would see.
    const original = await colourPatches();
    const p3 = await sharp(original).withIccProfile('p3').jpeg({ quality: 98 }).toBuffer();
    await writeFile(join(dir, 'p3.jpg'), p3);
    await sharp(p3, { ignoreIcc: true }).jpeg({ quality: 98 }).toFile(join(dir, 'untagged.jpg'));
    const [tagged, untagged] = await Promise.all([
      heic(join(dir, 'p3.jpg'), 'p3.heic'),
      heic(join(dir, 'untagged.jpg'), 'untagged.heic'),
    ]);
    expect((await sharp(tagged).metadata()).icc).toBeDefined();
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
    // Prepare
    const png = join(dir, 'alpha.png');
    await writeFile(png, await halfTransparentPng());
    const file = await heic(png, 'alpha.heic');
    // Act
    const set = await createRenditions(file, { sizes: ['thumbnail'] });
    // Assess
    expect(set.source).toMatchObject({ format: 'heic', hasAlpha: true, width: 600, height: 400 });
    const rendition = at(set.renditions, 0);
    expect(rendition.ext).toBe('png');
    expect(await alphaAcross(rendition.data)).toEqual({ channels: 4, left: 0, right: 255 });
  });

  it('refuses a HEIC whose HEVC data is damaged as CORRUPT_IMAGE', async () => {
    const bytes = await readFile(join(dir, 'Landscape.heic'));
    const damaged = bytes.subarray(0, bytes.length >> 1);
    const error = await createRenditions(damaged).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ThumbnailError', code: 'CORRUPT_IMAGE' });
  });
});
