import { ZipArchive } from 'archiver';
import { Transform, pipeline as pipeStreams, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkEntry, isReadable, isStored, type ZipEntry } from './entries';
import { ZipperError, describeValue } from './errors';
import { parseOptions, type ZipOptions } from './options';

/** What {@link createZip} wrote. */
export interface ZipSummary {
  /** The number of entries in the archive. */
  readonly entries: number;
  /** The archive's size in bytes: everything written to the destination. */
  readonly bytes: number;
}

/** The permissions of every entry: `rw-r--r--`, whatever the source. */
const ENTRY_MODE = 0o644;

/** For promises whose rejection is handled elsewhere (through `fail`). */
const ignore = () => undefined;

type EntryIterator = Iterator<unknown> | AsyncIterator<unknown>;

function entriesIterator(entries: unknown): EntryIterator {
  if (typeof entries === 'object' && entries !== null) {
    if (Symbol.asyncIterator in entries && typeof entries[Symbol.asyncIterator] === 'function') {
      return (entries as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    }
    if (Symbol.iterator in entries && typeof entries[Symbol.iterator] === 'function') {
      return (entries as Iterable<unknown>)[Symbol.iterator]();
    }
  }
  throw new ZipperError(
    'INVALID_ARGUMENT',
    `Invalid entries: expected an Iterable or AsyncIterable of { path, source, size? }, but received ${describeValue(entries)}`,
  );
}

function checkDestination(destination: unknown): asserts destination is Writable {
  const candidate = destination as Partial<Writable> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.write !== 'function' ||
    typeof candidate.end !== 'function' ||
    typeof candidate.on !== 'function'
  ) {
    throw new ZipperError(
      'INVALID_ARGUMENT',
      `Invalid destination: expected a Writable stream, but received ${describeValue(destination)}`,
    );
  }
  if (candidate.destroyed || candidate.writableEnded) {
    throw new ZipperError(
      'INVALID_ARGUMENT',
      'Invalid destination: expected a Writable stream still open for writing, but it has already ended or been destroyed',
    );
  }
}

function sizeMismatch(entryPath: string, expected: number, received: string): ZipperError {
  return new ZipperError(
    'SIZE_MISMATCH',
    `Entry ${JSON.stringify(entryPath)} has the wrong size: expected ${expected} bytes, but its source gave ${received}`,
    { entryPath },
  );
}

/** Passes bytes through, counting them, and fails as soon as they disagree with `size`. */
function byteCounter(entryPath: string, size: number | undefined): Transform {
  let count = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      count += chunk.length;
      if (size !== undefined && count > size) {
        callback(sizeMismatch(entryPath, size, `more (${count} so far)`));
      } else {
        callback(null, chunk);
      }
    },
    flush(callback) {
      callback(
        size !== undefined && count !== size ? sizeMismatch(entryPath, size, `${count}`) : null,
      );
    },
  });
}

