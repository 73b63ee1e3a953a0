/**
 * Stable codes of {@link ThumbnailError}.
 * - `UNSUPPORTED_FORMAT`: the bytes are not an image format this library reads (text, PDF, SVG…),
 *   whether or not they are a valid file of that other format.
 * - `CORRUPT_IMAGE`: the format is known but the file is empty, truncated or damaged.
 * - `IMAGE_TOO_LARGE`: the image declares more pixels than `limitInputPixels`, or the input
 *   has more bytes than `maxInputBytes` (a decompression bomb ends here, before any decoding).
 * - `IMAGE_DIMENSIONS_UNSUPPORTED`: the upright image is longer than `maxAspectRatio` times its
 *   other side (a 200×1 342 000 strip), refused before any decoding.
 * - `SOURCE_STALLED`: the input stream delivered no bytes for `inputIdleTimeout` ms (not the
 *   image's fault: worth a retry).
 * - `INPUT_UNREADABLE`: the file could not be opened or the stream failed (not the image's fault:
 *   worth a retry).
 * - `INVALID_ARGUMENT`: the input is not a Buffer, path or Readable, or an option is invalid (a
 *   programming error).
 */
export type ThumbnailErrorCode =
  | 'UNSUPPORTED_FORMAT'
  | 'CORRUPT_IMAGE'
  | 'IMAGE_TOO_LARGE'
  | 'IMAGE_DIMENSIONS_UNSUPPORTED'
  | 'INPUT_UNREADABLE'
  | 'SOURCE_STALLED'
  | 'INVALID_ARGUMENT';

/**
 * The one error `@toq/thumbnails` throws (rejects with). Tell cases apart by `code`; the
 * underlying error (sharp's, the HEIC decoder's, the file system's) is the `cause`.
 *
 * @example
 * try { await createRenditions(buffer) } catch (e) {
 *   if (e instanceof ThumbnailError && e.code === 'CORRUPT_IMAGE') markPhotoFailed(e.message);
 *   else throw e;
 * }
 */
export class ThumbnailError extends Error {
  override readonly name = 'ThumbnailError';
  readonly code: ThumbnailErrorCode;

  constructor(code: ThumbnailErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
