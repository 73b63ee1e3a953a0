import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { MEDIA_EXTENSIONS, ProcessingRequest, parse, rawKey, type MediaType } from '@toq/contracts';
import type { ObjectStore } from '@toq/lambdas';

/** One file of the folder that becomes a media item. */
export interface ListingFile {
  /** The file's name in the folder (the contact sheet shows it). */
  readonly fileName: string;
  readonly path: string;
  readonly mediaId: string;
  readonly mediaType: MediaType;
  /** Lowercase, without the dot. */
  readonly ext: string;
  readonly bytes: number;
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

/**
 * Reads a folder (not its subfolders) as a listing: every file with a photo or video extension
 * (`MEDIA_EXTENSIONS`, any letter case) is a media item, in file-name order, with a media id
 * derived from the listing id and its name; every other file is skipped.
 *
 * @throws {Error} when the folder cannot be read.
 */
export async function readListingFolder(folder: string, listingId: string): Promise<ListingFolder> {
  const entries = await readdir(folder, { withFileTypes: true });
  const files: ListingFile[] = [];
  const skipped: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (!entry.isFile()) continue;
    const ext = extname(entry.name).slice(1).toLowerCase();
    const mediaType = mediaTypeOf(ext);
    if (mediaType === undefined) {
      skipped.push(entry.name);
      continue;
    }
    const path = join(folder, entry.name);
    files.push({
      fileName: entry.name,
      path,
      mediaId: stableUuid('media', listingId, entry.name),
      mediaType,
      ext,
      bytes: (await stat(path)).size,
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

/**
 * What the backend does first: uploads each file to its raw key
 * (`{listingId}/raw/{mediaType}/{mediaId}.{ext}`).
 *
 * @returns the keys written, in file order.
 */
export async function uploadRawFiles(
  store: ObjectStore,
  listingId: string,
  files: readonly ListingFile[],
): Promise<string[]> {
  const keys: string[] = [];
  for (const file of files) {
    const key = rawKey({
      listingId,
      mediaType: file.mediaType,
      mediaId: file.mediaId,
      ext: file.ext,
    });
    await store.putStream(key, createReadStream(file.path), {
      contentType: RAW_CONTENT_TYPES[file.ext] ?? 'application/octet-stream',
    });
    keys.push(key);
  }
  return keys;
}

/**
 * The `ProcessingRequest` the backend sends for these files (each item declares its size).
 *
 * @throws {ContractError} when an id or the callback URL is invalid.
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
      bytes: f.bytes,
    })),
    callback: { url: callbackUrl },
  });
}
