import { ZipArchive } from 'archiver';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describeValue } from '@toq/contracts/constants';
import { EntryPaths, checkEntry, isReadable, isStored, type ZipEntry } from './entries';
import { ZipperError, messageOf } from './errors';
import { FirstFailure, ignore } from './failure';
import { parseOptions, type ZipOptions } from './options';
import { quotePath } from './names';
import { queued, readAheadSpan, type QueuedEntry } from './read-ahead';
import { countedSource, openSource, sizeMismatch } from './sources';
import { Watchdog } from './watchdog';

/** What {@link createZip} wrote. */
export interface ZipSummary {
  /** The number of entries in the archive. */
  readonly entries: number;
  /** The archive's size in bytes: everything written to the destination. */
  readonly bytes: number;
}

/** The permissions of every entry: `rw-r--r--`, whatever the source. */
const ENTRY_MODE = 0o644;

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

/** ` while entry "photo/…" was being written`, or `` outside an entry. */
const during = (entryPath: string | undefined) =>
  entryPath === undefined ? '' : ` while entry ${JSON.stringify(entryPath)} was being written`;

/**
 * Streams `entries`, in the order given, into one zip archive written to `destination`, and
 * resolves once the destination has accepted the last byte (its `finish`). Memory stays flat
 * whatever the archive's size: one entry is read at a time, a function source is only called
 * when the archive reaches its entry (with `options.readAhead: n`, the sources of the next `n`
 * entries are opened and read while one is written, within `options.readAheadBytes` by declared
 * size), and a slow destination slows the sources down (backpressure), never the other way round.
 *
 * - Paths are checked (relative, forward slashes, no `..`/`.`/empty segment; no control,
 *   bidirectional control or lookalike of `.` `/` `\`; segments of at most 255 bytes; no two
 *   paths that would be one file once extracted: same up to case and Unicode normalization, or
 *   a file and a folder of one name).
 * - A run that makes no progress for `options.idleTimeout` ms (default 30 s) fails with
 *   `SOURCE_STALLED`, `DESTINATION_STALLED` or `ENTRIES_STALLED` instead of hanging.
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
 * @param options `date` (default 1980-01-01T00:00:00Z), `compressionLevel` (default 6), `signal`,
 *   `idleTimeout` (default 30000 ms; 0 or Infinity: none), `readAhead` (default 0: one source
 *   at a time), `readAheadBytes` (default 16 MiB).
 * @returns The number of entries and the archive's size in bytes.
 * @throws {ZipperError} `INVALID_ARGUMENT`, `INVALID_ENTRY`, `INVALID_PATH`, `DUPLICATE_PATH`,
 *   `SOURCE_FAILED`, `SOURCE_STALLED`, `SIZE_MISMATCH`, `ENTRIES_FAILED`, `ENTRIES_STALLED`,
 *   `DESTINATION_FAILED`, `DESTINATION_STALLED`, `ARCHIVE_FAILED` or `ABORTED` (see the
 *   README's Errors table).
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
 *   { readAhead: 8 }, // the next 8 sources open while one is written
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

  const failure = new FirstFailure();
  const archive = new ZipArchive({ zlib: { level: settings.compressionLevel } });
  let currentPath: string | undefined;
  /** The entry being written. */
  let current: QueuedEntry | undefined;
  /** Entries taken from the iterable and not written yet, in order (at most `readAhead`). */
  const waiting: QueuedEntry[] = [];
  /** Sources (and their counters) opened and not yet written: the current one, those read ahead. */
  const openStreams = new Set<Readable>();
  let consumed = 0;
  let exhausted = false;
  const paths = new EntryPaths();
  /** What the run is waiting for, to tell whose fault a stall is. */
  let waitingFor: 'entries' | 'opener' | 'stream' | 'buffer' | 'finish' = 'entries';

  // Failures from outside the sequence of steps: the destination, archiver, the abort signal.
  const destinationFailed = (cause: unknown) =>
    new ZipperError(
      'DESTINATION_FAILED',
      `Destination failed${during(currentPath) || ' while the archive was being finished'}: ${messageOf(cause)}`,
      { cause, entryPath: currentPath },
    );
  const onDestinationError = (cause: unknown) => failure.fail(destinationFailed(cause));
  destination.once('error', onDestinationError);
  archive.on('error', (cause: unknown) => {
    failure.fail(
      destination.destroyed
        ? destinationFailed(destination.errored ?? cause)
        : new ZipperError(
            'ARCHIVE_FAILED',
            `The archiver failed${during(currentPath)}: ${messageOf(cause)}`,
            {
              cause,
              entryPath: currentPath,
            },
          ),
    );
  });
  const written = pipeline(archive, destination).catch(onDestinationError);
  const signal = settings.signal;
  const onAbort = () =>
    failure.fail(
      new ZipperError('ABORTED', `Zip aborted${during(currentPath)}`, {
        cause: signal?.reason,
        entryPath: currentPath,
      }),
    );
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });

  const timeout = settings.idleTimeout;
  /** The error of a run that made no progress for `idleTimeout` ms: whose turn it was. */
  const stalled = (): ZipperError => {
    const entryPath = currentPath;
    // Bytes waiting in front of the destination: it is the one not moving, whatever the rest does.
    const waiting = destination.writableLength + archive.readableLength;
    const destinationStuck = waiting > 0 || destination.writableNeedDrain;
    if (!destinationStuck && waitingFor === 'entries') {
      return new ZipperError(
        'ENTRIES_STALLED',
        `The entries iterable stalled after ${consumed} entries: expected its next entry within ${timeout} ms (idleTimeout), but received none for ${timeout} ms`,
      );
    }
    if (!destinationStuck && (waitingFor === 'opener' || waitingFor === 'stream')) {
      const what =
        waitingFor === 'opener'
          ? `its source function to resolve within ${timeout} ms (idleTimeout), but it had not after ${timeout} ms`
          : `its source to give bytes at least every ${timeout} ms (idleTimeout), but it gave none for ${timeout} ms after ${current?.bytes ?? 0} bytes`;
      return new ZipperError(
        'SOURCE_STALLED',
        `Entry ${quotePath(entryPath ?? '')} stalled: expected ${what}`,
        { entryPath },
      );
    }
    return new ZipperError(
      'DESTINATION_STALLED',
      `Destination stalled${during(entryPath) || (waitingFor === 'finish' ? ' while the archive was being finished' : '')}: expected it to accept bytes at least every ${timeout} ms (idleTimeout), but it accepted none for ${timeout} ms (${waiting} bytes waiting)`,
      { entryPath },
    );
  };
  const watchdog = new Watchdog(timeout, () => failure.fail(stalled()));
  // Bytes leaving archiver: the destination took the ones before (pipe() waits for its 'drain').
  archive.on('data', watchdog.progress);
  watchdog.start();

  /** Appends one entry and resolves once archiver has written all of it. */
  const append = (source: Buffer | Readable, entry: ZipEntry) =>
    failure.wait(
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

  /**
   * Starts opening and reading `item`'s source: when its turn comes, or earlier when read ahead.
   * A source read ahead that fails fails the run at once, naming its entry; one that resolves
   * after the run failed is destroyed at once.
   */
  const startSource = (item: QueuedEntry): Promise<Readable> => {
    const { entry } = item;
    const counted = openSource(entry, item.index).then((stream) => {
      if (failure.error !== undefined) {
        stream.destroy();
        throw failure.error;
      }
      const counter = countedSource(entry, stream, failure, (count) => {
        item.bytes = count;
        // Only the entry being written makes progress: one read ahead may fill its buffer and wait.
        if (item === current) watchdog.progress();
      });
      item.streams = [stream, counter];
      openStreams.add(stream).add(counter);
      return counter;
    });
    counted.catch((error: unknown) => failure.fail(error as ZipperError));
    item.counted = counted;
    return counted;
  };

  /** Opens the sources of the waiting entries that fit in the read-ahead window behind `item`. */
  const readAhead = (item: QueuedEntry) => {
    const span = readAheadSpan(item.entry, waiting, settings.readAheadBytes);
    for (const ahead of waiting.slice(0, span)) {
      if (ahead.counted === undefined && !Buffer.isBuffer(ahead.entry.source)) startSource(ahead);
    }
  };

  const writeEntry = async (item: QueuedEntry) => {
    const { entry } = item;
    current = item;
    currentPath = entry.path;
    if (Buffer.isBuffer(entry.source)) {
      if (entry.size !== undefined && entry.size !== entry.source.length) {
        throw sizeMismatch(entry.path, entry.size, `${entry.source.length}`);
      }
      readAhead(item);
      waitingFor = 'buffer';
      await append(entry.source, entry);
    } else {
      // Its own source first, then those ahead of it: the first to open is the first needed.
      const opening = item.counted ?? startSource(item);
      readAhead(item);
      waitingFor = 'opener';
      const counted = await failure.wait(opening);
      watchdog.progress();
      waitingFor = 'stream';
      await append(counted, entry);
      for (const stream of item.streams) openStreams.delete(stream);
    }
    current = undefined;
    currentPath = undefined;
  };

  /** Takes the next entry from the iterable into `waiting`, checked. */
  const take = async () => {
    const next = await nextEntry();
    if (next.done) {
      exhausted = true;
      return;
    }
    consumed += 1;
    waiting.push(queued(checkEntry(next.value, consumed - 1, paths), consumed - 1));
  };

  const nextEntry = async (): Promise<IteratorResult<unknown>> => {
    waitingFor = 'entries';
    try {
      const next = await failure.wait(Promise.resolve().then(() => iterator.next()));
      watchdog.progress();
      return next;
    } catch (cause) {
      if (failure.is(cause)) throw cause;
      throw new ZipperError(
        'ENTRIES_FAILED',
        `The entries iterable failed after ${consumed} entries: ${messageOf(cause)}`,
        { cause },
      );
    }
  };

  /** Stops everything after a failure: nothing stays open, nothing looks like a finished zip. */
  const tearDown = (error: ZipperError) => {
    for (const stream of openStreams) stream.destroy();
    for (const { entry } of waiting) {
      if (isReadable(entry.source)) entry.source.destroy();
    }
    destination.destroy(error); // its 'error' listener stays, so this error cannot crash
    archive.destroy();
    Promise.resolve()
      .then(() => iterator.return?.())
      .catch(ignore);
    if (Array.isArray(entries)) {
      for (const later of entries.slice(consumed) as Partial<ZipEntry>[]) {
        if (isReadable(later?.source)) later.source.destroy();
      }
    }
  };

  try {
    if (failure.error !== undefined) throw failure.error;
    for (;;) {
      while (!exhausted && waiting.length <= settings.readAhead) await take();
      const item = waiting.shift();
      if (item === undefined) break;
      await writeEntry(item);
    }
    waitingFor = 'finish';
    archive.finalize().catch(ignore); // its failures arrive through the 'error' event
    await failure.wait(written);
    if (failure.error !== undefined) throw failure.error;
    destination.off('error', onDestinationError);
    return { entries: consumed, bytes: archive.pointer() };
  } catch (caught) {
    failure.fail(
      caught instanceof ZipperError
        ? caught
        : new ZipperError(
            'ARCHIVE_FAILED',
            `Zip failed${during(currentPath)}: ${messageOf(caught)}`,
            {
              cause: caught,
              entryPath: currentPath,
            },
          ),
    );
    const error = failure.error as ZipperError;
    tearDown(error);
    throw error;
  } finally {
    watchdog.stop();
    signal?.removeEventListener('abort', onAbort);
  }
}
