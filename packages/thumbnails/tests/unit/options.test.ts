import type { Metadata } from 'sharp';
import { describe, expect, it } from 'vitest';
import type { SourceFormat } from '../../src/decode';
import { estimateMemory } from '../../src/memory';
import { resolveOptions } from '../../src/options';
import { renditionTargets } from '../../src/sizes';
import { ThumbnailError } from '../../src/index';

describe('resolveOptions', () => {
  it('applies the defaults', () => {
    expect(resolveOptions(undefined)).toMatchObject({
      sizes: ['thumbnail', 'small', 'medium', 'large'],
      quality: { jpeg: 80, webp: 80, avif: 50 },
      formats: [],
      placeholder: true,
      limitInputPixels: 268_402_689,
      maxInputBytes: 134_217_728,
      memoryBudget: 1_073_741_824,
      maxAspectRatio: 20,
      inputIdleTimeout: 30_000,
    });
  });

  it('takes a fractional aspect ratio and 0 to turn the idle timeout off', () => {
    expect(resolveOptions({ maxAspectRatio: 2.5, inputIdleTimeout: 0 })).toMatchObject({
      maxAspectRatio: 2.5,
      inputIdleTimeout: 0,
    });
  });

  it('keeps the sizes asked for, in canonical order', () => {
    expect(resolveOptions({ sizes: ['large', 'thumbnail'] }).sizes).toEqual(['thumbnail', 'large']);
  });

  it.each([
    [
      { qualty: 80 },
      'Invalid option qualty: expected one of sizes, quality, formats, placeholder, limitInputPixels, maxInputBytes, memoryBudget, maxAspectRatio, inputIdleTimeout, concurrency, received an unknown key "qualty"',
    ],
    [
      { quality: { jpg: 80 } },
      'Invalid option quality.jpg: expected one of jpeg, webp, avif, received an unknown key "jpg"',
    ],
    [
      { quality: { jpeg: 101 } },
      'Invalid option quality.jpeg: expected an integer between 1 and 100, received 101',
    ],
    [
      { sizes: ['huge'] },
      'Invalid option sizes: expected items among thumbnail, small, medium, large, received "huge"',
    ],
    [{ sizes: [] }, 'Invalid option sizes: expected at least one size, received an empty array'],
    [
      { formats: 'webp' },
      'Invalid option formats: expected an array of webp, avif, received "webp"',
    ],
    [
      { formats: ['jpeg'] },
      'Invalid option formats: expected items among webp, avif, received "jpeg"',
    ],
    [
      { concurrency: 0 },
      'Invalid option concurrency: expected an integer between 1 and 64, received 0',
    ],
    [
      { limitInputPixels: 1.5 },
      'Invalid option limitInputPixels: expected an integer between 1 and 9007199254740991, received 1.5',
    ],
    [
      { maxAspectRatio: 0.5 },
      'Invalid option maxAspectRatio: expected a finite number of at least 1, received 0.5',
    ],
    [
      { maxAspectRatio: Number.POSITIVE_INFINITY },
      'Invalid option maxAspectRatio: expected a finite number of at least 1, received Infinity',
    ],
    [
      { inputIdleTimeout: -1 },
      'Invalid option inputIdleTimeout: expected an integer between 0 and 2147483647, received -1',
    ],
    [{ placeholder: 'yes' }, 'Invalid option placeholder: expected a boolean, received "yes"'],
    [null, 'Invalid option object: expected an object or undefined, received null'],
  ])('refuses %j with INVALID_ARGUMENT', (options, message) => {
    let error: unknown;
    try {
      resolveOptions(options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ThumbnailError);
    expect(error).toMatchObject({ name: 'ThumbnailError', code: 'INVALID_ARGUMENT', message });
  });
});

describe('renditionTargets', () => {
  it('gives each size its nominal width and the upright aspect ratio', () => {
    expect(renditionTargets(['thumbnail', 'small', 'medium', 'large'], 4032, 3024)).toEqual([
      { size: 'large', width: 1200, height: 900 },
      { size: 'medium', width: 800, height: 600 },
      { size: 'small', width: 400, height: 300 },
      { size: 'thumbnail', width: 200, height: 150 },
    ]);
  });

  it('never enlarges: sizes wider than the source get the source width', () => {
    expect(renditionTargets(['thumbnail', 'small', 'medium', 'large'], 640, 480)).toEqual([
      { size: 'large', width: 640, height: 480 },
      { size: 'medium', width: 640, height: 480 },
      { size: 'small', width: 400, height: 300 },
      { size: 'thumbnail', width: 200, height: 150 },
    ]);
  });

  it('never gives a height under 1 px', () => {
    expect(renditionTargets(['thumbnail'], 100_000, 10)).toEqual([
      { size: 'thumbnail', width: 200, height: 1 },
    ]);
  });
});

describe('estimateMemory', () => {
  const source = (format: SourceFormat) =>
    ({ format, width: 8000, height: 5000, orientation: 1, hasAlpha: false }) as const;
  const master = { width: 1200, height: 750 };
  const fixed = 64 * 1024 * 1024 + 3 * 4 * 1200 * 750;
  const rows = (bytesPerPixel: number) => 2048 * 8000 * bytesPerPixel;
  const pixels = 8000 * 5000;

  it.each([
    ['jpeg', { isProgressive: false, channels: 3, depth: 'uchar' }, 1, 3],
    ['jpeg', { isProgressive: true, channels: 3, depth: 'uchar' }, 6, 3],
    ['png', { isProgressive: false, channels: 4, depth: 'ushort' }, 2, 8],
    ['png', { isProgressive: true, channels: 4, depth: 'ushort' }, 8, 8],
    ['tiff', { channels: 3, depth: 'uchar' }, 3, 3],
    ['webp', { channels: 4, depth: 'uchar' }, 1, 4],
    ['gif', { channels: 3, depth: 'uchar' }, 10, 3],
    ['avif', { channels: 3, depth: 'uchar' }, 20, 3],
    ['heic', { channels: 3, depth: 'uchar' }, 16, 3],
  ] as const)('charges a %s %j %d bytes per source pixel', (format, metadata, perPixel, stored) => {
    const estimate = estimateMemory(
      source(format),
      { ...metadata, width: 8000, height: 5000 } as Metadata,
      master,
    );
    expect(estimate).toBe(fixed + perPixel * pixels + rows(stored));
  });
});
