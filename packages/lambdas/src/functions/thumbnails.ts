import {
  ThumbnailsInput,
  renderItem,
  type ItemOutcome,
  type RenderDeps,
} from '../domain/thumbnails.ts';
import { defineTask, type TaskDeps, type TaskHandler } from './task.ts';

/** What the `thumbnails` function is wired to: the media bucket, the renderer, its logger. */
export type ThumbnailsFunctionDeps = Omit<RenderDeps, 'logger'> & TaskDeps;

/**
 * The `thumbnails` function (`listing-media-thumbnails`): the `RenderPhoto` and `FinishVideo`
 * states (docs/pipeline.md).
 *
 * @example
 * const handler = createThumbnailsHandler({ store, renderer, logger });
 * await handler({ ctx, mediaType: 'photo', mediaId, ext: 'jpg' }, context); // RenderPhoto
 * await handler({ ctx, mediaType: 'video', mediaId, ext: 'mov', transcode }, context); // FinishVideo
 * @throws {InvalidRequestError} when the payload is neither a RenderPhoto nor a FinishVideo one.
 * @throws {TransientError} on storage trouble.
 */
export const createThumbnailsHandler: (deps: ThumbnailsFunctionDeps) => TaskHandler<ItemOutcome> =
  defineTask({
    input: ThumbnailsInput,
    subject: 'thumbnails payload',
    run: (input, deps: Omit<RenderDeps, 'logger'>, logger) =>
      renderItem(input, { ...deps, logger }),
  });
