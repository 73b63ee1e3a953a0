import { z } from 'zod';
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
  .uuid({ error: 'must be a UUID such as 0b7c1a52-1f0e-4c7e-9a51-6f6d2a7b9c10' })
  .overwrite((value) => value.toLowerCase());

/** The listing's id, a UUID (lowercase). It is the first segment of every key of the listing. */
export const ListingId = CanonicalUuid.describe('The listing, a UUID (normalised to lowercase).');
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
    error: 'must be 1-40 characters of letters, digits, "_" or "-"',
  })
  .describe('The backend’s id for this request (idempotency key): 1-40 of A-Z a-z 0-9 _ -.');
export type RequestId = z.infer<typeof RequestId>;

export const MediaType = z.enum(MEDIA_TYPES).describe('`photo` or `video`.');
export type MediaType = z.infer<typeof MediaType>;
export type MediaExtension = PhotoExtension | VideoExtension;

const ALL_MEDIA_EXTENSIONS: readonly string[] = [
  ...MEDIA_EXTENSIONS.photo,
  ...MEDIA_EXTENSIONS.video,
];

/** A raw upload's extension: any of {@link MEDIA_EXTENSIONS}, accepted in any case, lowercased. */
export const MediaExtension = z
  .string()
  .overwrite((value) => value.toLowerCase())
  .refine((value) => ALL_MEDIA_EXTENSIONS.includes(value), {
    error: `must be one of ${ALL_MEDIA_EXTENSIONS.join(', ')}`,
  })
  .describe(`The raw file's extension without the dot: ${ALL_MEDIA_EXTENSIONS.join(', ')}.`);

/** Whether `ext` is allowed for `mediaType` (e.g. `mov` is a video, never a photo). */
export function isExtensionOf(mediaType: MediaType, ext: string): boolean {
  return (MEDIA_EXTENSIONS[mediaType] as readonly string[]).includes(ext);
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
  if (ALL_MEDIA_EXTENSIONS.includes(parts.ext) && !isExtensionOf(parts.mediaType, parts.ext)) {
    ctx.addIssue({
      code: 'custom',
      path: ['ext'],
      message: `"${parts.ext}" is not a ${parts.mediaType} extension`,
    });
  }
}

export const RenditionSize = z.enum(RENDITION_SIZES).describe('thumbnail, small, medium or large.');
export type RenditionSize = z.infer<typeof RenditionSize>;

const ALL_RENDITION_EXTENSIONS = [
  ...new Set<string>([...RENDITION_EXTENSIONS.photo, ...RENDITION_EXTENSIONS.video]),
];

export const RenditionExtension = z
  .enum(ALL_RENDITION_EXTENSIONS as [RenditionExtensionName, ...RenditionExtensionName[]])
  .describe('The format written: jpg, png, webp, avif (photos) or mp4, jpg (videos).');
export type RenditionExtension = z.infer<typeof RenditionExtension>;
