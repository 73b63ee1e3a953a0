import * as z from 'zod';
import {
  ListingId,
  MediaExtension,
  MediaId,
  MediaType,
  RenditionExtension,
  RenditionSize,
  checkExtensionMatchesType,
  canonicalListingIdSource,
  LOWERCASE_UUID_SOURCE,
  type MediaExtension as MediaExtensionType,
  type RenditionExtension as RenditionExtensionType,
} from './ids';
import { RENDITION_EXTENSIONS, RENDITION_SIZES } from './constants';
import { describeValue } from './describe-value';
import { ContractError } from './errors';
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

/**
 * Adds an issue when a rendition's format is not one of its media type's, or a video's MP4 is not
 * at `large`. Skips parts already reported as invalid.
 */
function checkRenditionFormat(
  parts: { mediaType: MediaType; size: RenditionSize; ext: string },
  ctx: z.RefinementCtx,
): void {
  if (!MediaType.safeParse(parts.mediaType).success) return;
  const allowed: readonly string[] = RENDITION_EXTENSIONS[parts.mediaType];
  if (!allowed.includes(parts.ext)) {
    ctx.addIssue({
      code: 'custom',
      path: ['ext'],
      message: `must be a ${parts.mediaType} rendition format (${allowed.join(', ')}), received ${describeValue(parts.ext)}`,
    });
  } else if (parts.ext === 'mp4' && parts.size !== 'large') {
    ctx.addIssue({
      code: 'custom',
      path: ['size'],
      message: `must be "large" for a video's MP4, received ${describeValue(parts.size)}`,
    });
  }
}

/** The parts of a zip entry's path: `{mediaType}/{size}/{mediaId}.{ext}`. */
export const ZipEntryParts = z
  .strictObject({
    mediaType: MediaType,
    size: RenditionSize,
    mediaId: MediaId,
    ext: RenditionExtension,
  })
  .superRefine(checkRenditionFormat)
  .meta({ title: 'zip entry parts' });
export type ZipEntryParts = z.input<typeof ZipEntryParts>;

/** The parts of a rendition's key: `{listingId}/processed/{mediaType}/{size}/{mediaId}.{ext}`. */
export const RenditionKeyParts = z
  .strictObject({ listingId: ListingId, ...ZipEntryParts.shape })
  .superRefine(checkRenditionFormat)
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
 * Every rendition key {@link renditionKey} can build, and nothing else: the listing id as parsing
 * gives it, a lowercase media id, a format allowed for the media type, a video's MP4 at `large`
 * only. Used by the result records (and so by their JSON Schemas).
 * @internal
 */
export const RENDITION_KEY_PATTERN = new RegExp(
  `^${canonicalListingIdSource('/')}/processed/(?:${renditionPathSource('photo')}|${renditionPathSource('video')})$`,
);

/**
 * The zip key {@link zipKey} builds: `{listingId}/processed/zip/{listingId}.zip`, the same id
 * twice (a back-reference, which ECMA-262 and Python's `re` both support).
 * @internal
 */
export const ZIP_KEY_PATTERN = new RegExp(
  `^(${canonicalListingIdSource('/')})/processed/zip/\\1\\.zip$`,
);

function partsOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  subject: string,
): z.output<S> {
  const result = safeParseAs(schema, input, 'INVALID_INPUT', subject);
  if (!result.ok) throw result.error;
  return result.value;
}

/**
 * The parts a builder reads, and only those: other properties (a parsed key's `kind`, a media
 * item's `bytes`) play no part in a key, so `rawKey({ listingId, ...item })` and
 * `renditionKey(parseMediaKey(key))` work. A non-object is passed on for zod to report.
 */
function partsOf<S extends z.ZodObject>(schema: S, parts: unknown): unknown {
  if (typeof parts !== 'object' || parts === null || Array.isArray(parts)) return parts;
  const record = parts as Record<string, unknown>;
  return Object.fromEntries(Object.keys(schema.shape).map((name) => [name, record[name]]));
}

function listingIdOrThrow(listingId: string): string {
  return partsOrThrow(ListingId, listingId, 'listing id');
}

/**
 * The key of a raw upload: `{listingId}/raw/{mediaType}/{mediaId}.{ext}`. The media id, the
 * extension and a UUID-shaped listing id are normalised to lowercase (any other listing id is
 * kept as given); the extension must be one of the media type's
 * (`MEDIA_EXTENSIONS`). Properties other than the four parts are ignored, so a media item
 * can be spread in.
 *
 * @throws {ContractError} `INVALID_INPUT` when a part is not valid (every problem listed).
 * @example
 * rawKey({ listingId: request.listingId, ...request.media[0] });
 * rawKey({ listingId, mediaType: 'photo', mediaId, ext: 'JPG' }); // '4f8c…/raw/photo/0b7c….jpg'
 */