/**
 * Streams `entries`, in the order given, into one zip archive written to `destination`, and
 * resolves once the destination has accepted the last byte (its `finish`). Memory stays flat
 * whatever the archive's size: one entry is read at a time, a function source is only called
 * when the archive reaches its entry, and a slow destination slows the sources down
 * (backpressure), never the other way round.
 *
 * - Paths are checked (relative, forward slashes, no `..`/`.`/empty segment, no duplicates).
 * - Deterministic: every entry has the same date (`options.date`) and permissions (`0644`), so
 *   the same entries in the same order give byte-identical archives.
 * - Already-compressed media (JPEG, PNG, WebP, AVIF, HEIC, GIF, MP4, MOV, WebM…, see
 *   `STORED_EXTENSIONS`) are stored; other entries are deflated at `options.compressionLevel`.
 * - ZIP64 is switched on by itself past 65,535 entries or 4 GiB.
 *
 * On any failure the promise rejects with a {@link ZipperError} naming the entry, the current
 * source and the destination are destroyed (with that error: an S3 `Upload` reading from it is
 * aborted, an HTTP response is cut off), later sources are never opened, and no central
 * directory is written: nothing can be mistaken for a finished zip.
 *
 * @param entries An Iterable or AsyncIterable of `{ path, source, size? }`, read one at a time.
 * @param destination Where the archive goes (a `PassThrough` feeding an S3 `Upload`, an HTTP
 *   response, a file). It is ended when the archive is complete.
 * @param options `date` (default 1980-01-01T00:00:00Z), `compressionLevel` (default 6), `signal`.
 * @returns The number of entries and the archive's size in bytes.
 * @throws {ZipperError} `INVALID_ARGUMENT`, `INVALID_ENTRY`, `INVALID_PATH`, `DUPLICATE_PATH`,
 *   `SOURCE_FAILED`, `SIZE_MISMATCH`, `ENTRIES_FAILED`, `DESTINATION_FAILED`, `ARCHIVE_FAILED`
 *   or `ABORTED` (see the README's Errors table).
 * @example
 * import { createWriteStream } from 'node:fs';
 * import { createZip } from '@toq/zipper';
 *
 * const summary = await createZip(
 *   [
 *     { path: 'photo/large/a.jpg', source: () => openPhoto('a') }, // opened when reached
 *     { path: 'notes.txt', source: Buffer.from('hello') },
 *   ],
 *   createWriteStream('bundle.zip'),
 * );
 * console.log(summary); // { entries: 2, bytes: … }
 */
