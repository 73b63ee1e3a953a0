import type { Readable } from 'node:stream';
import type { RenditionExtension, RenditionSize } from '@toq/contracts';

/** The image as decoded, after EXIF rotation. */
export interface DecodedSource {
  /** The decoded format: jpeg, png, webp, heif, avif, tiff, gif… */
  readonly format: string;
  readonly width: number;
  readonly height: number;
}

/** One rendered size, in memory (a rendition is at most 1200 px wide). */
export interface RenderedImage {
  readonly size: RenditionSize;
  readonly width: number;
  readonly height: number;
  /** The format written, as the key's extension. */
  readonly ext: RenditionExtension;
  readonly data: Buffer;
}

/** Everything one render produced. */
export interface RenderResult {
  readonly source: DecodedSource;
  /** One per size, widest first (`large` to `thumbnail`); the record lists them smallest first. */
  readonly renditions: readonly RenderedImage[];
  /** A ThumbHash (base64) of the image, when the renderer makes one. */
  readonly placeholder?: string;
}

/**
 * Renders an image's four renditions (`thumbnail`, `small`, `medium`, `large`): EXIF auto-rotated,
 * sRGB, metadata stripped, never enlarged. Implemented on `@toq/thumbnails`
 * (`adapters/thumbnails-renderer.ts`).
 *
 * A JPEG source gives JPEG renditions (a video's captured frame gives JPEG posters).
 *
 * An image that cannot be rendered rejects with {@link UnrenderableImageError}; anything else
 * that rejects is infrastructure trouble.
 */
export interface ImageRenderer {
  render(input: Readable | Buffer): Promise<RenderResult>;
}

/** Why an image cannot be rendered: the `MediaErrorCode` the item fails with. */
export type UnrenderableImageCode =
  'UNSUPPORTED_FORMAT' | 'CORRUPT_IMAGE' | 'IMAGE_TOO_LARGE' | 'IMAGE_DIMENSIONS_UNSUPPORTED';

/** The image itself is the problem (format, corruption, size): an item failure, not a retry. */
export class UnrenderableImageError extends Error {
  override readonly name = 'UnrenderableImageError';
  constructor(
    readonly code: UnrenderableImageCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
