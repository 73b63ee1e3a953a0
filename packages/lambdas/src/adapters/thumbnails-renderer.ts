import { ReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { ThumbnailError, createRenditions, type RenditionOptions } from '@toq/thumbnails';
import { TransientError } from '../domain/errors.ts';
import {
  UnrenderableImageError,
  type ImageRenderer,
  type RenderResult,
  type UnrenderableImageCode,
} from '../ports/image-renderer.ts';

const IMAGE_PROBLEMS: readonly string[] = [
  'UNSUPPORTED_FORMAT',
  'CORRUPT_IMAGE',
  'IMAGE_TOO_LARGE',
  'IMAGE_DIMENSIONS_UNSUPPORTED',
] satisfies UnrenderableImageCode[];

/** The input stopped or broke while it was read (e.g. the S3 connection dropped or stalled). */
const READ_PROBLEMS: readonly string[] = ['INPUT_UNREADABLE', 'SOURCE_STALLED'];

/**
 * The {@link ImageRenderer} on `@toq/thumbnails` (sharp): the four widths, EXIF auto-rotated, sRGB,
 * metadata stripped, with a ThumbHash placeholder.
 *
 * Errors: the image's own problems (`UNSUPPORTED_FORMAT`, `CORRUPT_IMAGE`, `IMAGE_TOO_LARGE`,
 * `IMAGE_DIMENSIONS_UNSUPPORTED`) become {@link UnrenderableImageError} (an item failure); an
 * input stream that breaks or stalls (`INPUT_UNREADABLE`, `SOURCE_STALLED`, e.g. the S3
 * connection dropped) becomes `TransientError` (retried); any
 * other error is a bug and propagates as is.
 *
 * @example
 * const renderer = new ThumbnailsRenderer();
 * const { renditions } = await renderer.render(await store.getStream(key));
 */
export class ThumbnailsRenderer implements ImageRenderer {
  /** @param options passed to `createRenditions` (default: the library's defaults). */
  constructor(private readonly options: RenditionOptions = {}) {}

  async render(input: Readable | Buffer): Promise<RenderResult> {
    try {
      const set = await createRenditions(fileBehind(input) ?? input, this.options);
      return {
        source: { format: set.source.format, width: set.source.width, height: set.source.height },
        renditions: set.renditions.map(({ size, width, height, ext, data }) => ({
          size,
          width,
          height,
          ext,
          data,
        })),
        ...(set.placeholder === undefined ? {} : { placeholder: set.placeholder.thumbhash }),
      };
    } catch (error) {
      if (!(error instanceof ThumbnailError)) throw error;
      if (IMAGE_PROBLEMS.includes(error.code)) {
        throw new UnrenderableImageError(error.code as UnrenderableImageCode, error.message, {
          cause: error,
        });
      }
      if (READ_PROBLEMS.includes(error.code)) {
        throw new TransientError(`Could not read the image: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }
}

/**
 * The file behind `input` when it is a file's whole stream not yet read (the folder store's
 * objects): sharp then reads the file itself, and the stream is closed unread. Through the
 * stream, each 24 MP photo's 11 MB passed through the JS heap, and collecting them took about a
 * tenth of both cores beside the renders (`npx nx run local:bench`).
 */
function fileBehind(input: Readable | Buffer): string | undefined {
  if (!(input instanceof ReadStream) || typeof input.path !== 'string' || input.bytesRead > 0) {
    return undefined;
  }
  input.destroy();
  return input.path;
}
