import type { TranscodeSettings } from '../domain/media-convert-job.ts';
import { MediaTaskInput } from '../domain/media-task.ts';
import { prepareTranscode, type TranscodeDeps } from '../domain/transcode.ts';
import { defineTask, type TaskDeps, type TaskHandler } from './task.ts';

/** What the `transcode` function is wired to: the bucket's name (for `s3://` URLs), its logger. */
export type TranscodeFunctionDeps = TranscodeDeps & TaskDeps;

/**
 * The `transcode` function (`listing-media-transcode`): the `PrepareTranscode` state. Builds the
 * MediaConvert job's settings; the state machine's `Transcode` state runs it.
 *
 * @example
 * const handler = createTranscodeHandler({ bucket: 'toq-listing-medias', logger });
 * const { settings } = await handler({ ctx, mediaType: 'video', mediaId, ext: 'mov' }, context);
 * @throws {InvalidRequestError} when the payload is not a PrepareTranscode payload.
 */
export const createTranscodeHandler: (
  deps: TranscodeFunctionDeps,
) => TaskHandler<{ settings: TranscodeSettings }> = defineTask({
  input: MediaTaskInput,
  subject: 'PrepareTranscode payload',
  run: async (input, deps: TranscodeDeps) => prepareTranscode(input, { bucket: deps.bucket }),
});
