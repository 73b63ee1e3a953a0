import { Metrics } from '@aws-lambda-powertools/metrics';
import type { ListingMediaResult } from '@toq/contracts';
import type { MetricsConfig } from '../config.ts';
import {
  METRICS_NAMESPACE,
  PIPELINE_METRICS,
  STAGE_DIMENSION,
  type PipelineMetric,
} from '../pipeline/metrics.ts';

/** The values of a metric's breakdown dimensions: `{ MediaType: 'photo', ErrorCode: 'TIMEOUT' }`. */
export type Breakdown<M extends PipelineMetric> = Readonly<
  Record<(typeof PIPELINE_METRICS)[M]['breakdown'][number], string>
>;

/** Where a handler publishes the pipeline's metrics (`pipeline/metrics.ts`). */
export interface PipelineMetrics {
  /**
   * Publishes `value` of `metric` at once, under the `[Stage]` dimension set (what the alarms
   * read) and, when the metric has a breakdown, under `[Stage, …breakdown]` too.
   */
  record<M extends PipelineMetric>(metric: M, value: number, breakdown: Breakdown<M>): void;
}

/**
 * The functions' metrics: Powertools Metrics writing CloudWatch embedded metric format (one JSON
 * line per data point on stdout, which Lambda's log stream turns into metrics) in
 * `METRICS_NAMESPACE`; or, with `POWERTOOLS_METRICS_DISABLED=true`, nothing at all. Built once
 * per cold start.
 *
 * Powertools gives every dimension set a `service` dimension; it is dropped, so that the
 * aggregate set is `[Stage]` alone, the set the alarms are built on.
 *
 * @example
 * const metrics = pipelineMetrics(config.metrics);
 * metrics.record('itemFailed', 2, { MediaType: 'photo', ErrorCode: 'CORRUPT_IMAGE' });
 * // {"_aws":{…"Dimensions":[["Stage"],["Stage","MediaType","ErrorCode"]],…},"Stage":"staging",
 * //  "MediaType":"photo","ErrorCode":"CORRUPT_IMAGE","ItemFailed":2}
 */
export function pipelineMetrics(config: MetricsConfig): PipelineMetrics {
  if (!config.enabled) return { record: () => undefined };
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE });
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ [STAGE_DIMENSION]: config.stage });
  return {
    record(metric, value, breakdown) {
      const { name, unit } = PIPELINE_METRICS[metric];
      if (Object.keys(breakdown).length > 0) {
        // An empty set is the default dimensions alone: [Stage].
        metrics.addDimensions({});
        metrics.addDimensions(breakdown);
      }
      metrics.addMetric(name, unit, value);
      metrics.publishStoredMetrics();
    },
  };
}

/**
 * Publishes what one consolidated listing tells: `ItemSucceeded` per media type,
 * `ItemFailed` per media type and error code (one data point per group, its count as the value),
 * and one `ListingCompleted` with its status.
 *
 * @example
 * recordListing(metrics, result); // 3 photos and a video succeeded, one photo CORRUPT_IMAGE:
 * // ItemSucceeded 3 {photo}, ItemSucceeded 1 {video}, ItemFailed 1 {photo, CORRUPT_IMAGE},
 * // ListingCompleted 1 {partially_failed}
 */
export function recordListing(metrics: PipelineMetrics, result: ListingMediaResult): void {
  const succeeded = new Map<string, number>();
  const failed = new Map<string, { mediaType: string; code: string; count: number }>();
  for (const item of result.media) {
    if (item.status === 'succeeded') {
      succeeded.set(item.mediaType, (succeeded.get(item.mediaType) ?? 0) + 1);
    } else {
      const group = `${item.mediaType} ${item.error.code}`;
      const counted = failed.get(group) ?? {
        mediaType: item.mediaType,
        code: item.error.code,
        count: 0,
      };
      failed.set(group, { ...counted, count: counted.count + 1 });
    }
  }
  for (const [mediaType, count] of succeeded) {
    metrics.record('itemSucceeded', count, { MediaType: mediaType });
  }
  for (const { mediaType, code, count } of failed.values()) {
    metrics.record('itemFailed', count, { MediaType: mediaType, ErrorCode: code });
  }
  metrics.record('listingCompleted', 1, { Status: result.status });
}
