import { ListingMediaResult } from '@toq/contracts';
import type { Context } from 'aws-lambda';
import { mediaStore } from '../adapters/media-store.ts';
import { pipelineMetrics, recordListing } from '../adapters/powertools-metrics.ts';
import { systemClock } from '../adapters/system-clock.ts';
import { ConsolidateConfig, loadConfig } from '../config.ts';
import { createConsolidateHandler } from '../functions/consolidate.ts';
import { invocationLogger } from '../logger.ts';
import { readJsonRecord } from '../ports/object-store.ts';

// `listing-media-consolidate` on AWS: `functions/consolidate.ts` wired to S3, once per cold start,
// and the listing's metrics (items by media type and error code, the listing's status) read back
// from the `result.json` it has just written.
const config = loadConfig(ConsolidateConfig, process.env);
const store = mediaStore(config);
const logger = invocationLogger(config);
const metrics = pipelineMetrics(config.metrics);
const consolidate = createConsolidateHandler({ store, clock: systemClock, logger });

/**
 * Lambda's entry: the `consolidate` function, then, for a `Consolidate` payload, the listing's
 * metrics.
 *
 * @example
 * await handler({ state, executionName }, context); // { ctx, status, resultKey, callbackUrl }
 */
export async function handler(event: unknown, context?: Context) {
  const output = await consolidate(event, context);
  // The same function records a caught item's failure: that is counted with its listing.
  if (!('resultKey' in output)) return output;
  try {
    recordListing(metrics, await readJsonRecord(store, output.resultKey, ListingMediaResult));
  } catch (error) {
    // The listing is consolidated and its webhook must still go: metrics never fail the task.
    logger(output.ctx, context).warn('Listing metrics not recorded', {
      reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
  return output;
}
