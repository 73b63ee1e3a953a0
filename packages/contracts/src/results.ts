import * as z from 'zod';
import {
  ListingId,
  MediaId,
  MediaType,
  RenditionExtension,
  RenditionSize,
  RequestId,
  checkUniqueMediaIds,
} from './ids';
import { RENDITION_CONTENT_TYPES } from './constants';
import { describeValue } from './describe-value';
import { RENDITION_KEY_PATTERN, ZIP_KEY_PATTERN } from './keys';
import { MediaItem } from './messages';

/**
 * Why one media item failed. Stable: backends may switch on them.
 * - `OBJECT_NOT_FOUND`: no raw object at the item's key.
 * - `OBJECT_EMPTY`: the raw object has zero bytes.
 * - `OBJECT_TOO_LARGE`: over the configured limit for its media type.
 * - `OBJECT_ARCHIVED`: the raw object is in an archive storage class (S3 Glacier Flexible
 *   Retrieval or Deep Archive) and not restored: it cannot be read until it is restored.
 * - `SIZE_MISMATCH`: the object's size differs from the declared `bytes`.
 * - `TYPE_MISMATCH`: its content is another media type or format than declared.
 * - `UNSUPPORTED_FORMAT`: a format the pipeline cannot process.
 * - `CORRUPT_IMAGE`: the photo cannot be decoded.
 * - `IMAGE_TOO_LARGE`: the photo has more pixels than allowed, or would need more memory to
 *   decode than the renderer's budget.
 * - `IMAGE_DIMENSIONS_UNSUPPORTED`: the photo is too elongated (beyond 1:20 either way).
 * - `TRANSCODE_FAILED`: the video transcode failed.
 * - `VIDEO_TRUNCATED`: the upload was cut short (re-upload the whole file): its container declares
 *   no duration (an MP4 cut before its `moov`), or it transcoded to less than it declares.
 * - `TIMEOUT`: processing took too long.
 * - `PROCESSING_FAILED`: any other failure; the message says more.
 */
export const MEDIA_ERROR_CODES = [
  'OBJECT_NOT_FOUND',
  'OBJECT_EMPTY',
  'OBJECT_TOO_LARGE',
  'OBJECT_ARCHIVED',
  'SIZE_MISMATCH',
  'TYPE_MISMATCH',
  'UNSUPPORTED_FORMAT',
  'CORRUPT_IMAGE',
  'IMAGE_TOO_LARGE',
  'IMAGE_DIMENSIONS_UNSUPPORTED',
  'TRANSCODE_FAILED',
  'VIDEO_TRUNCATED',
  'TIMEOUT',
  'PROCESSING_FAILED',
] as const;
/** The schema of {@link MEDIA_ERROR_CODES}. */
export const MediaErrorCode = z.enum(MEDIA_ERROR_CODES).describe('Why the item failed (stable).');
export type MediaErrorCode = z.infer<typeof MediaErrorCode>;

/**
 * Why the listing as a whole is degraded or failed. Stable.
 * - `NO_VALID_MEDIA`: every item was rejected or failed.
 * - `ZIP_FAILED`: the zip bundle could not be written.
 * - `PIPELINE_FAILED`: the workflow itself failed; the message says where.
 */
export const LISTING_ERROR_CODES = ['NO_VALID_MEDIA', 'ZIP_FAILED', 'PIPELINE_FAILED'] as const;
/** The schema of {@link LISTING_ERROR_CODES}. */
export const ListingErrorCode = z.enum(LISTING_ERROR_CODES).describe('A listing-level problem.');
export type ListingErrorCode = z.infer<typeof ListingErrorCode>;

const ErrorMessage = z.string().min(1).max(1000).describe('A human-readable explanation.');

/** An item's failure: a stable code and a message for humans. */
export const MediaError = z.strictObject({ code: MediaErrorCode, message: ErrorMessage }).meta({
  title: 'MediaError',
  description: 'Why one media item failed: a stable code and a message.',
});
export type MediaError = z.output<typeof MediaError>;

/** A listing-level problem: a stable code and a message for humans. */
export const ListingError = z.strictObject({ code: ListingErrorCode, message: ErrorMessage }).meta({
  title: 'ListingError',
  description: 'A listing-level problem: a stable code and a message.',
});
export type ListingError = z.output<typeof ListingError>;

/** A media item that will not be (or could not be) processed, and why. */
export const ItemFailure = z
  .strictObject({ mediaId: MediaId, mediaType: MediaType, error: MediaError })
  .meta({
    title: 'ItemFailure',
    description: 'A media item that was rejected or could not be processed, and why.',
  });
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

/**
 * Adds an issue where a rendition's fields disagree: the content type must be its format's, and
 * the key's size and extension must be the record's.
 */
