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

/**
 * Reads the header only: format, dimensions, orientation. Refuses what is not a photo format
 * and what declares more pixels than the limit, before a single pixel is decoded.
 *
 * @throws {ThumbnailError} `UNSUPPORTED_FORMAT`, `CORRUPT_IMAGE` or `IMAGE_TOO_LARGE`.
 */
export async function probe(
  input: LoadedInput,
  limitInputPixels: number,
): Promise<{ source: SourceInfo; metadata: Metadata }> {
  let metadata: Metadata;
  try {
    metadata = await sharp(input.kind === 'file' ? input.path : input.buffer, {
      failOn: FAIL_ON,
      limitInputPixels: false,
    }).metadata();
  } catch (error) {
    throw decodeError(error, describeInput(input));
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
  return {
    metadata,
    source: {
      format,
      width: upright ? metadata.height : metadata.width,
      height: upright ? metadata.width : metadata.height,
      orientation,
      hasAlpha: metadata.hasAlpha,
    },
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
  } catch (error) {
    throw decodeError(error, describeInput(input));
  }
}