export async function createZip(
  entries: Iterable<ZipEntry> | AsyncIterable<ZipEntry>,
  destination: Writable,
  options?: ZipOptions,
): Promise<ZipSummary> {
  const settings = parseOptions(options);
  checkDestination(destination);
  const iterator = entriesIterator(entries);

  const archive = new ZipArchive({ zlib: { level: settings.compressionLevel } });
  let currentPath: string | undefined;
  let openStreams: Readable[] = [];
  let consumed = 0;

  // The first failure wins. Only one wait is ever in progress (entries are written one after
  // another), so a failure interrupts it through one slot: no long-lived promise collects a
  // reaction per entry, and memory stays flat over any number of entries.
  let failed: ZipperError | undefined;
  let interrupt: ((error: ZipperError) => void) | undefined;
  const fail = (error: ZipperError) => {
    if (failed !== undefined) return;
    failed = error;
    interrupt?.(error);
  };
  /** Waits for `promise`, unless something fails first. */
  const unlessFailed = <T>(promise: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (failed !== undefined) {
        reject(failed);
        return;
      }
      interrupt = reject;
      const settled = () => {
        if (interrupt === reject) interrupt = undefined;
      };
      promise.then(
        (value) => {
          settled();
          resolve(value);
        },
        (error: unknown) => {
          settled();
          reject(error);
        },
      );
    });

  const destinationFailed = (cause: unknown) =>
    new ZipperError(
      'DESTINATION_FAILED',
      `Destination failed ${currentPath === undefined ? 'while the archive was being finished' : `while entry ${JSON.stringify(currentPath)} was being written`}: ${(cause as Error)?.message ?? String(cause)}`,
      { cause, entryPath: currentPath },
    );

  const onDestinationError = (cause: unknown) => fail(destinationFailed(cause));
  destination.once('error', onDestinationError);
  archive.on('error', (cause: unknown) => {
    if (destination.destroyed) fail(destinationFailed(destination.errored ?? cause));
    else {
      fail(
        new ZipperError(
          'ARCHIVE_FAILED',
          `The archiver failed${currentPath === undefined ? '' : ` on entry ${JSON.stringify(currentPath)}`}: ${(cause as Error)?.message ?? String(cause)}`,
          { cause, entryPath: currentPath },
        ),
      );
    }
  });
  const written = pipeline(archive, destination).catch(onDestinationError);

  const signal = settings.signal;
  const onAbort = () =>
    fail(
      new ZipperError(
        'ABORTED',
        `Zip aborted${currentPath === undefined ? '' : ` while entry ${JSON.stringify(currentPath)} was being written`}`,
        { cause: signal?.reason, entryPath: currentPath },
      ),
    );
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });

  /** Appends one source and resolves once archiver has written the whole entry. */
  const append = (source: Buffer | Readable, entry: ZipEntry) =>
    unlessFailed(
      new Promise<void>((resolve) => {
        archive.append(source, {
          name: entry.path,
          date: settings.date,
          mode: ENTRY_MODE,
          store: settings.compressionLevel === 0 || isStored(entry.path),
          callback: resolve,
        });
      }),
    );

  const openSource = async (entry: ZipEntry, index: number): Promise<Readable> => {
    const source = entry.source;
    if (typeof source !== 'function') return source as Readable;
    const opening = Promise.resolve().then(source);
    // Should something fail while the source opens, the stream it resolves to is closed at once.
    opening.then(
      (stream) => failed !== undefined && isReadable(stream) && stream.destroy(),
      ignore,
    );
    let stream: unknown;
    try {
      stream = await unlessFailed(opening);
    } catch (cause) {
      if (cause instanceof ZipperError && cause === failed) throw cause;
      throw new ZipperError(
        'SOURCE_FAILED',
        `Entry ${JSON.stringify(entry.path)} could not be opened: ${(cause as Error)?.message ?? String(cause)}`,
        { cause, entryPath: entry.path },
      );
    }
    if (!isReadable(stream)) {
      throw new ZipperError(
        'INVALID_ENTRY',
        `Invalid entry #${index} (${JSON.stringify(entry.path)}): expected its source function to resolve to a Readable, but it resolved to ${describeValue(stream)}`,
        { entryPath: entry.path },
      );
    }
    return stream;
  };

  const writeEntry = async (entry: ZipEntry, index: number) => {
    currentPath = entry.path;
    if (Buffer.isBuffer(entry.source)) {
      if (entry.size !== undefined && entry.size !== entry.source.length) {
        throw sizeMismatch(entry.path, entry.size, `${entry.source.length}`);
      }
      await append(entry.source, entry);
    } else {
      const stream = await openSource(entry, index);
      const counter = byteCounter(entry.path, entry.size);
      openStreams = [stream, counter];
      pipeStreams(stream, counter, (error) => {
        if (!error) return;
        if (error instanceof ZipperError) fail(error);
        else {
          fail(
            new ZipperError(
              'SOURCE_FAILED',
              `Entry ${JSON.stringify(entry.path)} failed while being read: ${error.message}`,
              { cause: error, entryPath: entry.path },
            ),
          );
        }
      });
      await append(counter, entry);
      openStreams = [];
    }
    currentPath = undefined;
  };

  const nextEntry = async (): Promise<IteratorResult<unknown>> => {
    try {
      return await unlessFailed(Promise.resolve().then(() => iterator.next()));
    } catch (cause) {
      if (cause instanceof ZipperError && cause === failed) throw cause;
      throw new ZipperError(
        'ENTRIES_FAILED',
        `The entries iterable failed after ${consumed} entries: ${(cause as Error)?.message ?? String(cause)}`,
        { cause },
      );
    }
  };

  const seen = new Set<string>();
  try {
    if (failed !== undefined) throw failed;
    for (let next = await nextEntry(); !next.done; next = await nextEntry()) {
      consumed += 1;
      await writeEntry(checkEntry(next.value, consumed - 1, seen), consumed - 1);
    }
    currentPath = undefined;
    archive.finalize().catch(ignore); // its failures arrive through the 'error' event
    await unlessFailed(written);
    if (failed !== undefined) throw failed;
    destination.off('error', onDestinationError);
    return { entries: consumed, bytes: archive.pointer() };
  } catch (caught) {
    const error =
      failed ??
      (caught instanceof ZipperError
        ? caught
        : new ZipperError('ARCHIVE_FAILED', `Zip failed: ${(caught as Error)?.message}`, {
            cause: caught,
            entryPath: currentPath,
          }));
    fail(error);
    for (const stream of openStreams) stream.destroy();
    destination.destroy(error);
    archive.destroy();
    Promise.resolve()
      .then(() => iterator.return?.())
      .catch(ignore);
    if (Array.isArray(entries)) {
      for (const later of entries.slice(consumed) as Partial<ZipEntry>[]) {
        if (isReadable(later?.source)) later.source.destroy();
      }
    }
    // The destination's 'error' listener stays: destroy(error) emits one, which must not crash.
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
