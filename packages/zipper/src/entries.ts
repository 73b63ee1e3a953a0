import type { Readable } from 'node:stream';
import { describeValue } from '@toq/contracts/constants';
import { ZipperError } from './errors';

/**
 * Where an entry's bytes come from: the bytes themselves, a stream, or a function that opens
 * the stream only when the archive reaches the entry (the way to keep thousands of entries from
 * meaning thousands of open sockets).
 */
export type ZipSource = Buffer | Readable | (() => Promise<Readable>);

/** One file of the archive. */
export interface ZipEntry {
  /**
   * The path inside the archive: relative, forward slashes, no `..`, `.` or empty segment, e.g.
   * `photo/large/0b7c1a52-….jpg` (build it with `zipEntryPath` from `@toq/contracts`).
   */
  readonly path: string;
  /** The entry's bytes. A function is called once, when the archive reaches the entry. */
  readonly source: ZipSource;
  /**
   * The size in bytes, when known. The source must then give exactly that many bytes, or
   * `createZip` rejects with `SIZE_MISMATCH` (a truncated download never becomes a short entry).
   */
  readonly size?: number;
}

/**
 * Extensions of formats that are already compressed: their entries are stored as they are, not
 * deflated (deflating a JPEG costs CPU and saves nothing). Every other entry is deflated.
 */
export const STORED_EXTENSIONS = [
  'jpg',
  'jpeg',
  'png',
  'webp',
  'avif',
  'heic',
  'heif',
  'gif',
  'mp4',
  'mov',
  'm4v',
  'webm',
  'zip',
  'gz',
] as const;

const storedExtensions: ReadonlySet<string> = new Set(STORED_EXTENSIONS);

/** Whether the entry at `path` is stored (already-compressed media) rather than deflated. */
export function isStored(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 && storedExtensions.has(name.slice(dot + 1).toLowerCase());
}

/** The longest name a zip header can hold (a 16-bit length). */
const MAX_PATH_BYTES = 0xffff;

// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** Why `path` is not a clean relative path, or `undefined` when it is one. */
function pathProblem(path: string): string | undefined {
  if (path.length === 0) return 'is empty';
  if (CONTROL_CHARACTER.test(path)) return 'contains a control character';
  if (path.includes('\\')) return 'contains a backslash (use forward slashes)';
  if (path.startsWith('/')) return 'is absolute (starts with "/")';
  if (/^[A-Za-z]:/.test(path)) return 'starts with a drive letter';
  if (path.includes(':')) return 'contains ":"';
  if (path.endsWith('/')) return 'ends with "/" (directories are implied by their files)';
  const segments = path.split('/');
  if (segments.includes('')) return 'has an empty segment ("//")';
  if (segments.includes('..')) return 'has a ".." segment';
  if (segments.includes('.')) return 'has a "." segment';
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) return `is longer than ${MAX_PATH_BYTES} bytes`;
  return undefined;
}

/**
 * Checks that `path` is a clean relative path for an archive entry.
 *
 * @throws {ZipperError} `INVALID_PATH` naming the rule it breaks.
 */
export function checkEntryPath(path: string): void {
  const problem = pathProblem(path);
  if (problem !== undefined) {
    throw new ZipperError(
      'INVALID_PATH',
      `Invalid entry path ${JSON.stringify(path)}: expected a relative path with forward slashes and no "..", "." or empty segment, but it ${problem}`,
      { entryPath: path },
    );
  }
}

/** Whether `value` is a readable stream (Node's, or one that quacks like it: readable-stream). */
export function isReadable(value: unknown): value is Readable {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Readable).pipe === 'function' &&
    typeof (value as Readable).on === 'function' &&
    typeof (value as Readable).read === 'function'
  );
}

function invalidEntry(index: number, what: string, value: unknown, entryPath?: string) {
  return new ZipperError(
    'INVALID_ENTRY',
    `Invalid entry #${index}${entryPath === undefined ? '' : ` (${JSON.stringify(entryPath)})`}: expected ${what}, but received ${describeValue(value)}`,
    { entryPath },
  );
}

/**
 * Checks one entry as it comes out of the iterable (index counts from 0): its shape, its path,
 * and that no earlier entry had the same path (`seen` collects them).
 *
 * @throws {ZipperError} `INVALID_ENTRY`, `INVALID_PATH` or `DUPLICATE_PATH`.
 */
export function checkEntry(entry: unknown, index: number, seen: Set<string>): ZipEntry {
  if (typeof entry !== 'object' || entry === null) {
    throw invalidEntry(index, 'an object { path, source, size? }', entry);
  }
  const { path, source, size } = entry as Partial<ZipEntry>;
  if (typeof path !== 'string') throw invalidEntry(index, 'a string path', path);
  checkEntryPath(path);
  if (!Buffer.isBuffer(source) && !isReadable(source) && typeof source !== 'function') {
    throw invalidEntry(index, 'a source that is a Buffer, a Readable or a function', source, path);
  }
  if (size !== undefined && !(Number.isSafeInteger(size) && size >= 0)) {
    throw invalidEntry(index, 'a size that is a whole number of bytes >= 0', size, path);
  }
  if (seen.has(path)) {
    throw new ZipperError(
      'DUPLICATE_PATH',
      `Duplicate entry path ${JSON.stringify(path)}: expected every path once, but entry #${index} repeats it`,
      { entryPath: path },
    );
  }
  seen.add(path);
  return entry as ZipEntry;
}
