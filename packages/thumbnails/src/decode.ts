import { open } from 'node:fs/promises';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { ThumbnailError } from './errors';
import { decodeHeicToTiff, HeicDecoderUnavailableError } from './heic';
import { inputBytes, type LoadedInput } from './input';

/** What the source photo is, as reported in `set.source`. */
export interface SourceInfo {
  /** The decoded format: `jpeg`, `png`, `webp`, `gif`, `tiff`, `heic` or `avif`. */
  readonly format: SourceFormat;
  /** Upright width in pixels (after EXIF rotation). */
  readonly width: number;
  /** Upright height in pixels (after EXIF rotation). */
  readonly height: number;
  /** The EXIF orientation that was applied, 1–8 (1 when there is none or it is unreadable). */
  readonly orientation: number;
  /** Whether the source has an alpha channel. */
  readonly hasAlpha: boolean;
}

/** The formats read (GIF: first frame; TIFF: first page; HEIC: HEVC-coded HEIF). */
export const SOURCE_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'heic', 'avif'] as const;
/** A format read, as reported in `set.source.format`. */
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/** The photo decoded once: upright, sRGB, 8-bit, at the width of the widest rendition. */
export interface Master {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
  /** Whether any pixel is not fully opaque (an alpha channel that is all 255 does not count). */
  readonly transparent: boolean;
}

/**
 * The decoder's tolerance (sharp's `failOn`): a truncated file fails (half a photo filled with
 * grey is not a rendition anyone wants); what decoders only warn about (extraneous bytes, junk
 * after the image, a malformed EXIF block) is decoded. On the damaged files of the tests,
 * `error` and `warning` refused nothing more, so the level that names the intent is used.
 */
const FAIL_ON = 'truncated';

/** Turns an error of sharp (or a decoder) into ours; a decoder that cannot load stays itself. */
export function decodeError(error: unknown, what: string): Error {
  if (error instanceof ThumbnailError || error instanceof HeicDecoderUnavailableError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/unsupported image format/i.test(message)) {
    return new ThumbnailError(
      'UNSUPPORTED_FORMAT',
      `Unsupported image format: expected JPEG, PNG, WebP, GIF, TIFF, HEIC or AVIF, received ${what} of an unknown format`,
      { cause: error },
    );
  }
  if (/pixel limit/i.test(message)) {
    return new ThumbnailError('IMAGE_TOO_LARGE', `Image too large: ${message}`, { cause: error });
  }
  return new ThumbnailError(
    'CORRUPT_IMAGE',
    `Corrupt image: expected a decodable image, received ${what} that could not be decoded (${message})`,
    { cause: error },
  );
}

/** The major brands of a HEIF `ftyp` box that libvips' HEIF loader takes (HEIC and AVIF). */
const HEIF_BRANDS = [
  'heic',
  'heix',
  'hevc',
  'hevx',
  'heim',
  'heis',
  'hevm',
  'hevs',
  'mif1',
  'msf1',
  'mif2',
  'avif',
  'avis',
];

/**
 * Whether the first bytes are the signature of a format this library reads (JPEG, PNG, GIF,
 * WebP, TIFF or BigTIFF, HEIF with a HEIC or AVIF brand): what decides, when sharp fails on the
 * header, between a damaged photo (`CORRUPT_IMAGE`) and a file of another format that sharp's
 * own loaders failed to parse (`UNSUPPORTED_FORMAT`: an SVG whose DTD declares entities, a
 * malformed SVG), since sharp's message does not name the loader.
 */
export function hasPhotoSignature(head: Buffer): boolean {
  const ascii = (start: number, end: number) => head.toString('latin1', start, end);
  if (head[0] === 0xff && head[1] === 0xd8) return true; // JPEG (SOI)
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return true; // PNG
  if (ascii(0, 4) === 'GIF8') return true;
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return true;
  if (['II*\0', 'MM\0*', 'II+\0', 'MM\0+'].includes(ascii(0, 4))) return true; // TIFF, BigTIFF
  return ascii(4, 8) === 'ftyp' && HEIF_BRANDS.includes(ascii(8, 12));
}

