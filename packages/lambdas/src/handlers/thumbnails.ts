import { mediaStore } from '../adapters/media-store.ts';
import { ThumbnailsRenderer } from '../adapters/thumbnails-renderer.ts';
import { BucketConfig, loadConfig } from '../config.ts';
import { createThumbnailsHandler } from '../functions/thumbnails.ts';
import { invocationLogger } from '../logger.ts';

// `listing-media-thumbnails` on AWS: `functions/thumbnails.ts` wired to S3 and sharp, once per
// cold start.
const config = loadConfig(BucketConfig, process.env);

export const handler = createThumbnailsHandler({
  store: mediaStore(config),
  renderer: new ThumbnailsRenderer(),
  logger: invocationLogger(config),
});