function checkRenditionConsistency(
  rendition: { key: string; size: string; ext: string; contentType: string },
  ctx: z.RefinementCtx,
): void {
  const expected = RENDITION_CONTENT_TYPES[rendition.ext as keyof typeof RENDITION_CONTENT_TYPES];
  if (rendition.contentType !== expected) {
    ctx.addIssue({
      code: 'custom',
      path: ['contentType'],
      message: `must be ${expected} for a ${rendition.ext} rendition, received ${describeValue(rendition.contentType)}`,
    });
  }
  const [size, file = ''] = rendition.key.split('/').slice(-2);
  if (size !== rendition.size || !file.endsWith(`.${rendition.ext}`)) {
    ctx.addIssue({
      code: 'custom',
      path: ['key'],
      message: `must be a ${rendition.size} ${rendition.ext} key (…/${rendition.size}/{mediaId}.${rendition.ext}), received ${describeValue(rendition.key, 120)}`,
    });
  }
}

/** One processed object: a photo rendition, a video poster frame or a video's MP4. */
export const Rendition = z
  .strictObject({
    size: RenditionSize,
    key: z
      .string()
      .regex(RENDITION_KEY_PATTERN, {
        abort: true,
        error: (issue) =>
          `must be a rendition key {listingId}/processed/{mediaType}/{size}/{mediaId}.{ext}, received ${describeValue(issue.input, 120)}`,
      })
      .describe(
        'The object key in the media bucket: {listingId}/processed/{mediaType}/{size}/{mediaId}.{ext}.',
      ),
    ext: RenditionExtension,
    contentType: z
      .enum(Object.values(RENDITION_CONTENT_TYPES) as [string, ...string[]])
      .describe(
        'The MIME type of the format: image/jpeg, image/png, image/webp, image/avif or video/mp4.',
      ),
    width: PixelSize.describe(
      'Width in pixels: the size’s width, or less when the source is narrower.',
    ),
    height: PixelSize.describe('Height in pixels, from the aspect ratio after EXIF rotation.'),
    bytes: ByteSize.describe('The object’s size in bytes.'),
  })
  .superRefine(checkRenditionConsistency)
  .meta({
    title: 'Rendition',
    description:
      'One processed object in the media bucket: a photo rendition, a video poster frame or a video’s MP4.',
  });
export type Rendition = z.output<typeof Rendition>;

const Placeholder = z
  .string()
  .max(200)
  .describe('A ThumbHash (base64) of the photo, to paint a blurred preview while it loads.');
const DurationSeconds = z.number().nonnegative().describe('The MP4’s duration in seconds.');

/** What the Thumbnails step wrote for one photo. */
export const PhotoRenditionsResult = z
  .strictObject({
    mediaId: MediaId,
    mediaType: z.literal('photo').describe('Always `photo`.'),
    source: z
      .strictObject({
        format: z.string().describe('The decoded format: jpeg, png, webp, heif, avif, tiff, gif…'),
        width: PixelSize.describe('Width after EXIF rotation.'),
        height: PixelSize.describe('Height after EXIF rotation.'),
      })
      .describe('The raw photo as decoded.'),
    renditions: z
      .array(Rendition)
      .min(1)
      .describe('Every rendition written, one per size (smallest first).'),
    placeholder: Placeholder.optional(),
  })
  .meta({
    title: 'PhotoRenditionsResult',
    description: 'What the Thumbnails step wrote for one photo.',
  });
export type PhotoRenditionsResult = z.output<typeof PhotoRenditionsResult>;

/** What the video branch (MediaConvert, then normalisation) wrote for one video. */
export const VideoOutputsResult = z
  .strictObject({
    mediaId: MediaId,
    mediaType: z.literal('video').describe('Always `video`.'),
    durationSeconds: DurationSeconds.optional(),
    renditions: z
      .array(Rendition)
      .min(1)
      .describe('The MP4 at `large` and the JPEG poster frames at every size.'),
  })
  .meta({
    title: 'VideoOutputsResult',
    description: 'What the video branch (transcode, then poster frames) wrote for one video.',
  });
export type VideoOutputsResult = z.output<typeof VideoOutputsResult>;

/** The listing's zip bundle. */
export const ZipResult = z
  .strictObject({
    key: z
      .string()
      .regex(ZIP_KEY_PATTERN, {
        error: (issue) =>
          `must be the zip key {listingId}/processed/zip/{listingId}.zip, received ${describeValue(issue.input, 120)}`,
      })
      .describe('The archive’s key: {listingId}/processed/zip/{listingId}.zip.'),
    bytes: ByteSize.describe('The archive’s size in bytes.'),
    entries: z.int().nonnegative().describe('How many files it holds.'),
  })
  .meta({
    title: 'ZipResult',
    description:
      'The listing’s zip bundle: every rendition at {mediaType}/{size}/{mediaId}.{ext} inside.',
  });
export type ZipResult = z.output<typeof ZipResult>;

