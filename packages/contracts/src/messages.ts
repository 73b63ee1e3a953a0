import * as z from 'zod';
import {
  ListingId,
  MediaExtension,
  MediaId,
  MediaType,
  RequestId,
  checkExtensionMatchesType,
  checkUniqueMediaIds,
} from './ids';
import { describeValue } from './describe-value';

/** The most media one request may list; the pipeline's state stays under Step Functions' 256 KB. */
export const MAX_MEDIA_PER_REQUEST = 2000;

/** The current (and only) version of {@link ProcessingRequest}. */
export const PROCESSING_REQUEST_VERSION = 1;

/** One entry of a request's manifest: a raw upload at `rawKey(listingId, mediaType, mediaId, ext)`. */
export const MediaItem = z
  .strictObject({
    mediaId: MediaId,
    mediaType: MediaType,
    ext: MediaExtension,
    bytes: z
      .int()
      .positive()
      .optional()
      .describe('The size the backend uploaded, in bytes. When given, the object must match it.'),
  })
  .superRefine(checkExtensionMatchesType)
  .meta({
    title: 'MediaItem',
    description: 'One raw upload of the listing, at {listingId}/raw/{mediaType}/{mediaId}.{ext}.',
  });
export type MediaItem = z.output<typeof MediaItem>;

/**
 * An absolute http(s) URL of printable ASCII (an internationalised host in its punycode form),
 * taken as it is: no trimming, no whitespace, no control characters.
 */
const CALLBACK_URL_PATTERN = /^[hH][tT][tT][pP][sS]?:\/\/[!-~]+$/;

/** Where the pipeline calls the backend back when the listing is done. */
export const CallbackTarget = z
  .strictObject({
    url: z
      .string()
      .max(2048, { error: 'must be at most 2048 characters' })
      .regex(CALLBACK_URL_PATTERN, {
        abort: true,
        error: (issue) =>
          `must be an absolute http(s) URL of printable ASCII characters, received ${describeValue(issue.input)}`,
      })
      .refine((url) => URL.canParse(url), {
        error: (issue) => `must be a valid URL, received ${describeValue(issue.input)}`,
      })
      .meta({
        format: 'uri',
        description:
          'The webhook endpoint, an absolute URL. Must be https and on the pipeline’s allowlist; http is accepted for loopback in local development only.',
        examples: ['https://backend.example.com/hooks/listing-media'],
      }),
  })
  .meta({
    title: 'CallbackTarget',
    description: 'Where the pipeline POSTs the signed listing.media.processed webhook.',
  });
export type CallbackTarget = z.output<typeof CallbackTarget>;

/**
 * The message a backend sends to the queue (and the state machine's input): process these raw
 * uploads of one listing and call back when done. Parsing lowercases ids and extensions and
 * rejects unknown fields, duplicate media ids and extensions of the other media type.
 *
 * @example
 * const request = parse(ProcessingRequest, {
 *   schemaVersion: 1, requestId: 'req-1', listingId,
 *   media: [{ mediaId, mediaType: 'photo', ext: 'JPG', bytes: 2345678 }],
 *   callback: { url: 'https://backend.example.com/hooks/listing-media' },
 * }); // request.media[0].ext === 'jpg'
 */
export const ProcessingRequest = z
  .strictObject({
    schemaVersion: z
      .literal(PROCESSING_REQUEST_VERSION)
      .describe('The message format’s version. Always 1 today.'),
    requestId: RequestId,
    listingId: ListingId,
    media: z
      .array(MediaItem)
      .min(1, { error: 'must list at least one media item' })
      .max(MAX_MEDIA_PER_REQUEST, {
        error: `must list at most ${MAX_MEDIA_PER_REQUEST} media items`,
      })
      .superRefine((items, ctx) => checkUniqueMediaIds(items, ctx))
      .describe('The raw uploads to process, each already in the media bucket.'),
    callback: CallbackTarget,
  })
  .meta({
    title: 'ProcessingRequest',
    description:
      'Sent by a backend to the listing-media-processing queue: process these raw uploads of one listing, then call back.',
  });
export type ProcessingRequest = z.output<typeof ProcessingRequest>;
/** What a backend writes before parsing: extensions and ids in any case. */
export type ProcessingRequestInput = z.input<typeof ProcessingRequest>;
