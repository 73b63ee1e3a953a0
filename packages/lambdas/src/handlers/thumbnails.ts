import type { Context } from 'aws-lambda';
import { mediaStore } from '../adapters/media-store.ts';
import { pipelineMetrics } from '../adapters/powertools-metrics.ts';
import { ThumbnailsRenderer } from '../adapters/thumbnails-renderer.ts';
import { ThumbnailsConfig, loadConfig } from '../config.ts';
import { createThumbnailsHandler } from '../functions/thumbnails.ts';
import { invocationLogger } from '../logger.ts';

// `listing-media-thumbnails` on AWS: `functions/thumbnails.ts` wired to S3 and sharp, once per
// cold start; each photo rendered publishes its render time (read, decode, encode, write).
const config = loadConfig(ThumbnailsConfig, process.env);
const metrics = pipelineMetrics(config.metrics);
const thumbnails = createThumbnailsHandler({
  store: mediaStore(config),
  renderer: new ThumbnailsRenderer(),
  logger: invocationLogger(config),
});

/**
 * Lambda's entry: the `thumbnails` function, then, for a photo rendered, its render time.
 *
 * @example
 * await handler({ ctx, mediaType: 'photo', mediaId, ext: 'jpg' }, context); // { mediaId, status }
 */
export async function handler(event: unknown, context?: Context) {
  const started = performance.now();
  const outcome = await thumbnails(event, context);
  // A RenderPhoto payload (FinishVideo's is a video's); a failed photo's time says nothing of
  // rendering (it stopped at the first problem).
  const photo = (event as { mediaType?: unknown }).mediaType === 'photo';
  if (photo && outcome.status === 'succeeded') {
    metrics.record('photoRenderTime', performance.now() - started, {});
  }
  return outcome;
}
