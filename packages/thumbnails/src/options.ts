import { availableParallelism } from 'node:os';
import { RENDITION_SIZES, describeValue } from '@toq/contracts/constants';
import { ThumbnailError } from './errors';
import type { RenditionSize } from './sizes';

/** The extra formats a rendition set can add beside its primary JPEG or PNG/WebP renditions. */
export const EXTRA_FORMATS = ['webp', 'avif'] as const;
/** An extra rendition format: `webp` or `avif`. */
export type ExtraFormat = (typeof EXTRA_FORMATS)[number];

/** Options of {@link createRenditions}; every field is optional. */
export interface RenditionOptions {
  /** Which sizes to render, any of `thumbnail`, `small`, `medium`, `large`. Default: all four. */
  readonly sizes?: readonly RenditionSize[];
  /**
   * Encoder quality, 1–100, per format. Defaults: `jpeg` 80 (progressive, optimised Huffman
   * tables, libjpeg's quantisation tables, as sharp's defaults), `webp` 80, `avif` 50.
   */
  readonly quality?: { readonly jpeg?: number; readonly webp?: number; readonly avif?: number };
  /** Extra renditions of every size in these formats (`webp`, `avif`). Default: none. */
  readonly formats?: readonly ExtraFormat[];
  /** Whether to compute a ThumbHash placeholder (`set.placeholder`). Default: `true`. */
  readonly placeholder?: boolean;
  /**
   * Images declaring more pixels (width × height) are refused with `IMAGE_TOO_LARGE` before they
   * are decoded. Default: 268 402 689 (16383 × 16383, sharp's own default; a 200 MP phone photo
   * fits).
   */
  readonly limitInputPixels?: number;
  /** Inputs (buffer, file or stream) larger than this many bytes are refused. Default: 128 MiB. */
  readonly maxInputBytes?: number;
  /**
   * Images whose rendering is estimated, from their header, to need more memory than this many
   * bytes (the decoder's share, by format, interlacing, dimensions, channels and bit depth, plus
   * the renditions') are refused with `IMAGE_TOO_LARGE` before they are decoded. Default: 1 GiB,
   * which leaves room for Node.js and the input in a 2 GiB function.
   */
  readonly memoryBudget?: number;
  /**
   * Images whose long side is more than this many times their short side (upright, after EXIF
   * rotation) are refused with `IMAGE_DIMENSIONS_UNSUPPORTED` before they are decoded: a number
   * of at least 1. Default: 20 (20:1 or 1:20; every phone panorama fits, and a rendition is at
   * most 24 000 px high).
   */
  readonly maxAspectRatio?: number;
  /**
   * A stream input that delivers no bytes for this many milliseconds fails with `SOURCE_STALLED`
   * and is destroyed. `0` turns the check off. Default: 30 000 (30 s).
   */
  readonly inputIdleTimeout?: number;
  /** How many encodes of one photo run at once. Default: the machine's available parallelism. */
  readonly concurrency?: number;
}

/** Options with every default applied. */
export interface ResolvedOptions {
  readonly sizes: readonly RenditionSize[];
  readonly quality: { readonly jpeg: number; readonly webp: number; readonly avif: number };
  readonly formats: readonly ExtraFormat[];
  readonly placeholder: boolean;
  readonly limitInputPixels: number;
  readonly maxInputBytes: number;
  readonly memoryBudget: number;
  readonly maxAspectRatio: number;
  readonly inputIdleTimeout: number;
  readonly concurrency: number;
}

export const DEFAULT_LIMIT_INPUT_PIXELS = 0x3fff * 0x3fff;
export const DEFAULT_MAX_INPUT_BYTES = 128 * 1024 * 1024;
export const DEFAULT_MEMORY_BUDGET = 1024 * 1024 * 1024;
export const DEFAULT_MAX_ASPECT_RATIO = 20;
export const DEFAULT_INPUT_IDLE_TIMEOUT = 30_000;
/** The longest delay `setTimeout` takes (2³¹ − 1 ms, about 24.8 days). */
const MAX_TIMEOUT = 0x7fff_ffff;
const DEFAULT_QUALITY = { jpeg: 80, webp: 80, avif: 50 } as const;
const OPTION_KEYS = [
  'sizes',
  'quality',
  'formats',
  'placeholder',
  'limitInputPixels',
  'maxInputBytes',
  'memoryBudget',
  'maxAspectRatio',
  'inputIdleTimeout',
  'concurrency',
] as const;

