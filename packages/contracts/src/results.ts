import { z } from 'zod';
import { ListingId, MediaId, MediaType, RenditionExtension, RenditionSize, RequestId } from './ids';
import { RENDITION_CONTENT_TYPES } from './constants';
import { MediaItem } from './messages';

/**
 * Why one media item failed. Stable: backends may switch on them.
 * - `OBJECT_NOT_FOUND`: no raw object at the item's key.
 * - `OBJECT_EMPTY`: the raw object has zero bytes.
 * - `OBJECT_TOO_LARGE`: over the configured limit for its media type.
 * - `SIZE_MISMATCH`: the object's size differs from the declared `bytes`.
 * - `TYPE_MISMATCH`: its content is another media type or format than declared.
 * - `UNSUPPORTED_FORMAT`: a format the pipeline cannot process.
 * - `CORRUPT_IMAGE`: the photo cannot be decoded.
 * - `IMAGE_TOO_LARGE`: the photo has more pixels than allowed.
 * - `TRANSCODE_FAILED`: the video transcode failed.
 * - `TRANSCODER_UNAVAILABLE`: no transcoder is available (local runs without ffmpeg).
 * - `TIMEOUT`: processing took too long.
 * - `PROCESSING_FAILED`: any other failure; the message says more.
 */
export const MEDIA_ERROR_CODES = [
  'OBJECT_NOT_FOUND',
  'OBJECT_EMPTY',
  'OBJECT_TOO_LARGE',
  'SIZE_MISMATCH',
  'TYPE_MISMATCH',
  'UNSUPPORTED_FORMAT',
  'CORRUPT_IMAGE',
  'IMAGE_TOO_LARGE',
  'TRANSCODE_FAILED',
  'TRANSCODER_UNAVAILABLE',
  'TIMEOUT',
  'PROCESSING_FAILED',
] as const;
export const MediaErrorCode = z.enum(MEDIA_ERROR_CODES).describe('Why the item failed (stable).');
export type MediaErrorCode = z.infer<typeof MediaErrorCode>;

/**
 * Why the listing as a whole is degraded or failed. Stable.
 * - `NO_VALID_MEDIA`: every item was rejected or failed.
 * - `ZIP_FAILED`: the zip bundle could not be written.
 * - `PIPELINE_FAILED`: the workflow itself failed; the message says where.
 */
export const LISTING_ERROR_CODES = ['NO_VALID_MEDIA', 'ZIP_FAILED', 'PIPELINE_FAILED'] as const;
export const ListingErrorCode = z.enum(LISTING_ERROR_CODES).describe('A listing-level problem.');
export type ListingErrorCode = z.infer<typeof ListingErrorCode>;

const ErrorMessage = z.string().min(1).max(1000).describe('A human-readable explanation.');

/** An item's failure: a stable code and a message for humans. */
export const MediaError = z
  .strictObject({ code: MediaErrorCode, message: ErrorMessage })
  .meta({ title: 'MediaError' });
export type MediaError = z.output<typeof MediaError>;

/** A listing-level problem: a stable code and a message for humans. */
export const ListingError = z
  .strictObject({ code: ListingErrorCode, message: ErrorMessage })
  .meta({ title: 'ListingError' });
export type ListingError = z.output<typeof ListingError>;

/** A media item that will not be (or could not be) processed, and why. */
export const ItemFailure = z
  .strictObject({ mediaId: MediaId, mediaType: MediaType, error: MediaError })
  .meta({ title: 'ItemFailure' });
export type ItemFailure = z.output<typeof ItemFailure>;

/** What Validate found: the items that go on, and the ones rejected with a code. */
export const ValidationReport = z
  .strictObject({
    listingId: ListingId,
    requestId: RequestId,
    accepted: z
      .array(MediaItem)
      .describe('Items whose raw object is present, sized and typed as declared.'),
    rejected: z.array(ItemFailure).describe('Items that will not be processed, with the reason.'),
  })
  .meta({ title: 'ValidationReport', description: 'The Validate step’s result.' });
export type ValidationReport = z.output<typeof ValidationReport>;

const PixelSize = z.int().positive();
const ByteSize = z.int().nonnegative();

/** One processed object: a photo rendition, a video poster frame or a video's MP4. */
export const Rendition = z
  .strictObject({
    size: RenditionSize,
    key: z.string().min(1).describe('The object key in the media bucket.'),
    ext: RenditionExtension,
    contentType: z.enum(Object.values(RENDITION_CONTENT_TYPES) as [string, ...string[]]),
    width: PixelSize.describe(
      'Width in pixels: the size’s width, or less when the source is narrower.',
    ),
    height: PixelSize.describe('Height in pixels, from the aspect ratio after EXIF rotation.'),
    bytes: ByteSize.describe('The object’s size in bytes.'),
  })
  .meta({ title: 'Rendition' });