export function rawKey(parts: RawKeyParts): string {
  const { listingId, mediaType, mediaId, ext } = partsOrThrow(
    RawKeyParts,
    partsOf(RawKeyParts, parts),
    'raw key parts',
  );
  return `${listingId}/raw/${mediaType}/${mediaId}.${ext}`;
}

/**
 * The key of a rendition: `{listingId}/processed/{mediaType}/{size}/{mediaId}.{ext}` (ids
 * normalised as in {@link rawKey}), where `ext`
 * is the format actually written (a HEIC photo has `jpg` renditions; a video has an `mp4` at
 * `large` and `jpg` posters at every size). Other properties are ignored.
 *
 * @throws {ContractError} `INVALID_INPUT` when a part is not valid, or the format is not one of
 * the media type's (`RENDITION_EXTENSIONS`), or a video's `mp4` is not at `large`.
 * @example
 * renditionKey({ listingId, mediaType: 'photo', size: 'thumbnail', mediaId, ext: 'jpg' });
 */
export function renditionKey(parts: RenditionKeyParts): string {
  const { listingId, mediaType, size, mediaId, ext } = partsOrThrow(
    RenditionKeyParts,
    partsOf(RenditionKeyParts, parts),
    'rendition key parts',
  );
  return `${listingId}/processed/${mediaType}/${size}/${mediaId}.${ext}`;
}

/**
 * The key of the listing's zip bundle: `{listingId}/processed/zip/{listingId}.zip`.
 *
 * @throws {ContractError} `INVALID_INPUT` when `listingId` is not a listing id.
 * @example
 * zipKey('4F8C1D2E-7B3A-4C5D-9E8F-0A1B2C3D4E5F'); // '4f8c…/processed/zip/4f8c….zip'
 * zipKey('maison-rue-1_b'); // 'maison-rue-1_b/processed/zip/maison-rue-1_b.zip'
 */
export function zipKey(listingId: string): string {
  const id = listingIdOrThrow(listingId);
  return `${id}/processed/zip/${id}.zip`;
}

/**
 * The clean path of a rendition inside the zip bundle: `{mediaType}/{size}/{mediaId}.{ext}` (no
 * `processed/`, no listing id, no dates). Other properties are ignored.
 *
 * @throws {ContractError} `INVALID_INPUT` when a part is not valid (as for {@link renditionKey}).
 * @example
 * zipEntryPath({ mediaType: 'photo', size: 'large', mediaId, ext: 'jpg' }); // 'photo/large/….jpg'
 */
export function zipEntryPath(parts: ZipEntryParts): string {
  const { mediaType, size, mediaId, ext } = partsOrThrow(
    ZipEntryParts,
    partsOf(ZipEntryParts, parts),
    'zip entry parts',
  );
  return `${mediaType}/${size}/${mediaId}.${ext}`;
}

/**
 * The prefix under which a listing's raw uploads live: `{listingId}/raw/` (for S3 `ListObjectsV2`).
 *
 * @throws {ContractError} `INVALID_INPUT` when `listingId` is not a listing id.
 * @example
 * await s3.send(new ListObjectsV2Command({ Bucket, Prefix: rawPrefix(listingId) }));
 */
export function rawPrefix(listingId: string): string {
  return `${listingIdOrThrow(listingId)}/raw/`;
}

/**
 * The prefix under which a listing's renditions and zip live: `{listingId}/processed/`.
 *
 * @throws {ContractError} `INVALID_INPUT` when `listingId` is not a listing id.
 * @example
 * processedPrefix(listingId) + zipEntryPath(entry) === renditionKey({ listingId, ...entry }); // true
 */
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
    { path: '(root)', message: `${describeValue(key, 160)} ${reason}` },
  ]);
}

function splitFileName(fileName: string): [string, string] | undefined {
  const dot = fileName.indexOf('.');
  if (dot <= 0 || dot !== fileName.lastIndexOf('.')) return undefined;
  return [fileName.slice(0, dot), fileName.slice(dot + 1)];
}

/**
 * Takes a key of the layout apart (spec §2). Only keys this package builds are accepted, in their
 * canonical form (lowercase, but for a listing id that is not UUID-shaped, which is kept as
 * given), so `parseMediaKey(renditionKey(p))` gives back `p` and a key that
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

  if (rebuilt() !== key) {
    throw invalidKey(key, 'is not in canonical form (UUID-shaped ids and extensions in lowercase)');
  }
  return parsed;
}