/** One media item's outcome in the consolidated result. */
export const MediaOutcome = z
  .discriminatedUnion('status', [
    z
      .strictObject({
        status: z.literal('succeeded').describe('The item was processed.'),
        mediaId: MediaId,
        mediaType: MediaType,
        renditions: z
          .array(Rendition)
          .min(1)
          .describe('Every object written for the item (for a video: the MP4 and the posters).'),
        placeholder: Placeholder.optional().describe(
          'A ThumbHash (base64) of the photo, to paint a blurred preview while it loads. Photos only.',
        ),
        durationSeconds: DurationSeconds.optional().describe(
          'The MP4’s duration in seconds. Videos only.',
        ),
      })
      .meta({ title: 'SucceededMedia', description: 'A media item that was processed.' }),
    z
      .strictObject({
        status: z.literal('failed').describe('The item was rejected or failed.'),
        mediaId: MediaId,
        mediaType: MediaType,
        error: MediaError,
      })
      .meta({ title: 'FailedMedia', description: 'A media item that was rejected or failed.' }),
  ])
  .meta({
    title: 'MediaOutcome',
    description: 'One media item’s outcome: `succeeded` with its renditions, or `failed` with why.',
  });
export type MediaOutcome = z.output<typeof MediaOutcome>;

/** How the listing went as a whole. */
export const LISTING_STATUSES = ['succeeded', 'partially_failed', 'failed'] as const;
/** The schema of {@link LISTING_STATUSES}. */
export const ListingStatus = z
  .enum(LISTING_STATUSES)
  .describe(
    '`succeeded`: every item and the zip; `partially_failed`: some items (or the zip) failed; `failed`: nothing was processed.',
  );
export type ListingStatus = z.infer<typeof ListingStatus>;

/** The current (and only) version of {@link ListingMediaResult}. */
export const LISTING_RESULT_VERSION = 1;

function count(outcomes: readonly MediaOutcome[], status: MediaOutcome['status']): number {
  return outcomes.filter((outcome) => outcome.status === status).length;
}

/**
 * Adds an issue wherever the consolidated result contradicts itself: counts that are not the
 * media's, a media id listed twice, or a status its items and errors do not support.
 */
function checkResultConsistency(
  result: {
    status: ListingStatus;
    summary: { total: number; succeeded: number; failed: number };
    media: readonly MediaOutcome[];
    errors: readonly ListingError[];
  },
  ctx: z.RefinementCtx,
): void {
  const { summary, media } = result;
  const actual = {
    total: media.length,
    succeeded: count(media, 'succeeded'),
    failed: count(media, 'failed'),
  };
  for (const field of ['total', 'succeeded', 'failed'] as const) {
    if (summary[field] !== actual[field]) {
      ctx.addIssue({
        code: 'custom',
        path: ['summary', field],
        message: `must be ${actual[field]} (counted in media), received ${summary[field]}`,
      });
    }
  }
  checkUniqueMediaIds(media, ctx, ['media']);
  const troubled = actual.failed > 0 || result.errors.length > 0;
  const supported =
    result.status === 'succeeded'
      ? actual.succeeded > 0 && !troubled
      : result.status === 'failed'
        ? actual.succeeded === 0
        : actual.succeeded > 0 && troubled;
  if (!supported) {
    ctx.addIssue({
      code: 'custom',
      path: ['status'],
      message: `cannot be "${result.status}" with ${actual.succeeded} succeeded, ${actual.failed} failed and ${result.errors.length} listing errors (succeeded: some succeeded and nothing failed; partially_failed: some succeeded and something failed; failed: none succeeded)`,
    });
  }
}

/**
 * The consolidated outcome of one request: every item, the zip, and the listing's status. Parsing
 * also checks that `summary` counts `media`, that media ids are unique and that `status` fits.
 *
 * @example
 * const result = parse(ListingMediaResult, JSON.parse(resultJson));
 * const failed = result.media.filter((item) => item.status === 'failed');
 */
export const ListingMediaResult = z
  .strictObject({
    schemaVersion: z
      .literal(LISTING_RESULT_VERSION)
      .describe('The result format’s version. Always 1 today.'),
    listingId: ListingId,
    requestId: RequestId,
    status: ListingStatus,
    summary: z
      .strictObject({
        total: z.int().nonnegative().describe('Media items in the request.'),
        succeeded: z.int().nonnegative().describe('Items processed.'),
        failed: z.int().nonnegative().describe('Items rejected or failed.'),
      })
      .describe('Counts of media items; total = succeeded + failed = media.length.'),
    media: z.array(MediaOutcome).describe('Every item of the request, in the request’s order.'),
    zip: ZipResult.nullable().describe('The bundle, or null when none was written.'),
    errors: z.array(ListingError).describe('Listing-level problems (empty when none).'),
    completedAt: z.iso.datetime().describe('When the result was consolidated (UTC, ISO 8601).'),
  })
  .superRefine(checkResultConsistency)
  .meta({
    title: 'ListingMediaResult',
    description: 'The consolidated result of one processing request.',
  });
export type ListingMediaResult = z.output<typeof ListingMediaResult>;
