import * as z from 'zod';
import { describeValue } from './describe-value';
import {
  MEDIA_EXTENSIONS,
  MEDIA_TYPES,
  RENDITION_EXTENSIONS,
  RENDITION_SIZES,
  type PhotoExtension,
  type RenditionExtension as RenditionExtensionName,
  type VideoExtension,
} from './constants';

/**
 * A UUID in canonical form: accepted in any letter case and normalised to lowercase, so the same
 * id always builds the same key.
 */
const CanonicalUuid = z
  .uuid({
    error: (issue) =>
      `must be a UUID such as 0b7c1a52-1f0e-4c7e-9a51-6f6d2a7b9c10, received ${describeValue(issue.input)}`,
  })
  .overwrite((value) => value.toLowerCase());

/** The longest listing id: 128 characters. */
const MAX_LISTING_ID_LENGTH = 128;

/**
 * A listing id as accepted: 1-128 ASCII letters, digits, `_` or `-`, starting with a letter or a
 * digit. Nothing in it can make a `.`, a `/` or an empty key segment, and it never starts with
 * `_`, the first character of the pipeline's own prefix (`_pipeline/`).
 */
const LISTING_ID_SOURCE = `[A-Za-z0-9][A-Za-z0-9_-]{0,${MAX_LISTING_ID_LENGTH - 1}}`;

/** The 8-4-4-4-12 shape of a UUID, of `hex` digits (no version or variant check). */
const uuidShapeSource = (hex: string) => `${hex}{8}-${hex}{4}-${hex}{4}-${hex}{4}-${hex}{12}`;

/** Any id of a UUID's shape, in any letter case: the ids {@link ListingId} lowercases. */
const UUID_SHAPE = new RegExp(`^${uuidShapeSource('[0-9a-fA-F]')}$`);

/**
 * A listing id as {@link ListingId} gives it, followed by what `next` (a regular expression
 * source) matches: a UUID-shaped id in lowercase, or any other listing id as it is. Only
 * non-capturing groups and a lookahead, which ECMA-262 and Python's `re` read alike.
 * @internal
 */
export function canonicalListingIdSource(next: string): string {
  return `(?:${uuidShapeSource('[0-9a-f]')}|(?!${uuidShapeSource('[0-9a-fA-F]')}${next})${LISTING_ID_SOURCE})`;
}

/** What is wrong with a listing id, for its error message. */
function listingIdProblem(input: unknown): string {
  const expected = `must be 1-${MAX_LISTING_ID_LENGTH} characters of A-Z a-z 0-9 _ -, starting with a letter or digit (a UUID, an integer such as 12345 or a slug such as maison-rue-1_b)`;
  if (typeof input !== 'string') return `${expected}, received ${describeValue(input)}`;
  if (input.length === 0) return `${expected}, received an empty string`;
  if (input.length > MAX_LISTING_ID_LENGTH) {
    return `${expected}, received ${input.length} characters`;
  }
  const characters = [...input];
  const bad = characters.findIndex((c, i) => !(i === 0 ? /[A-Za-z0-9]/ : /[A-Za-z0-9_-]/).test(c));
  const character = describeValue(characters[bad]);
  const where = bad === 0 ? `starts with ${character}` : `has ${character} at position ${bad + 1}`;
  return `${expected}, received ${describeValue(input)}, which ${where}`;
}

/**
 * The listing's id, the first segment of every key of the listing: a UUID, an integer or a slug,
 * 1-128 characters of `A-Z a-z 0-9 _ -` starting with a letter or digit. An id of a UUID's shape
 * (8-4-4-4-12 hex digits) is accepted in any letter case and normalised to lowercase, as before;
 * any other id is kept as given and is case-sensitive, as S3 keys are (`ABC-12` and `abc-12` are
 * two listings).
 *
 * @example
 * parse(ListingId, '4F8C1D2E-7B3A-4C5D-9E8F-0A1B2C3D4E5F'); // '4f8c1d2e-7b3a-4c5d-9e8f-0a1b2c3d4e5f'
 * parse(ListingId, 'ABC-12'); // 'ABC-12'
 */
export const ListingId = z
  .string({ error: (issue) => listingIdProblem(issue.input) })
  .regex(new RegExp(`^${LISTING_ID_SOURCE}$`), {
    error: (issue) => listingIdProblem(issue.input),
  })
  .overwrite((value) => (UUID_SHAPE.test(value) ? value.toLowerCase() : value))
  .describe(
    'The listing: 1-128 of A-Z a-z 0-9 _ -, starting with a letter or digit (a UUID, an integer or a slug). A UUID-shaped id is normalised to lowercase; any other id is kept as given (case-sensitive).',
  );
export type ListingId = z.infer<typeof ListingId>;

/** A media item's id, a UUID (lowercase): the `{uuid}` in its keys. */
export const MediaId = CanonicalUuid.describe('The media item, a UUID (normalised to lowercase).');
export type MediaId = z.infer<typeof MediaId>;

/**
 * The backend's id for one processing request: 1–40 characters of `A-Z a-z 0-9 _ -`. Together
 * with the listing id it names the execution, so sending the same request twice processes the
 * listing once.
 */
export const RequestId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,40}$/, {
    error: (issue) =>
      `must be 1-40 characters of letters, digits, "_" or "-", received ${describeValue(issue.input)}`,
  })
  .describe('The backend’s id for this request (idempotency key): 1-40 of A-Z a-z 0-9 _ -.');
