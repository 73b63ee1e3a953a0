import { createHash } from 'node:crypto';
import { createReadStream, type Dirent } from 'node:fs';
import { open, readdir, readlink, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { MEDIA_EXTENSIONS, ProcessingRequest, parse, rawKey, type MediaType } from '@toq/contracts';
import type { ObjectStore } from '@toq/lambdas';
import { UsageError } from './usage-error.ts';

/** One file of the folder that becomes a media item. */
export interface ListingFile {
  /** The file's name in the folder (what the console and the contact sheet call it). */
  readonly fileName: string;
  readonly path: string;
  readonly mediaId: string;
  readonly mediaType: MediaType;
  /** Lowercase, without the dot. */
  readonly ext: string;
  /** 0 when empty, or when it cannot be read. */
  readonly bytes: number;
  /**
   * Why the file cannot be read (`a broken symbolic link to …`, `permission denied`), when it
   * cannot: it stays in the request but is not uploaded, so it fails alone as `OBJECT_NOT_FOUND`.
   */
  readonly unreadable?: string;
}

/** A folder read as a listing: its media files, and the files that are not media. */
export interface ListingFolder {
  readonly files: readonly ListingFile[];
  readonly skipped: readonly string[];
}

/**
 * A UUID (RFC 9562 version 5 layout) derived from `parts`: the same parts always give the same
 * id, so processing a folder twice names its media the same way.
 *
 * @example
 * stableUuid('media', listingId, 'Landscape_3.jpg'); // '…-5…-…'
 */
export function stableUuid(...parts: readonly string[]): string {
  const hash = createHash('sha1').update(parts.join('\0')).digest();
  hash.writeUInt8((hash.readUInt8(6) & 0x0f) | 0x50, 6);
  hash.writeUInt8((hash.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function mediaTypeOf(ext: string): MediaType | undefined {
  if ((MEDIA_EXTENSIONS.photo as readonly string[]).includes(ext)) return 'photo';
  if ((MEDIA_EXTENSIONS.video as readonly string[]).includes(ext)) return 'video';
  return undefined;
}

/** Why a folder cannot be read, in a user's terms, or undefined when the error is not theirs. */
function folderProblem(folder: string, error: unknown): string | undefined {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return `No folder ${folder}: give the folder of photos and videos to process`;
    case 'ENOTDIR':
      return `${folder} is a file: give the folder that holds the photos and videos`;
    case 'EACCES':
    case 'EPERM':
      return `Cannot read the folder ${folder}: permission denied`;
    default:
      return undefined;
  }
}

/** Why the entry at `path` cannot be read as a file, in a user's words. */
async function unreadableBecause(path: string, error: unknown): Promise<string> {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    // Listed by the folder yet not there: a link whose target is gone (or it was just deleted).
    const target = await readlink(path).catch(() => undefined);
    return target === undefined ? 'it is gone' : `a broken symbolic link to ${target}`;
  }
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'a symbolic link that loops';
  return (error as Error).message;
}

/** The size of the file at `path`, or why it cannot be read (without blocking on a pipe). */
async function probeFile(path: string): Promise<{ bytes: number } | { unreadable: string }> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return { unreadable: 'a folder, not a file' };
    if (!info.isFile()) return { unreadable: 'a pipe, socket or device, not a regular file' };
    await (await open(path, 'r')).close();
    return { bytes: info.size };
  } catch (error) {
    return { unreadable: await unreadableBecause(path, error) };
  }
}

/**
 * Reads a folder (not its subfolders) as a listing: every entry with a photo or video extension
 * (`MEDIA_EXTENSIONS`, any letter case) is a media item, in file-name order, with a media id
 * derived from the listing id and its name; every other file is skipped. A media entry that
 * cannot be read (a broken link, a folder named like a photo, no permission) is still an item,
 * marked `unreadable`, so that it fails alone.
 *
 * @throws {UsageError} when the folder is missing, is a file, or cannot be read.
 * @example
 * const { files, skipped } = await readListingFolder('samples/listing', listingId);
 */
export async function readListingFolder(folder: string, listingId: string): Promise<ListingFolder> {
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    const problem = folderProblem(folder, error);
    throw problem === undefined ? error : new UsageError(problem);
  }
  const files: ListingFile[] = [];
  const skipped: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const ext = extname(entry.name).slice(1).toLowerCase();
    const mediaType = mediaTypeOf(ext);
    if (mediaType === undefined) {
      if (entry.isFile()) skipped.push(entry.name);
      continue;
    }
    const path = join(folder, entry.name);
    const probed = await probeFile(path);
    files.push({
      fileName: entry.name,
      path,
      mediaId: stableUuid('media', listingId, entry.name),
      mediaType,
      ext,
      ...('bytes' in probed ? { bytes: probed.bytes } : { bytes: 0, ...probed }),
    });
  }
  return { files, skipped };
}

const RAW_CONTENT_TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  avif: 'image/avif',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  m4v: 'video/x-m4v',
  webm: 'video/webm',
};

/** The raw key `file` is uploaded to (`{listingId}/raw/{mediaType}/{mediaId}.{ext}`). */
export function rawKeyOf(listingId: string, file: ListingFile): string {
  return rawKey({ listingId, mediaType: file.mediaType, mediaId: file.mediaId, ext: file.ext });
}

/**
 * What the backend does first: uploads each readable file to its raw key ({@link rawKeyOf}).
 * An `unreadable` file is left out: its item fails as `OBJECT_NOT_FOUND`, as an upload the
 * backend never made.
 *
 * @returns the keys written, in file order.
 * @example
 * const keys = await uploadRawFiles(store, listingId, files);
 */
export async function uploadRawFiles(
  store: ObjectStore,
  listingId: string,
  files: readonly ListingFile[],
): Promise<string[]> {
  const keys: string[] = [];
  for (const file of files) {
    if (file.unreadable !== undefined) continue;
    const key = rawKeyOf(listingId, file);
    await store.putStream(key, createReadStream(file.path), {
      contentType: RAW_CONTENT_TYPES[file.ext] ?? 'application/octet-stream',
    });
    keys.push(key);
  }
  return keys;
}

/**
 * The `ProcessingRequest` the backend sends for these files: each item declares its size, except
 * an empty or unreadable one (the contract wants a positive size; `validate` then reports the
 * object itself: `OBJECT_EMPTY`, `OBJECT_NOT_FOUND`).
 *
 * @throws {ContractError} when an id or the callback URL is invalid.
 * @example
 * const request = buildRequest(listingId, 'req-1', files, 'https://backend.example.com/hooks');
 */
export function buildRequest(
  listingId: string,
  requestId: string,
  files: readonly ListingFile[],
  callbackUrl: string,
): ProcessingRequest {
  return parse(ProcessingRequest, {
    schemaVersion: 1,
    requestId,
    listingId,
    media: files.map((f) => ({
      mediaId: f.mediaId,
      mediaType: f.mediaType,
      ext: f.ext,
      ...(f.bytes > 0 ? { bytes: f.bytes } : {}),
    })),
    callback: { url: callbackUrl },
  });
}
