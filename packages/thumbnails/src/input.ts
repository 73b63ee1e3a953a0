import { readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { describeValue } from '@toq/contracts/constants';
import { ThumbnailError } from './errors';

/** What `createRenditions` accepts: the bytes, a file path, or a stream of the bytes. */
export type RenditionInput = Buffer | Uint8Array | string | Readable;

/** An input ready for sharp: a buffer, or a path to a file that exists and is small enough. */
export type LoadedInput = { kind: 'buffer'; buffer: Buffer } | { kind: 'file'; path: string };

function unreadableFile(path: string, error: unknown): ThumbnailError {
  return new ThumbnailError(
    'INPUT_UNREADABLE',
    `Cannot read the input file ${JSON.stringify(path)}: ${(error as Error).message}`,
    { cause: error },
  );
}

function empty(): ThumbnailError {
  return new ThumbnailError(
    'CORRUPT_IMAGE',
    'Corrupt image: expected the bytes of an image, received an empty input (0 bytes)',
  );
}

function tooLarge(bytes: number, limit: number): ThumbnailError {
  return new ThumbnailError(
    'IMAGE_TOO_LARGE',
    `Input too large: expected at most ${limit} bytes (maxInputBytes), received ${bytes} bytes`,
  );
}

function stalled(timeout: number, bytes: number): ThumbnailError {
  return new ThumbnailError(
    'SOURCE_STALLED',
    `Source stalled: expected the input stream to deliver bytes at least every ${timeout} ms (inputIdleTimeout), received none for ${timeout} ms after ${bytes} bytes`,
  );
}

/** What bounds the reading of a stream. */
export interface ReadLimits {
  /** The most bytes read; one more and the stream is destroyed (`IMAGE_TOO_LARGE`). */
  readonly maxInputBytes: number;
  /** The longest wait for the next chunk, in ms; 0 for none (`SOURCE_STALLED`). */
  readonly inputIdleTimeout: number;
}

async function readStream(stream: Readable, limits: ReadLimits): Promise<Buffer> {
  const { maxInputBytes: limit, inputIdleTimeout: timeout } = limits;
  const chunks: Buffer[] = [];
  let total = 0;
  // Destroying the stream with the error ends the `for await` below with it, and releases the
  // stream's resources (an S3 body's socket, a request) at once.
  const timer =
    timeout > 0 ? setTimeout(() => stream.destroy(stalled(timeout, total)), timeout) : undefined;
  try {
    for await (const chunk of stream) {
      timer?.refresh();
      // A Buffer chunk is kept as it is (a Node stream never reuses one it has pushed); a bare
      // Uint8Array, which a web stream's reader may fill again, is copied.
      const piece = Buffer.isBuffer(chunk)
        ? chunk
        : typeof chunk === 'string'
          ? Buffer.from(chunk)
          : Buffer.from(chunk as Uint8Array);
      total += piece.length;
      if (total > limit) {
        stream.destroy();
        throw tooLarge(total, limit);
      }
      chunks.push(piece);
    }
  } catch (error) {
    if (error instanceof ThumbnailError) throw error;
    throw new ThumbnailError(
      'INPUT_UNREADABLE',
      `Cannot read the input stream: ${(error as Error).message}`,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks, total);
}

/**
 * Normalises the input. Streams are read to the end (never more than `maxInputBytes`, never
 * waiting more than `inputIdleTimeout` for a chunk); files are checked to exist and left for
 * sharp to read, so that it can decode them with random access.
 *
 * @throws {ThumbnailError} `INVALID_ARGUMENT`, `INPUT_UNREADABLE`, `SOURCE_STALLED`,
 *   `IMAGE_TOO_LARGE`, or `CORRUPT_IMAGE` for an empty input.
 */
export async function loadInput(input: unknown, limits: ReadLimits): Promise<LoadedInput> {
  const loaded = await load(input, limits);
  if (loaded.kind === 'buffer' && loaded.buffer.length === 0) throw empty();
  return loaded;
}

async function load(input: unknown, limits: ReadLimits): Promise<LoadedInput> {
  const { maxInputBytes } = limits;
  if (input instanceof Uint8Array) {
    if (input.length > maxInputBytes) throw tooLarge(input.length, maxInputBytes);
    const buffer = Buffer.isBuffer(input)
      ? input
      : Buffer.from(input.buffer, input.byteOffset, input.length);
    return { kind: 'buffer', buffer };
  }
  if (typeof input === 'string' && input.length > 0) {
    let size: number;
    try {
      const info = await stat(input);
      if (!info.isFile()) throw new Error(`${input} is not a regular file`);
      size = info.size;
    } catch (error) {
      throw unreadableFile(input, error);
    }
    if (size === 0) throw empty();
    if (size > maxInputBytes) throw tooLarge(size, maxInputBytes);
    return { kind: 'file', path: input };
  }
  if (input instanceof Readable) {
    return { kind: 'buffer', buffer: await readStream(input, limits) };
  }
  throw new ThumbnailError(
    'INVALID_ARGUMENT',
    `Invalid input: expected a Buffer, a file path or a Readable stream, received ${describeValue(input)}`,
  );
}

/** The whole input as bytes (for decoders that need them in memory, such as the HEIC one). */
export async function inputBytes(input: LoadedInput): Promise<Buffer> {
  if (input.kind === 'buffer') return input.buffer;
  try {
    return await readFile(input.path);
  } catch (error) {
    throw unreadableFile(input.path, error);
  }
}
