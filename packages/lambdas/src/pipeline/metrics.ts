/**
 * The pipeline's custom CloudWatch metrics, spelled once: the functions publish them (Powertools
 * Metrics, embedded metric format) and `infra` builds its alarms and dashboard on them.
 *
 * Every metric carries the `Stage` dimension, so that one account's stages never mix; the
 * breakdowns add the dimensions listed beside each name to a second dimension set, while the
 * aggregate (`Stage` alone) is what the alarms read.
 */

/** The CloudWatch namespace of every custom metric. */
export const METRICS_NAMESPACE = 'TOQ/MediaPipeline';

/** The dimension every metric carries: the deployed stage (`STAGE` in the functions' env). */
export const STAGE_DIMENSION = 'Stage';

/** The metrics, with their unit and breakdown dimensions. */
export const PIPELINE_METRICS = {
  /** Count, one per item recorded as succeeded; breakdown: `MediaType` (photo, video). */
  itemSucceeded: { name: 'ItemSucceeded', unit: 'Count', breakdown: ['MediaType'] },
  /** Count, one per item recorded as failed; breakdown: `MediaType`, `ErrorCode`. */
  itemFailed: { name: 'ItemFailed', unit: 'Count', breakdown: ['MediaType', 'ErrorCode'] },
  /** Count, one per listing consolidated; breakdown: `Status` (succeeded, partially_failed, failed). */
  listingCompleted: { name: 'ListingCompleted', unit: 'Count', breakdown: ['Status'] },
  /** Count, one per webhook the backend acknowledged (2xx). */
  webhookDelivered: { name: 'WebhookDelivered', unit: 'Count', breakdown: [] },
  /** Count, one per callback that gave up (every attempt refused or unanswered). */
  webhookFailed: { name: 'WebhookFailed', unit: 'Count', breakdown: [] },
  /** Milliseconds from the callback's first attempt to its outcome. */
  webhookLatency: { name: 'WebhookLatency', unit: 'Milliseconds', breakdown: [] },
  /** Milliseconds one photo's renditions took (read, decode, encode, write). */
  photoRenderTime: { name: 'PhotoRenderTime', unit: 'Milliseconds', breakdown: [] },
} as const;

export type PipelineMetric = keyof typeof PIPELINE_METRICS;
