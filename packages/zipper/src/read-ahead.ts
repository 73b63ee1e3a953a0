import type { Readable } from 'node:stream';
import type { ZipEntry } from './entries';

/** An entry taken from the iterable and not written yet; its source may be opened ahead. */
export interface QueuedEntry {
  readonly entry: ZipEntry;
  /** Its number in the iterable, from 0. */
  readonly index: number;
  /** The counted stream archiver will read, once the source's opening has started. */
  counted: Promise<Readable> | undefined;
  /** The source and its counter, while open: destroyed should the run fail. */
  streams: readonly Readable[];
  /** The bytes its source gave so far. */
  bytes: number;
}

/** A new {@link QueuedEntry} for entry #`index`, its source not opened yet. */
export function queued(entry: ZipEntry, index: number): QueuedEntry {
  return { entry, index, counted: undefined, streams: [], bytes: 0 };
}

/**
 * The bytes an entry holds at most once read ahead: its declared `size`, a Buffer's length, or
 * `Infinity` when unknown (a stream without a `size` could be any length).
 */
function declaredBytes(entry: ZipEntry): number {
  if (entry.size !== undefined) return entry.size;
  return Buffer.isBuffer(entry.source) ? entry.source.length : Infinity;
}

/**
 * How many of the `waiting` entries, from the first, may be read ahead while `current` is being
 * written: as many as fit with it in `budget` bytes by declared size. The budget counts the
 * entry being written too, so that nothing is opened ahead of a large entry only to wait,
 * paused, while it is written (an idle S3 connection may be closed under it); an entry without
 * a size ends the span.
 *
 * @example
 * const mib = 1024 * 1024;
 * const photo = (size: number) => ({ path: 'p.jpg', source: Buffer.alloc(0), size });
 * readAheadSpan(photo(mib), [photo(mib), photo(mib), photo(mib)].map(queued), 3 * mib); // → 2
 */
export function readAheadSpan(
  current: ZipEntry,
  waiting: readonly QueuedEntry[],
  budget: number,
): number {
  let total = declaredBytes(current);
  let span = 0;
  for (const { entry } of waiting) {
    total += declaredBytes(entry);
    if (total > budget) break;
    span += 1;
  }
  return span;
}
