import { z } from 'zod';
import {
  ListingId,
  MediaExtension,
  MediaId,
  MediaType,
  RenditionExtension,
  RenditionSize,
  checkExtensionMatchesType,
  LOWERCASE_UUID_SOURCE,
  type MediaExtension as MediaExtensionType,
  type RenditionExtension as RenditionExtensionType,
} from './ids';
import { RENDITION_EXTENSIONS, RENDITION_SIZES } from './constants';
import { ContractError, received } from './errors';
import { safeParseAs } from './parse';

/** The parts of a raw upload's key: `{listingId}/raw/{mediaType}/{mediaId}.{ext}`. */
export const RawKeyParts = z
  .strictObject({
    listingId: ListingId,
    mediaType: MediaType,
    mediaId: MediaId,
    ext: MediaExtension,
  })
  .superRefine(checkExtensionMatchesType)
  .meta({ title: 'raw key parts' });
export type RawKeyParts = z.input<typeof RawKeyParts>;

/** The parts of a zip entry's path: `{mediaType}/{size}/{mediaId}.{ext}`. */
export const ZipEntryParts = z
  .strictObject({
    mediaType: MediaType,
    size: RenditionSize,
    mediaId: MediaId,
    ext: RenditionExtension,
  })
  .superRefine((parts, ctx) => {
    const allowed: readonly string[] = RENDITION_EXTENSIONS[parts.mediaType];
    if (!allowed.includes(parts.ext)) {
      ctx.addIssue({
        code: 'custom',
        path: ['ext'],
        message: `"${parts.ext}" is not a ${parts.mediaType} rendition format (${allowed.join(', ')})`,
      });
    } else if (parts.ext === 'mp4' && parts.size !== 'large') {
      ctx.addIssue({
        code: 'custom',
        path: ['size'],
        message: `a video's MP4 is written at "large" only, not "${parts.size}"`,
      });
    }
  })
  .meta({ title: 'zip entry parts' });
export type ZipEntryParts = z.input<typeof ZipEntryParts>;

/** The parts of a rendition's key: `{listingId}/processed/{mediaType}/{size}/{mediaId}.{ext}`. */
export const RenditionKeyParts = z
  .strictObject({ listingId: ListingId, ...ZipEntryParts.shape })
  .superRefine((parts, ctx) => {
    const entry = ZipEntryParts.safeParse({
      mediaType: parts.mediaType,
      size: parts.size,
      mediaId: parts.mediaId,
      ext: parts.ext,
    });
    if (!entry.success)
      for (const issue of entry.error.issues) ctx.addIssue({ ...issue, code: 'custom' });
  })
  .meta({ title: 'rendition key parts' });
export type RenditionKeyParts = z.input<typeof RenditionKeyParts>;

/** The longest key S3 accepts (1024 bytes of UTF-8); keys of the layout are far shorter. */
const MAX_KEY_LENGTH = 1024;

function renditionPathSource(mediaType: MediaType): string {
  const formats: readonly string[] = RENDITION_EXTENSIONS[mediaType];
  const everySize = formats.filter((ext) => ext !== 'mp4');
  const alternatives = [
    `(?:${RENDITION_SIZES.join('|')})/${LOWERCASE_UUID_SOURCE}\\.(?:${everySize.join('|')})`,
  ];
  if (formats.includes('mp4')) alternatives.push(`large/${LOWERCASE_UUID_SOURCE}\\.mp4`);
  return `${mediaType}/(?:${alternatives.join('|')})`;
}

/**
 * Every rendition key {@link renditionKey} can build, and nothing else: lowercase ids, a format
 * allowed for the media type, a video's MP4 at `large` only. Used by the result records (and so by
 * their JSON Schemas).
 * @internal
 */
export const RENDITION_KEY_PATTERN = new RegExp(
  `^${LOWERCASE_UUID_SOURCE}/processed/(?:${renditionPathSource('photo')}|${renditionPathSource('video')})$`,
);

/**
 * The zip key {@link zipKey} builds: `{listingId}/processed/zip/{listingId}.zip`, the same id
 * twice (a back-reference, which ECMA-262 and Python's `re` both support).
 * @internal
 */
export const ZIP_KEY_PATTERN = new RegExp(`^(${LOWERCASE_UUID_SOURCE})/processed/zip/\\1\\.zip$`);

function partsOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  subject: string,
): z.output<S> {
  const result = safeParseAs(schema, input, 'INVALID_INPUT', subject);
  if (!result.ok) throw result.error;
  return result.value;
}

function listingIdOrThrow(listingId: string): string {
  return partsOrThrow(ListingId, listingId, 'listing id');
}

/**
 * The key of a raw upload: `{listingId}/raw/{mediaType}/{mediaId}.{ext}`. Ids and the extension
 * are normalised to lowercase.
 *
 * @throws {ContractError} `INVALID_INPUT` when a part is not valid (every problem listed).
 * @example
 * rawKey({ listingId, mediaType: 'photo', mediaId, ext: 'JPG' });
 * // '4f8…/raw/photo/0b7….jpg'
 */
export function rawKey(parts: RawKeyParts): string {
  const { listingId, mediaType, mediaId, ext } = partsOrThrow(RawKeyParts, parts, 'raw key parts');
  return `${listingId}/raw/${mediaType}/${mediaId}.${ext}`;
}

/**
 * The key of a rendition: `{listingId}/processed/{mediaType}/{size}/{mediaId}.{ext}`, where `ext`
 * is the format actually written (a HEIC photo has `jpg` renditions; a video has an `mp4` at
 * `large` and `jpg` posters at every size).
 *
 * @throws {ContractError} `INVALID_INPUT` when a part is not valid.
 * @example
 * renditionKey({ listingId, mediaType: 'photo', size: 'thumbnail', mediaId, ext: 'jpg' });
 */