function invalid(what: string, expected: string, received: unknown): ThumbnailError {
  return new ThumbnailError(
    'INVALID_ARGUMENT',
    `Invalid option ${what}: expected ${expected}, received ${describeValue(received)}`,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rejectUnknownKeys(
  value: Record<string, unknown>,
  known: readonly string[],
  where: string,
) {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new ThumbnailError(
        'INVALID_ARGUMENT',
        `Invalid option ${where}${key}: expected one of ${known.join(', ')}, received an unknown key ${describeValue(key)}`,
      );
    }
  }
}

function integer(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(name, `an integer between ${min} and ${max}`, value);
  }
  return value;
}

function ratio(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) {
    throw invalid(name, 'a finite number of at least 1', value);
  }
  return value;
}

function list<T extends string>(
  value: unknown,
  name: string,
  allowed: readonly T[],
  fallback: readonly T[],
): readonly T[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value)) throw invalid(name, `an array of ${allowed.join(', ')}`, value);
  for (const item of value) {
    if (!allowed.includes(item as T))
      throw invalid(name, `items among ${allowed.join(', ')}`, item);
  }
  return allowed.filter((item) => value.includes(item));
}

/**
 * Validates options at the edge and applies the defaults. Unknown keys are refused, so a typo
 * (`qualty`) fails loudly instead of being ignored.
 *
 * @throws {ThumbnailError} `INVALID_ARGUMENT` naming the option, what was expected and received.
 */
export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === undefined) options = {};
  if (!isPlainObject(options)) throw invalid('object', 'an object or undefined', options);
  rejectUnknownKeys(options, OPTION_KEYS, '');
  const quality = options['quality'] ?? {};
  if (!isPlainObject(quality)) throw invalid('quality', 'an object', quality);
  rejectUnknownKeys(quality, Object.keys(DEFAULT_QUALITY), 'quality.');
  const sizes = list(options['sizes'], 'sizes', RENDITION_SIZES, RENDITION_SIZES);
  if (sizes.length === 0) throw invalid('sizes', 'at least one size', options['sizes']);
  const placeholder = options['placeholder'] ?? true;
  if (typeof placeholder !== 'boolean') throw invalid('placeholder', 'a boolean', placeholder);
  return {
    sizes,
    quality: {
      jpeg: integer(quality['jpeg'], 'quality.jpeg', 1, 100, DEFAULT_QUALITY.jpeg),
      webp: integer(quality['webp'], 'quality.webp', 1, 100, DEFAULT_QUALITY.webp),
      avif: integer(quality['avif'], 'quality.avif', 1, 100, DEFAULT_QUALITY.avif),
    },
    formats: list(options['formats'], 'formats', EXTRA_FORMATS, []),
    placeholder,
    limitInputPixels: integer(
      options['limitInputPixels'],
      'limitInputPixels',
      1,
      Number.MAX_SAFE_INTEGER,
      DEFAULT_LIMIT_INPUT_PIXELS,
    ),
    maxInputBytes: integer(
      options['maxInputBytes'],
      'maxInputBytes',
      1,
      Number.MAX_SAFE_INTEGER,
      DEFAULT_MAX_INPUT_BYTES,
    ),
    memoryBudget: integer(
      options['memoryBudget'],
      'memoryBudget',
      1,
      Number.MAX_SAFE_INTEGER,
      DEFAULT_MEMORY_BUDGET,
    ),
    maxAspectRatio: ratio(options['maxAspectRatio'], 'maxAspectRatio', DEFAULT_MAX_ASPECT_RATIO),
    inputIdleTimeout: integer(
      options['inputIdleTimeout'],
      'inputIdleTimeout',
      0,
      MAX_TIMEOUT,
      DEFAULT_INPUT_IDLE_TIMEOUT,
    ),
    concurrency: integer(options['concurrency'], 'concurrency', 1, 64, availableParallelism()),
  };
}
