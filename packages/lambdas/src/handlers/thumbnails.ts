import { mediaStore } from '../adapters/media-store.ts';
import { ThumbnailsRenderer } from '../adapters/thumbnails-renderer.ts';
import { BucketConfig, loadConfig } from '../config.ts';
import { parseInput } from '../domain/errors.ts';
import {
  FinishVideoInput,
  MediaTaskInput,
  finishVideo,
  renderPhoto,
  type ItemOutcome,
} from '../domain/render-media.ts';
import { beginInvocation, correlationKeys, createLogger, loggerPort } from '../logger.ts';

// `listing-media-thumbnails`: the `RenderPhoto` and `FinishVideo` states (docs/pipeline.md).
const config = loadConfig(BucketConfig, process.env);
const logger = createLogger(config);
const deps = {
  store: mediaStore(config),
  renderer: new ThumbnailsRenderer(),
  logger: loggerPort(logger),
};

/** `FinishVideo` payloads carry the transcode's result; `RenderPhoto` payloads do not. */
const isFinishVideo = (event: unknown) =>
  typeof event === 'object' && event !== null && 'transcode' in event;

export const handler = async (event: unknown): Promise<ItemOutcome> => {
  beginInvocation(logger, correlationKeys(event));
  if (isFinishVideo(event)) {
    return finishVideo(parseInput(FinishVideoInput, event, 'FinishVideo payload'), deps);
  }
  return renderPhoto(parseInput(MediaTaskInput, event, 'RenderPhoto payload'), deps);
};