export type RequestId = z.infer<typeof RequestId>;

/** The media type schema: `photo` or `video`. */
export const MediaType = z.enum(MEDIA_TYPES).describe('`photo` or `video`.');
export type MediaType = z.infer<typeof MediaType>;
/** A raw upload's extension, lowercase (as parsing leaves it). */
export type MediaExtension = PhotoExtension | VideoExtension;

const ALL_MEDIA_EXTENSIONS: readonly string[] = [
  ...MEDIA_EXTENSIONS.photo,
  ...MEDIA_EXTENSIONS.video,
];

/**
 * A regular expression source matching exactly one of `words` in any letter case, written with
 * character classes (`[jJ][pP][gG]`) rather than a flag, so that it means the same in every
 * JSON Schema validator (ECMA-262 in ajv, `re` in Python's jsonschema).
 * @internal
 */
export function anyCaseAlternation(words: readonly string[]): string {
  const anyCase = (word: string) =>
    [...word]
      .map((c) =>
        c.toLowerCase() === c.toUpperCase() ? c : `[${c.toLowerCase()}${c.toUpperCase()}]`,
      )
      .join('');
  return `^(?:${words.map(anyCase).join('|')})$`;
}

/**
 * A lowercase UUID (RFC 9562 variant, versions 1-8, or the nil and max UUIDs): what
 * {@link MediaId} gives after parsing, and what every key holds as a media id.
 * @internal
 */
export const LOWERCASE_UUID_SOURCE =
  '(?:[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)';

/** A raw upload's extension: any of {@link MEDIA_EXTENSIONS}, accepted in any case, lowercased. */
export const MediaExtension = z
  .string()
  .regex(new RegExp(anyCaseAlternation(ALL_MEDIA_EXTENSIONS)), {
    error: (issue) =>
      `must be one of ${ALL_MEDIA_EXTENSIONS.join(', ')} (any letter case), received ${describeValue(issue.input)}`,
  })
  .overwrite((value) => value.toLowerCase())
  .describe(
    `The raw file's extension without the dot, in any letter case (normalised to lowercase): ${ALL_MEDIA_EXTENSIONS.join(', ')}.`,
  );

/**
 * Whether `ext` (lowercase, without the dot) is allowed for `mediaType`: `mov` is a video, never a
 * photo. False for anything else, including a `mediaType` that is not one.
 *
 * @example
 * isExtensionOf('photo', 'heic'); // true
 * isExtensionOf('photo', 'mov'); // false
 */
export function isExtensionOf(mediaType: MediaType, ext: string): boolean {
  return (
    Object.hasOwn(MEDIA_EXTENSIONS, mediaType) &&
    (MEDIA_EXTENSIONS[mediaType] as readonly string[]).includes(ext)
  );
}

/**
 * Adds an issue at `ext` when a known extension belongs to the other media type (an unknown one
 * is already reported by {@link MediaExtension}).
 * @internal
 */
export function checkExtensionMatchesType(
  parts: { mediaType: MediaType; ext: string },
  ctx: z.RefinementCtx,
): void {
  if (
    Object.hasOwn(MEDIA_EXTENSIONS, parts.mediaType) &&
    ALL_MEDIA_EXTENSIONS.includes(parts.ext) &&
    !isExtensionOf(parts.mediaType, parts.ext)
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['ext'],
      message: `must be a ${parts.mediaType} extension (${MEDIA_EXTENSIONS[parts.mediaType].join(', ')}), received ${describeValue(parts.ext)}`,
    });
  }
}

/**
 * Adds an issue at each item whose `mediaId` an earlier item already has. `arrayPath` is where
 * the list is, relative to the refined schema (`[]` when refining the array itself).
 * @internal
 */
export function checkUniqueMediaIds(
  items: readonly { mediaId: string }[],
  ctx: z.RefinementCtx,
  arrayPath: readonly PropertyKey[] = [],
): void {
  const firstIndex = new Map<string, number>();
  items.forEach((item, index) => {
    const first = firstIndex.get(item.mediaId);
    if (first === undefined) firstIndex.set(item.mediaId, index);
    else {
      ctx.addIssue({
        code: 'custom',
        path: [...arrayPath, index, 'mediaId'],
        message: `duplicate mediaId ${item.mediaId} (also at media[${first}])`,
      });
    }
  });
}

/**
 * The rendition size schema: `thumbnail`, `small`, `medium` or `large` (`RENDITION_WIDTHS` gives
 * their widths).
 */
export const RenditionSize = z.enum(RENDITION_SIZES).describe('thumbnail, small, medium or large.');
export type RenditionSize = z.infer<typeof RenditionSize>;

const ALL_RENDITION_EXTENSIONS = [
  ...new Set<string>([...RENDITION_EXTENSIONS.photo, ...RENDITION_EXTENSIONS.video]),
];

/** The schema of a rendition's format (the `{ext}` of its key). */
export const RenditionExtension = z
  .enum(ALL_RENDITION_EXTENSIONS as [RenditionExtensionName, ...RenditionExtensionName[]])
  .describe('The format written: jpg, png, webp, avif (photos) or mp4, jpg (videos).');
export type RenditionExtension = z.infer<typeof RenditionExtension>;
