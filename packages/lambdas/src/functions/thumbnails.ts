import { parseInput } from '../domain/errors.ts';
import {
  FinishVideoInput,
  MediaTaskInput,
  finishVideo,
  renderPhoto,
  type ItemOutcome,
  type RenderDeps,
} from '../domain/render-media.ts';
import { correlationKeys, type InvocationLogger } from '../logger.ts';

/** What the `thumbnails` function is wired to: the media bucket, the renderer, its logger. */
export interface ThumbnailsFunctionDeps extends Omit<RenderDeps, 'logger'> {
  readonly logger: InvocationLogger;
}

/** `FinishVideo` payloads carry the transcode's result; `RenderPhoto` payloads do not. */
const isFinishVideo = (event: unknown) =>
  typeof event === 'object' && event !== null && 'transcode' in event;

/**
 * The `thumbnails` function (`listing-media-thumbnails`): the `RenderPhoto` and `FinishVideo`
 * states (docs/pipeline.md).
 *
 * @example
 * const handler = createThumbnailsHandler({ store, renderer, logger });
 * await handler({ ctx, item });
 * @throws {InvalidRequestError} when the payload is neither a RenderPhoto nor a FinishVideo one.
 * @throws {TransientError} on storage trouble.
 */
export function createThumbnailsHandler(
  deps: ThumbnailsFunctionDeps,
): (event: unknown) => Promise<ItemOutcome> {
  return async (event) => {
    const renderDeps = { ...deps, logger: deps.logger(correlationKeys(event)) };
    if (isFinishVideo(event)) {
      return finishVideo(parseInput(FinishVideoInput, event, 'FinishVideo payload'), renderDeps);
    }
    return renderPhoto(parseInput(MediaTaskInput, event, 'RenderPhoto payload'), renderDeps);
  };
}