const HEAD_BYTES = 1000;

/** The first 1000 bytes of the input (fewer if it is shorter or the file cannot be read). */
async function head(input: LoadedInput): Promise<Buffer> {
  if (input.kind === 'buffer') return input.buffer.subarray(0, HEAD_BYTES);
  try {
    const file = await open(input.path, 'r');
    try {
      const { buffer, bytesRead } = await file.read(Buffer.alloc(HEAD_BYTES), 0, HEAD_BYTES, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  } catch {
    return Buffer.alloc(0);
  }
}

/** Whether the bytes look like an SVG document, as to libvips: `<svg` in the first 1000 bytes. */
function looksLikeSvg(start: Buffer): boolean {
  return /<svg/i.test(start.toString('latin1'));
}

/**
 * The error for a header sharp could not read: a known photo format that fails is damaged
 * (`CORRUPT_IMAGE`, or what {@link decodeError} says); anything else is another format
 * (`UNSUPPORTED_FORMAT`), however its own loader failed.
 */
async function headerError(error: unknown, input: LoadedInput): Promise<Error> {
  const mapped = decodeError(error, describeInput(input));
  if (!(mapped instanceof ThumbnailError) || mapped.code !== 'CORRUPT_IMAGE') return mapped;
  const start = await head(input);
  if (hasPhotoSignature(start)) return mapped;
  const message = error instanceof Error ? error.message : String(error);
  const received = looksLikeSvg(start)
    ? `svg (${describeInput(input)} that its own loader could not read: ${message})`
    : `${describeInput(input)} of another format (${message})`;
  return new ThumbnailError(
    'UNSUPPORTED_FORMAT',
    `Unsupported image format: expected JPEG, PNG, WebP, GIF, TIFF, HEIC or AVIF, received ${received}`,
    { cause: error },
  );
}

function describeInput(input: LoadedInput): string {
  return input.kind === 'file'
    ? `the file ${JSON.stringify(input.path)}`
    : `${input.buffer.length} bytes`;
}

function sourceFormat(metadata: Metadata): SourceFormat | undefined {
  if (metadata.format === 'heif') return metadata.compression === 'av1' ? 'avif' : 'heic';
  return (SOURCE_FORMATS as readonly string[]).includes(metadata.format)
    ? (metadata.format as SourceFormat)
    : undefined;
}

/** What {@link probe} refuses. */
export interface ProbeLimits {
  readonly limitInputPixels: number;
  readonly maxAspectRatio: number;
}

/** `1:6710` for a tall image, `6710:1` for a wide one (two decimals at most). */
function describeRatio(width: number, height: number): string {
  const ratio = (long: number, short: number) => String(Math.round((long / short) * 100) / 100);
  return width >= height ? `${ratio(width, height)}:1` : `1:${ratio(height, width)}`;
}

/**
 * Reads the header only: format, dimensions, orientation. Refuses what is not a photo format,
 * what declares more pixels than the limit and what is longer than `maxAspectRatio` times its
 * other side, before a single pixel is decoded.
 *
 * @throws {ThumbnailError} `UNSUPPORTED_FORMAT`, `CORRUPT_IMAGE`, `IMAGE_TOO_LARGE` or
 *   `IMAGE_DIMENSIONS_UNSUPPORTED`.
 */
export async function probe(
  input: LoadedInput,
  limits: ProbeLimits,
): Promise<{ source: SourceInfo; metadata: Metadata }> {
  const { limitInputPixels, maxAspectRatio } = limits;
  let metadata: Metadata;
  try {
    metadata = await sharp(input.kind === 'file' ? input.path : input.buffer, {
      failOn: FAIL_ON,
      limitInputPixels: false,
    }).metadata();
  } catch (error) {
    throw await headerError(error, input);
  }
  const format = sourceFormat(metadata);
  if (!format) {
    throw new ThumbnailError(
      'UNSUPPORTED_FORMAT',
      `Unsupported image format: expected JPEG, PNG, WebP, GIF, TIFF, HEIC or AVIF, received ${metadata.format}`,
    );
  }
  const pixels = metadata.width * metadata.height;
  if (pixels > limitInputPixels) {
    throw new ThumbnailError(
      'IMAGE_TOO_LARGE',
      `Image too large: expected at most ${limitInputPixels} pixels (limitInputPixels), received ${metadata.width}x${metadata.height} = ${pixels} pixels`,
    );
  }
  const orientation =
    format !== 'heic' && format !== 'avif' && metadata.orientation ? metadata.orientation : 1;
  const upright = orientation >= 5;
  const width = upright ? metadata.height : metadata.width;
  const height = upright ? metadata.width : metadata.height;
  // Compared without dividing: a ratio is never rounded into or out of the limit.
  if (Math.max(width, height) > maxAspectRatio * Math.min(width, height)) {
    const stored = upright
      ? ` (stored ${metadata.width}x${metadata.height}, EXIF orientation ${orientation})`
      : '';
    throw new ThumbnailError(
      'IMAGE_DIMENSIONS_UNSUPPORTED',
      `Image dimensions unsupported: expected an aspect ratio between 1:${maxAspectRatio} and ${maxAspectRatio}:1 (maxAspectRatio), received ${width}x${height}${stored}, a ratio of ${describeRatio(width, height)}`,
    );
  }
  return {
    metadata,
    source: { format, width, height, orientation, hasAlpha: metadata.hasAlpha },
  };
}

function hasTransparency(data: Buffer, channels: number): boolean {
  if (channels !== 4) return false;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 255) return true;
  return false;
}

/**
 * Decodes the photo once, straight to the widest rendition (JPEG and WebP shrink on load, so a
 * 24 MP JPEG is never decoded at full size): EXIF orientation applied, converted to sRGB through
 * its ICC profile (CMYK, Display P3, Adobe RGB…), 8 bits per channel, alpha kept if present.
 * Every smaller rendition is derived from this master. No metadata survives it.
 *
 * @throws {ThumbnailError} `CORRUPT_IMAGE` (truncated or undecodable) or `IMAGE_TOO_LARGE`.
 */
export async function decodeMaster(
  input: LoadedInput,
  source: SourceInfo,
  metadata: Metadata,
  width: number,
  height: number,
  limitInputPixels: number,
): Promise<Master> {
  try {
    return await keepingTheReason(async () => {
      let pipeline: Sharp;
      if (source.format === 'heic') {
        const tiff = await decodeHeicToTiff(await inputBytes(input), metadata.icc);
        pipeline = sharp(tiff, { failOn: FAIL_ON, limitInputPixels });
        if (!source.hasAlpha) pipeline = pipeline.removeAlpha();
      } else {
        pipeline = sharp(input.kind === 'file' ? input.path : input.buffer, {
          failOn: FAIL_ON,
          limitInputPixels,
        }).autoOrient();
      }
      if (width !== source.width || height !== source.height) {
        pipeline = pipeline.resize(width, height, { fit: 'fill' });
      }
      const { data, info } = await pipeline
        .toColourspace('srgb')
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true });
      const channels = info.channels === 4 ? 4 : 3;
      return {
        data,
        width: info.width,
        height: info.height,
        channels,
        transparent: hasTransparency(data, channels),
      };
    });
  } catch (error) {
    throw decodeError(error, describeInput(input));
  }
}

/** sharp's message when libvips' error buffer held nothing. */
const UNKNOWN_ERROR = 'Unknown error';
const DECODE_ATTEMPTS = 3;

/**
 * Runs `decode`, again (up to {@link DECODE_ATTEMPTS} times in all) while it fails with sharp's
 * "Unknown error". libvips keeps one error buffer for the whole process: an operation of another
 * photo that ends at the same moment can clear it before sharp reads it, and a broken photo's
 * reason is lost (about 1 in 30 with five photos at once). A broken photo fails again, with its
 * reason; the last answer is the one given.
 */
async function keepingTheReason<T>(decode: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await decode();
    } catch (error) {
      const reasonLost = error instanceof Error && error.message === UNKNOWN_ERROR;
      if (!reasonLost || attempt === DECODE_ATTEMPTS) throw error;
    }
  }
}
