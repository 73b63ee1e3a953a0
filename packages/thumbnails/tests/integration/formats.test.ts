import { thumbHashToApproximateAspectRatio, thumbHashToRGBA } from 'thumbhash';
import sharp, { type Sharp } from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRenditions } from '../../src/index';
import { alphaAcross, at, fixture, halfTransparentPng, meanAbsoluteDifference } from '../helpers';

/**
 * Another codec between the photo and the rendition adds its own loss: measured ≤ 1.6 (mean per
 * channel, 0–255) for lossless TIFF/PNG and ≤ 2.6 for AVIF at quality 90, against more than 40
 * for a wrong picture or orientation (orientation tests). 5 bounds them all.
 */
const SAME_PICTURE = 5;

let reference: Buffer;

beforeAll(async () => {
  const set = await createRenditions(fixture('Landscape', 0), { sizes: ['medium'] });
  reference = at(set.renditions, 0).data;
});

describe('createRenditions formats', () => {
  it.each([
    ['TIFF', (s: Sharp) => s.tiff({ compression: 'lzw' }), 'tiff'],
    ['16-bit PNG', (s: Sharp) => s.toColourspace('rgb16').png(), 'png'],
    ['AVIF', (s: Sharp) => s.avif({ quality: 90, effort: 0 }), 'avif'],
    ['WebP', (s: Sharp) => s.webp({ quality: 95 }), 'webp'],
  ] as const)('reads %s and writes a JPEG of the same picture', async (_name, encode, format) => {
    // Prepare
    const photo = await encode(sharp(fixture('Landscape', 0))).toBuffer();
    // Act
    const set = await createRenditions(photo, { sizes: ['medium'] });
    // Assess
    expect(set.source).toEqual({
      format,
      width: 1800,
      height: 1200,
      orientation: 1,
      hasAlpha: false,
    });
    const rendition = at(set.renditions, 0);
    expect(rendition).toMatchObject({ format: 'jpeg', ext: 'jpg', contentType: 'image/jpeg' });
    expect(await meanAbsoluteDifference(rendition.data, reference)).toBeLessThan(SAME_PICTURE);
  });

  it('keeps the transparency of a PNG in PNG renditions', async () => {
    const set = await createRenditions(await halfTransparentPng());
    expect(set.source).toMatchObject({ format: 'png', hasAlpha: true });
    for (const rendition of set.renditions) {
      expect(rendition).toMatchObject({ format: 'png', ext: 'png', contentType: 'image/png' });
      expect(await alphaAcross(rendition.data)).toEqual({ channels: 4, left: 0, right: 255 });
    }
  });

  it('keeps the transparency of a WebP in WebP renditions', async () => {
    const webp = await sharp(await halfTransparentPng())
      .webp({ quality: 90 })
      .toBuffer();
    const set = await createRenditions(webp, { sizes: ['small', 'thumbnail'] });
    expect(set.renditions.map((r) => [r.size, r.ext, r.contentType])).toEqual([
      ['small', 'webp', 'image/webp'],
      ['thumbnail', 'webp', 'image/webp'],
    ]);
    for (const rendition of set.renditions) {
      expect(await alphaAcross(rendition.data)).toEqual({ channels: 4, left: 0, right: 255 });
    }
  });

  it('writes a JPEG for a PNG whose alpha channel is fully opaque', async () => {
    const png = await sharp(fixture('Landscape', 0)).ensureAlpha(1).png().toBuffer();
    const set = await createRenditions(png, { sizes: ['medium'] });
    expect(set.source.hasAlpha).toBe(true);
    expect(at(set.renditions, 0).ext).toBe('jpg');
    expect(await meanAbsoluteDifference(at(set.renditions, 0).data, reference)).toBeLessThan(
      SAME_PICTURE,
    );
  });

  it('writes a greyscale photo as an sRGB JPEG', async () => {
    const grey = await sharp(fixture('Landscape', 0)).greyscale().jpeg().toBuffer();
    const set = await createRenditions(grey, { sizes: ['thumbnail'] });
    const out = await sharp(at(set.renditions, 0).data).metadata();
    expect([out.format, out.width, out.height]).toEqual(['jpeg', 200, 133]);
  });

  it('adds WebP and AVIF renditions of every size on request', async () => {
    const set = await createRenditions(fixture('Portrait', 5), { formats: ['avif', 'webp'] });
    expect(set.renditions.map((r) => `${r.size}.${r.ext}`)).toEqual([
      'large.jpg',
      'medium.jpg',
      'small.jpg',
      'thumbnail.jpg',
      'large.webp',
      'medium.webp',
      'small.webp',
      'thumbnail.webp',
      'large.avif',
      'medium.avif',
      'small.avif',
      'thumbnail.avif',
    ]);
    for (const rendition of set.renditions) {
      const out = await sharp(rendition.data).metadata();
      expect([out.format === 'heif' ? 'avif' : out.format, out.width, out.height]).toEqual([
        rendition.format,
        rendition.width,
        rendition.height,
      ]);
    }
  });

  it('encodes JPEG quality as asked (a lower quality gives a smaller file)', async () => {
    const [low, high] = await Promise.all([
      createRenditions(fixture('Landscape', 0), { sizes: ['large'], quality: { jpeg: 40 } }),
      createRenditions(fixture('Landscape', 0), { sizes: ['large'], quality: { jpeg: 95 } }),
    ]);
    expect(at(low.renditions, 0).data.length * 2).toBeLessThan(at(high.renditions, 0).data.length);
  });

  it('gives a ThumbHash placeholder with the photo aspect ratio and average colour', async () => {
    const set = await createRenditions(fixture('Portrait', 7), { sizes: ['thumbnail'] });
    const hash = Buffer.from(set.placeholder?.thumbhash ?? '', 'base64');
    expect(hash.length).toBeGreaterThan(10);
    expect(hash.length).toBeLessThan(40);
    expect(thumbHashToApproximateAspectRatio(hash)).toBeCloseTo(1200 / 1800, 1);
    const decoded = thumbHashToRGBA(hash);
    expect(decoded.h).toBeGreaterThan(decoded.w);
    expect(set.placeholder?.dataUrl).toMatch(/^data:image\/png;base64,/);
    const withoutPlaceholder = await createRenditions(fixture('Portrait', 7), {
      sizes: ['thumbnail'],
      placeholder: false,
    });
    expect(withoutPlaceholder.placeholder).toBeUndefined();
  });
});
