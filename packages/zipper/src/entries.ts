import type { Readable } from 'node:stream';
import { describeValue } from '@toq/contracts/constants';
import { ZipperError } from './errors';
import { nameKey, quotePath, refusedCharacter } from './names';

/**
 * Where an entry's bytes come from: the bytes themselves, a stream, or a function that opens
 * the stream only when the archive reaches the entry (the way to keep thousands of entries from
 * meaning thousands of open sockets).
 */
export type ZipSource = Buffer | Readable | (() => Promise<Readable>);

/** One file of the archive. */
export interface ZipEntry {
  /**
   * The path inside the archive: relative, forward slashes, no `..`, `.` or empty segment, no
   * control, bidirectional control or lookalike of `.` `/` `\`, segments of at most 255 bytes,
   * and no collision with an earlier entry's path up to letter case and Unicode normalization,
   * e.g. `photo/large/0b7c1a52-….jpg` (build it with `zipEntryPath` from `@toq/contracts`).
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

/**
 * The longest segment (file or folder name), in UTF-8 bytes: the limit of ext4, APFS and NTFS
 * (255 UTF-16 units there). A longer name is truncated or refused by whatever extracts it.
 */
export const MAX_SEGMENT_BYTES = 255;

/** Why `path` is not a clean relative path, or `undefined` when it is one. */
function pathProblem(path: string): string | undefined {
  if (path.length === 0) return 'is empty';
  const refused = refusedCharacter(path);
  if (refused !== undefined) return `contains ${refused}`;
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
  let index = 0;
  for (const [position, segment] of segments.entries()) {
    const bytes = Buffer.byteLength(segment);
    if (bytes > MAX_SEGMENT_BYTES) {
      return `has a segment longer than ${MAX_SEGMENT_BYTES} bytes in UTF-8 (segment ${position + 1}, at index ${index}, is ${bytes} bytes)`;
    }
    index += segment.length + 1;
  }
  return undefined;
}

/**
 * Checks that `path` is a clean relative path for an archive entry.
 *
 * @throws {ZipperError} `INVALID_PATH` naming the rule it breaks (and the character, as
 *   `U+XXXX`, with its index).
 */
export function checkEntryPath(path: string): void {
  const problem = pathProblem(path);
  if (problem !== undefined) {
    throw new ZipperError(
      'INVALID_PATH',
      `Invalid entry path ${quotePath(path)}: expected a relative path with forward slashes and no "..", "." or empty segment, but it ${problem}`,
      { entryPath: path },
    );
  }
}

/** A file or folder that an earlier entry's path made. */
interface PathNode {
  /** The name as that entry spelled it. */
  readonly segment: string;
  /** The entry's number and its path. */
  readonly index: number;
  readonly path: string;
  /** The names inside a folder, by {@link nameKey}; `undefined` for a file. */
  readonly children: Map<string, PathNode> | undefined;
}

/** The first `count` segments of `path`: the folder (or file) at that depth. */
const prefix = (path: string, count: number) => path.split('/').slice(0, count).join('/');

/**
 * The paths of the entries so far, as a tree of names keyed by {@link nameKey}, to refuse a path
 * that would land on an earlier one when extracted: the same path, the same path up to letter
 * case or Unicode normalization, a file where another entry has a folder (or the other way
 * round), or one folder spelled two ways. Each entry adds at most one node per segment, so memory
 * grows with the length of the paths, never with their square.
 */
export class EntryPaths {
  readonly #root = new Map<string, PathNode>();

  /**
   * Records the path of entry #`index` (a path `checkEntryPath` accepts).
   *
   * @throws {ZipperError} `DUPLICATE_PATH` naming the earlier entry it collides with.
   */
  add(path: string, index: number): void {
    const segments = path.split('/');
    const keys = segments.map(nameKey);
    const last = segments.length - 1;
    let level = this.#root;
    let depth = 0;
    for (; depth <= last; depth += 1) {
      const node = level.get(keys[depth] as string);
      if (node === undefined) break;
      if (depth === last || node.children === undefined || node.segment !== segments[depth]) {
        throw collision(path, index, node, depth, last);
      }
      level = node.children;
    }
    for (; depth <= last; depth += 1) {
      const children = depth === last ? undefined : new Map<string, PathNode>();
      level.set(keys[depth] as string, {
        segment: segments[depth] as string,
        index,
        path,
        children,
      });
      if (children !== undefined) level = children;
    }
  }
}

function collision(
  path: string,
  index: number,
  earlier: PathNode,
  depth: number,
  last: number,
): ZipperError {
  const other = `entry #${earlier.index} ${quotePath(earlier.path)}`;
  let expected = 'no path to be both a file and a folder';
  let received: string;
  if (earlier.children === undefined && depth === last) {
    if (earlier.path === path) {
      return new ZipperError(
        'DUPLICATE_PATH',
        `Duplicate entry path ${quotePath(path)}: expected every path once, but entry #${index} repeats it`,
        { entryPath: path },
      );
    }
    expected = 'every path once, whatever its letter case and Unicode normalization';
    received = `entry #${index} is the same path as ${other}`;
  } else if (earlier.children === undefined) {
    received = `entry #${index} has a folder ${quotePath(prefix(path, depth + 1))} where ${other} is a file`;
  } else if (depth === last) {
    received = `entry #${index} is a file where ${other} has a folder ${quotePath(prefix(earlier.path, depth + 1))}`;
  } else {
    expected = 'every folder spelled one way, letter case and Unicode normalization included';
    received = `entry #${index} has the folder ${quotePath(prefix(path, depth + 1))} where ${other} has ${quotePath(prefix(earlier.path, depth + 1))}`;
  }
  return new ZipperError(
    'DUPLICATE_PATH',
    `Duplicate entry path ${quotePath(path)}: expected ${expected}, but ${received}`,
    { entryPath: path },
  );
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
    `Invalid entry #${index}${entryPath === undefined ? '' : ` (${quotePath(entryPath)})`}: expected ${what}, but received ${describeValue(value)}`,
    { entryPath },
  );
}

/**
 * Checks one entry as it comes out of the iterable (index counts from 0): its shape, its path,
 * and that its path collides with no earlier entry's (`paths` collects them).
 *
 * @throws {ZipperError} `INVALID_ENTRY`, `INVALID_PATH` or `DUPLICATE_PATH`.
 */
export function checkEntry(entry: unknown, index: number, paths: EntryPaths): ZipEntry {
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
  paths.add(path, index);
  return entry as ZipEntry;
}