export type Rendition = z.output<typeof Rendition>;

/** What the Thumbnails step wrote for one photo. */
export const PhotoRenditionsResult = z
  .strictObject({
    mediaId: MediaId,
    mediaType: z.literal('photo'),
    source: z
      .strictObject({
        format: z.string().describe('The decoded format: jpeg, png, webp, heif, avif, tiff, gif…'),
        width: PixelSize.describe('Width after EXIF rotation.'),
        height: PixelSize.describe('Height after EXIF rotation.'),
      })
      .describe('The raw photo as decoded.'),
    renditions: z.array(Rendition).min(1),
    placeholder: z
      .string()
      .max(200)
      .optional()
      .describe('A ThumbHash (base64) of the photo, to paint a blurred preview while it loads.'),
  })
  .meta({ title: 'PhotoRenditionsResult' });
export type PhotoRenditionsResult = z.output<typeof PhotoRenditionsResult>;

/** What the video branch (MediaConvert, then normalisation) wrote for one video. */
export const VideoOutputsResult = z
  .strictObject({
    mediaId: MediaId,
    mediaType: z.literal('video'),
    durationSeconds: z.number().nonnegative().optional().describe('The MP4’s duration.'),
    renditions: z
      .array(Rendition)
      .min(1)
      .describe('The MP4 at `large` and the JPEG poster frames at every size.'),
  })
  .meta({ title: 'VideoOutputsResult' });
export type VideoOutputsResult = z.output<typeof VideoOutputsResult>;

/** The listing's zip bundle. */
export const ZipResult = z
  .strictObject({
    key: z.string().min(1).describe('{listingId}/processed/zip/{listingId}.zip'),
    bytes: ByteSize.describe('The archive’s size in bytes.'),
    entries: z.int().nonnegative().describe('How many files it holds.'),
  })
  .meta({ title: 'ZipResult' });
export type ZipResult = z.output<typeof ZipResult>;

/** One media item's outcome in the consolidated result. */
export const MediaOutcome = z
  .discriminatedUnion('status', [
    z.strictObject({
      status: z.literal('succeeded'),
      mediaId: MediaId,
      mediaType: MediaType,
      renditions: z.array(Rendition).min(1),
      placeholder: z.string().max(200).optional().describe('ThumbHash (base64), photos only.'),
      durationSeconds: z.number().nonnegative().optional().describe('Videos only.'),
    }),
    z.strictObject({
      status: z.literal('failed'),
      mediaId: MediaId,
      mediaType: MediaType,
      error: MediaError,
    }),
  ])
  .meta({ title: 'MediaOutcome' });
export type MediaOutcome = z.output<typeof MediaOutcome>;

/** How the listing went as a whole. */
export const LISTING_STATUSES = ['succeeded', 'partially_failed', 'failed'] as const;
export const ListingStatus = z
  .enum(LISTING_STATUSES)
  .describe(
    '`succeeded`: every item and the zip; `partially_failed`: some items (or the zip) failed; `failed`: nothing was processed.',
  );
export type ListingStatus = z.infer<typeof ListingStatus>;

/** The current (and only) version of {@link ListingMediaResult}. */
export const LISTING_RESULT_VERSION = 1;

/** The consolidated outcome of one request: every item, the zip, and the listing's status. */
export const ListingMediaResult = z
  .strictObject({
    schemaVersion: z.literal(LISTING_RESULT_VERSION),
    listingId: ListingId,
    requestId: RequestId,
    status: ListingStatus,
    summary: z
      .strictObject({
        total: z.int().nonnegative(),
        succeeded: z.int().nonnegative(),
        failed: z.int().nonnegative(),
      })
      .describe('Counts of media items.'),
    media: z.array(MediaOutcome).describe('Every item of the request, in the request’s order.'),
    zip: ZipResult.nullable().describe('The bundle, or null when none was written.'),
    errors: z.array(ListingError).describe('Listing-level problems (empty when none).'),
    completedAt: z.iso.datetime().describe('When the result was consolidated (UTC, ISO 8601).'),
  })
  .meta({
    title: 'ListingMediaResult',
    description: 'The consolidated result of one processing request.',
  });
export type ListingMediaResult = z.output<typeof ListingMediaResult>;
