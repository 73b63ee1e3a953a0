/**
 * The stable codes of {@link ZipperError}, for `switch`es and tests.
 * - `INVALID_ARGUMENT`: `entries` is not iterable, `destination` is not a writable stream, or an
 *   option is unknown or invalid (a programming error).
 * - `INVALID_ENTRY`: an entry is not `{ path, source, size? }`: its source is not a Buffer, a
 *   Readable or a function, its opener resolved to something else, or `size` is not a byte count.
 * - `INVALID_PATH`: an entry's path is not a clean relative path (absolute, drive letter,
 *   backslash, `..`, `.`, empty segment, trailing slash, over 65,535 bytes, a segment over 255
 *   bytes) or holds a refused character: a C0 or C1 control, a bidirectional control, a line
 *   separator, a lookalike of `.` `/` `\` (`．` `∕` `＼`…), a lone surrogate. The message names the
 *   character as `U+XXXX` and its index.
 * - `DUPLICATE_PATH`: an entry's path collides with an earlier entry's (named in the message):
 *   the same path, or the same up to letter case and Unicode normalization (`a.jpg`, `A.JPG`), a
 *   file where the other has a folder (`a`, `a/b.jpg`), or a folder spelled another way.
 * - `SOURCE_FAILED`: an entry's source stream errored, or its opener threw or rejected.
 * - `SOURCE_STALLED`: an entry's source gave no bytes (or its opener did not resolve) for
 *   `options.idleTimeout` ms.
 * - `SIZE_MISMATCH`: an entry's source gave more or fewer bytes than its declared `size`
 *   (a truncated download ends here instead of in the archive).
 * - `ENTRIES_FAILED`: the `entries` iterable itself threw or rejected.
 * - `ENTRIES_STALLED`: the `entries` iterable gave no next entry for `options.idleTimeout` ms.
 * - `DESTINATION_FAILED`: the destination stream errored or closed before the archive ended.
 * - `DESTINATION_STALLED`: the destination accepted no bytes for `options.idleTimeout` ms
 *   (its backpressure was never released).
 * - `ARCHIVE_FAILED`: the archiver itself failed (compression error).
 * - `ABORTED`: `options.signal` was aborted.
 */
export const ZIPPER_ERROR_CODES = [
  'INVALID_ARGUMENT',
  'INVALID_ENTRY',
  'INVALID_PATH',
  'DUPLICATE_PATH',
  'SOURCE_FAILED',
  'SOURCE_STALLED',
  'SIZE_MISMATCH',
  'ENTRIES_FAILED',
  'ENTRIES_STALLED',
  'DESTINATION_FAILED',
  'DESTINATION_STALLED',
  'ARCHIVE_FAILED',
  'ABORTED',
] as const;
/** One of {@link ZIPPER_ERROR_CODES}. */
export type ZipperErrorCode = (typeof ZIPPER_ERROR_CODES)[number];

/**
 * The one error `@toq/zipper` throws (rejects with). Tell cases apart by `code`; `entryPath`
 * names the entry being written when it happened (when there was one); the underlying error
 * (the source's, the destination's, archiver's) is the `cause`.
 *
 * @example
 * try { await createZip(entries, body) } catch (e) {
 *   if (e instanceof ZipperError && e.code === 'SOURCE_FAILED') console.error(e.entryPath, e.cause);
 *   throw e;
 * }
 */
export class ZipperError extends Error {
  override readonly name = 'ZipperError';
  readonly code: ZipperErrorCode;
  /** The path of the entry concerned, e.g. `photo/large/….jpg`, when there is one. */
  readonly entryPath: string | undefined;

  constructor(
    code: ZipperErrorCode,
    message: string,
    options?: { cause?: unknown; entryPath?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.entryPath = options?.entryPath;
  }
}

/** The message of an error, or the value itself as text. */
export function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
