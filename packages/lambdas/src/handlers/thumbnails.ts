import { S3Client } from '@aws-sdk/client-s3';
import { FsObjectStore } from '../adapters/fs-object-store.ts';
import { S3ObjectStore } from '../adapters/s3-object-store.ts';
import { ThumbnailsRenderer } from '../adapters/thumbnails-renderer.ts';
import { BucketConfig, loadConfig } from '../config.ts';
import {
  FinishVideoInput,
  MediaTaskInput,
  finishVideo,
  parseTaskInput,
  renderPhoto,
  type ItemOutcome,
} from '../domain/render-media.ts';
import { beginInvocation, createLogger, loggerPort } from '../logger.ts';

// `listing-media-thumbnails`: the `RenderPhoto` and `FinishVideo` states (docs/pipeline.md).
const config = loadConfig(BucketConfig, process.env);
const logger = createLogger(config);
const deps = {
  store: config.localMediaRoot
    ? new FsObjectStore(config.localMediaRoot)
    : new S3ObjectStore(
        new S3Client({ forcePathStyle: config.s3ForcePathStyle }),
        config.mediaBucket,
      ),
  renderer: new ThumbnailsRenderer(),
  logger: loggerPort(logger),
};

const isVideo = (event: unknown) =>
  (event as { mediaType?: unknown } | null)?.mediaType === 'video';

export const handler = async (event: unknown): Promise<ItemOutcome> => {
  if (isVideo(event)) {
    const input = parseTaskInput(FinishVideoInput, event);
    beginInvocation(logger, input.ctx);
    return finishVideo(input, deps);
  }
  const input = parseTaskInput(MediaTaskInput, event);
  beginInvocation(logger, input.ctx);
  return renderPhoto(input, deps);
};