export function renditionKey(parts: RenditionKeyParts): string {
  const { listingId, mediaType, size, mediaId, ext } = partsOrThrow(
    RenditionKeyParts,
    parts,
    'rendition key parts',
  );
  return `${listingId}/processed/${mediaType}/${size}/${mediaId}.${ext}`;
}

/**
 * The key of the listing's zip bundle: `{listingId}/processed/zip/{listingId}.zip`.
 *
 * @throws {ContractError} `INVALID_INPUT` when `listingId` is not a UUID.
 */
export function zipKey(listingId: string): string {
  const id = listingIdOrThrow(listingId);
  return `${id}/processed/zip/${id}.zip`;
}

/**
 * The clean path of a rendition inside the zip bundle: `{mediaType}/{size}/{mediaId}.{ext}` (no
 * `processed/`, no listing id, no dates).
 *
 * @throws {ContractError} `INVALID_INPUT` when a part is not valid.
 * @example
 * zipEntryPath({ mediaType: 'photo', size: 'large', mediaId, ext: 'jpg' }); // 'photo/large/….jpg'
 */
export function zipEntryPath(parts: ZipEntryParts): string {
  const { mediaType, size, mediaId, ext } = partsOrThrow(ZipEntryParts, parts, 'zip entry parts');
  return `${mediaType}/${size}/${mediaId}.${ext}`;
}

/** The prefix under which a listing's raw uploads live: `{listingId}/raw/`. */
export function rawPrefix(listingId: string): string {
  return `${listingIdOrThrow(listingId)}/raw/`;
}

/** The prefix under which a listing's renditions and zip live: `{listingId}/processed/`. */
export function processedPrefix(listingId: string): string {
  return `${listingIdOrThrow(listingId)}/processed/`;
}

/** A key of the layout, taken apart by {@link parseMediaKey}. */
export type ParsedMediaKey =
  | {
      kind: 'raw';
      listingId: string;
      mediaType: MediaType;
      mediaId: string;
      ext: MediaExtensionType;
    }
  | {
      kind: 'rendition';
      listingId: string;
      mediaType: MediaType;
      size: RenditionSize;
      mediaId: string;
      ext: RenditionExtensionType;
    }
  | { kind: 'zip'; listingId: string };

function invalidKey(key: unknown, reason: string): ContractError {
  return new ContractError('INVALID_KEY', 'media key', [
    { path: '(root)', message: `${received(key, 160)} ${reason}` },
  ]);
}

function splitFileName(fileName: string): [string, string] | undefined {
  const dot = fileName.indexOf('.');
  if (dot <= 0 || dot !== fileName.lastIndexOf('.')) return undefined;
  return [fileName.slice(0, dot), fileName.slice(dot + 1)];
}

/**
 * Takes a key of the layout apart (spec §2). Only keys this package builds are accepted, in their
 * canonical (lowercase) form, so `parseMediaKey(renditionKey(p))` gives back `p` and a key that
 * parses always rebuilds to itself.
 *
 * @throws {ContractError} `INVALID_KEY` when `key` is not a raw, rendition or zip key.
 * @example
 * const parsed = parseMediaKey(s3Event.Records[0].s3.object.key);
 * if (parsed.kind === 'raw') console.log(parsed.mediaType, parsed.mediaId);
 */
export function parseMediaKey(key: string): ParsedMediaKey {
  if (typeof key !== 'string') throw invalidKey(key, 'is not a string');
  if (key.length > MAX_KEY_LENGTH) {
    throw invalidKey(key, `is longer than ${MAX_KEY_LENGTH} characters`);
  }
  const segments = key.split('/');
  const [listingId, area] = segments;
  const file = splitFileName(segments.at(-1) ?? '');
  if (listingId === undefined || file === undefined) {
    throw invalidKey(key, 'is not a raw, rendition or zip key of the layout');
  }
  const [id, ext] = file;
  let parsed: ParsedMediaKey;
  let rebuilt: () => string;

  if (segments.length === 4 && area === 'raw') {
    const parts = safeParseAs(
      RawKeyParts,
      { listingId, mediaType: segments[2], mediaId: id, ext },
      'INVALID_KEY',
      'media key',
    );
    if (!parts.ok) throw parts.error;
    parsed = { kind: 'raw', ...parts.value } as ParsedMediaKey;
    rebuilt = () => rawKey(parts.value);
  } else if (segments.length === 4 && area === 'processed' && segments[2] === 'zip') {
    if (ext !== 'zip' || id !== listingId) {
      throw invalidKey(key, 'is not a zip key: expected {listingId}/processed/zip/{listingId}.zip');
    }
    const parts = safeParseAs(ListingId, listingId, 'INVALID_KEY', 'media key');
    if (!parts.ok) throw parts.error;
    parsed = { kind: 'zip', listingId: parts.value };
    rebuilt = () => zipKey(parts.value);
  } else if (segments.length === 5 && area === 'processed') {
    const parts = safeParseAs(
      RenditionKeyParts,
      { listingId, mediaType: segments[2], size: segments[3], mediaId: id, ext },
      'INVALID_KEY',
      'media key',
    );
    if (!parts.ok) throw parts.error;
    parsed = { kind: 'rendition', ...parts.value } as ParsedMediaKey;
    rebuilt = () => renditionKey(parts.value);
  } else {
    throw invalidKey(key, 'is not a raw, rendition or zip key of the layout');
  }

  if (rebuilt() !== key) throw invalidKey(key, 'is not in canonical (lowercase) form');
  return parsed;
}
