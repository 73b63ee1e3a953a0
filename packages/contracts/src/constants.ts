/**
 * The pipeline's constants, and how its error messages show a received value, with no runtime
 * dependency (no zod): published as `@toq/contracts/constants` so that libraries such as
 * `@toq/thumbnails` and `@toq/zipper` can inline them.
 */

export { describeValue } from './describe-value';

/** The two kinds of media a listing has. */
export const MEDIA_TYPES = ['photo', 'video'] as const;
/** `photo` or `video`. */
export type MediaType = (typeof MEDIA_TYPES)[number];

/** The extensions a raw upload may have, per media type (lowercase, without the dot). */
export const MEDIA_EXTENSIONS = {
  photo: ['jpg', 'jpeg', 'png', 'webp', 'heic', 'heif', 'avif', 'tif', 'tiff'],
  video: ['mp4', 'mov', 'm4v', 'webm'],
} as const satisfies Record<MediaType, readonly string[]>;
/** A photo's raw extension: `jpg`, `jpeg`, `png`, `webp`, `heic`, `heif`, `avif`, `tif`, `tiff`. */
export type PhotoExtension = (typeof MEDIA_EXTENSIONS.photo)[number];
/** A video's raw extension: `mp4`, `mov`, `m4v`, `webm`. */
export type VideoExtension = (typeof MEDIA_EXTENSIONS.video)[number];

/** The rendition sizes, smallest first. */
export const RENDITION_SIZES = ['thumbnail', 'small', 'medium', 'large'] as const;
/** `thumbnail` (200 px wide), `small` (400), `medium` (800) or `large` (1200): see `RENDITION_WIDTHS`. */
export type RenditionSize = (typeof RENDITION_SIZES)[number];

/**
 * Each size's width in pixels, as in an HTML `srcset` `w` descriptor. Height follows the aspect
 * ratio after EXIF rotation; an image narrower than the width is never enlarged.
 */
export const RENDITION_WIDTHS = {
  thumbnail: 200,
  small: 400,
  medium: 800,
  large: 1200,
} as const satisfies Record<RenditionSize, number>;

/**
 * The formats a rendition is written in (the `{ext}` of its key): photos as JPEG, PNG (kept
 * transparency), WebP or AVIF; videos as an MP4 (`large` only) and JPEG poster frames.
 */
export const RENDITION_EXTENSIONS = {
  photo: ['jpg', 'png', 'webp', 'avif'],
  video: ['mp4', 'jpg'],
} as const satisfies Record<MediaType, readonly string[]>;
/** A format a rendition is written in: `jpg`, `png`, `webp`, `avif` or `mp4`. */
export type RenditionExtension =
  (typeof RENDITION_EXTENSIONS.photo)[number] | (typeof RENDITION_EXTENSIONS.video)[number];

/** The MIME type of each rendition format, for Content-Type headers. */
export const RENDITION_CONTENT_TYPES = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  mp4: 'video/mp4',
} as const satisfies Record<RenditionExtension, string>;

/**
 * The names of the errors the pipeline's functions throw. Step Functions' `Retry` and `Catch`
 * match them (Lambda reports an error's `name` as its `errorType`), so they are part of the state
 * machine's API.
 */
export const PIPELINE_ERROR_NAMES = {
  /** Storage or network trouble worth retrying (S3 5xx or throttling, timeouts). */
  transient: 'TransientError',
  /** The execution's input is not a valid processing request. Never retried. */
  invalidRequest: 'InvalidRequestError',
  /** The backend did not accept the webhook after the function's own retries. Retried later. */
  webhookDelivery: 'WebhookDeliveryError',
  /**
   * The backend refused the webhook (a 4xx other than 408 and 429) or its URL is not allowed:
   * sending it again cannot help. Never retried.
   */
  webhookRejected: 'WebhookRejectedError',
  /** The function's configuration (environment) is invalid. Never retried. */
  configuration: 'ConfigurationError',
} as const;
/** One of {@link PIPELINE_ERROR_NAMES}' values. */
export type PipelineErrorName = (typeof PIPELINE_ERROR_NAMES)[keyof typeof PIPELINE_ERROR_NAMES];

/**
 * Where the pipeline keeps an execution's bookkeeping (request, validation report, per-item
 * records, consolidated result) in the media bucket: `_pipeline/{listingId}/{requestId}/`. Outside
 * every `{listingId}/` tree, so one lifecycle rule expires it and the zip never bundles it.
 */
export const PIPELINE_STATE_PREFIX = '_pipeline/';

/**
 * The tag that classes an object as a raw upload (`media-class=raw`): the media bucket's lifecycle
 * rule moves objects carrying it to Glacier after 180 days, since no key prefix filter can match
 * `{listingId}/raw/`. A backend sets it when it uploads (`x-amz-tagging: media-class=raw`), and
 * the pipeline's validate step sets it on every raw upload it accepts, in case it was forgotten.
 */
export const RAW_UPLOAD_TAG = { key: 'media-class', value: 'raw' } as const;
