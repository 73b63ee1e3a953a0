import { describeValue } from '@toq/contracts/constants';
import { ZipperError } from './errors';

/** Options of {@link createZip}. Unknown keys are rejected. */
export interface ZipOptions {
  /**
   * The modification time written on every entry (ZIP stores it in UTC, to the even second).
   * Fixed so that the same entries always give the same bytes.
   * @default new Date('1980-01-01T00:00:00Z') (the earliest time a zip can hold)
   */
  readonly date?: Date;
  /**
   * The deflate level (1 fastest … 9 smallest) for entries that are not already-compressed
   * media; `0` stores every entry.
   * @default 6
   */
  readonly compressionLevel?: number;
  /**
   * Aborts the archive: `createZip` rejects with `ABORTED`, the open sources and the
   * destination are destroyed.
   */
  readonly signal?: AbortSignal;
  /**
   * The longest time, in milliseconds, that the zip may go without progress before it fails:
   * with `SOURCE_STALLED` when the current source gives no bytes (or its function does not
   * resolve), `DESTINATION_STALLED` when the destination accepts none (its backpressure is never
   * released), `ENTRIES_STALLED` when the `entries` iterable gives no next entry. The stalled
   * source and the destination are destroyed, as on any failure. `0` or `Infinity`: no limit.
   * @default 30000
   */
  readonly idleTimeout?: number;
  /**
   * How many entries beyond the one being written may have their sources opened and read
   * already, so that opening and reading the next sources overlaps the writing (a file open, an
   * S3 request's first byte). An entry is read ahead only when its declared `size`, those of the
   * entries before it and that of the entry being written add up to at most `readAheadBytes`:
   * an entry without a `size`, and any after it, wait for their turn. `0`: one source at a time.
   * At most `readAhead + 1` sources are open and not yet at their end at once, and up to
   * `readAhead` entries are taken from the iterable ahead of the one being written.
   * @default 0
   */
  readonly readAhead?: number;
  /**
   * The most bytes, by declared `size`, that the entry being written and the entries read ahead
   * of it may add up to (see `readAhead`): what read-ahead may hold in memory at most.
   * @default 16777216 (16 MiB)
   */
  readonly readAheadBytes?: number;
}

/** The options with their defaults filled in. */
export interface Settings {
  readonly date: Date;
  readonly compressionLevel: number;
  readonly signal: AbortSignal | undefined;
  /** Milliseconds; `Infinity` for no limit. */
  readonly idleTimeout: number;
  readonly readAhead: number;
  readonly readAheadBytes: number;
}

/**
 * The earliest and latest times the zip header's DOS date holds (archiver clamps later dates to
 * the end of 2043, where the 32-bit field's sign bit begins).
 */
const EARLIEST_DATE = Date.UTC(1980, 0, 1);
const LATEST_DATE = Date.UTC(2043, 11, 31, 23, 59, 58);

/** The defaults of {@link ZipOptions}. */
export const DEFAULT_OPTIONS = {
  /** 1980-01-01T00:00:00Z in milliseconds. */
  dateMs: EARLIEST_DATE,
  compressionLevel: 6,
  /** 30 seconds. */
  idleTimeout: 30_000,
  readAhead: 0,
  /** 16 MiB. */
  readAheadBytes: 16 * 1024 * 1024,
} as const;

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'date',
  'compressionLevel',
  'signal',
  'idleTimeout',
  'readAhead',
  'readAheadBytes',
]);

function invalidOption(name: string, expected: string, received: unknown): ZipperError {
  return new ZipperError(
    'INVALID_ARGUMENT',
    `Invalid option ${name}: expected ${expected}, but received ${describeValue(received)}`,
  );
}

/**
 * Checks `options` and fills in the defaults.
 *
 * @throws {ZipperError} `INVALID_ARGUMENT` for an unknown option or an invalid value.
 */
export function parseOptions(options: unknown): Settings {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ZipperError(
      'INVALID_ARGUMENT',
      `Invalid options: expected an object, but received ${describeValue(options)}`,
    );
  }
  const unknown = Object.keys(options).filter((key) => !KNOWN_OPTIONS.has(key));
  if (unknown.length > 0) {
    throw new ZipperError(
      'INVALID_ARGUMENT',
      `Invalid options: expected only ${[...KNOWN_OPTIONS].join(', ')}, but received ${unknown.map((key) => describeValue(key)).join(', ')}`,
    );
  }
  const { date, compressionLevel, signal, idleTimeout, readAhead, readAheadBytes } =
    options as ZipOptions;
  if (date !== undefined) {
    const time = date instanceof Date ? date.getTime() : Number.NaN;
    if (!(time >= EARLIEST_DATE && time <= LATEST_DATE)) {
      throw invalidOption('date', 'a valid Date from 1980 through 2043', date);
    }
  }
  if (
    compressionLevel !== undefined &&
    !(Number.isInteger(compressionLevel) && compressionLevel >= 0 && compressionLevel <= 9)
  ) {
    throw invalidOption('compressionLevel', 'an integer from 0 to 9', compressionLevel);
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw invalidOption('signal', 'an AbortSignal', signal);
  }
  if (idleTimeout !== undefined && !(typeof idleTimeout === 'number' && idleTimeout >= 0)) {
    throw invalidOption(
      'idleTimeout',
      'a number of milliseconds >= 0 (0 or Infinity for no limit)',
      idleTimeout,
    );
  }
  if (readAhead !== undefined && !(Number.isSafeInteger(readAhead) && readAhead >= 0)) {
    throw invalidOption('readAhead', 'a whole number of entries >= 0', readAhead);
  }
  if (
    readAheadBytes !== undefined &&
    !(Number.isSafeInteger(readAheadBytes) && readAheadBytes >= 0)
  ) {
    throw invalidOption('readAheadBytes', 'a whole number of bytes >= 0', readAheadBytes);
  }
  const timeout = idleTimeout ?? DEFAULT_OPTIONS.idleTimeout;
  return {
    date: new Date(date?.getTime() ?? DEFAULT_OPTIONS.dateMs),
    compressionLevel: compressionLevel ?? DEFAULT_OPTIONS.compressionLevel,
    signal,
    idleTimeout: timeout === 0 ? Infinity : timeout,
    readAhead: readAhead ?? DEFAULT_OPTIONS.readAhead,
    readAheadBytes: readAheadBytes ?? DEFAULT_OPTIONS.readAheadBytes,
  };
}
