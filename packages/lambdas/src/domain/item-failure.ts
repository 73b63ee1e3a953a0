import { ItemFailure, MediaId, MediaType, parse, type MediaError } from '@toq/contracts';
import * as z from 'zod';
import type { Logger } from '../ports/logger.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import { failureReason } from './errors.ts';
import { TaskContext, itemStateKey } from './state-keys.ts';

/**
 * The `RecordPhotoFailure` and `RecordVideoFailure` states' payload: the item whose Map iteration
 * was caught, and the caught error as Step Functions records it (`Cause` is a Lambda error's JSON,
 * a failed MediaConvert job's JSON, or plain text in a local run).
 */
export const CaughtItemInput = z.object({
  ctx: TaskContext,
  mediaType: MediaType,
  mediaId: MediaId,
  caught: z.object({ Error: z.string(), Cause: z.string().optional().nullable() }),
});
export type CaughtItemInput = z.output<typeof CaughtItemInput>;

/** What a recorded failure returns to the Map: nothing but the id and status (state size). */
export interface CaughtItemOutcome {
  readonly mediaId: string;
  readonly status: 'failed';
}

/**
 * The `MediaError` of an item whose Map iteration was caught with the error `name`
 * (docs/pipeline.md, "Error mapping"):
 * - `States.Timeout` → `TIMEOUT`;
 * - in the video branch, `MediaConvert.*` and `States.TaskFailed` (the `Transcode` state's job
 *   failed; the local stand-in fails the same way) → `TRANSCODE_FAILED`;
 * - anything else → `PROCESSING_FAILED`.
 *
 * The message names the error, then gives the reason its `cause` carries (the transcoder's or
 * the function's own words, trimmed: {@link failureReason}).
 *
 * @example
 * mediaErrorFromCaught('States.TaskFailed', 'video', 'ffmpeg exited with code 1: moov atom not found');
 * // { code: 'TRANSCODE_FAILED',
 * //   message: 'The video transcode failed (States.TaskFailed): ffmpeg exited with code 1: moov atom not found' }
 */
export function mediaErrorFromCaught(
  name: string,
  branch: MediaType,
  cause?: string | null,
): MediaError {
  const reason = failureReason(cause);
  const because = reason === undefined ? '' : `: ${reason}`;
  if (name === 'States.Timeout') {
    return { code: 'TIMEOUT', message: `Processing took too long (${name})${because}` };
  }
  if (branch === 'video' && (name.startsWith('MediaConvert.') || name === 'States.TaskFailed')) {
    return { code: 'TRANSCODE_FAILED', message: `The video transcode failed (${name})${because}` };
  }
  return { code: 'PROCESSING_FAILED', message: `Processing failed (${name})${because}` };
}

/** What recording a caught failure needs from the outside world. */
export interface RecordFailureDeps {
  readonly store: ObjectStore;
  readonly logger: Logger;
}

/**
 * `RecordPhotoFailure` / `RecordVideoFailure`: the Map iteration of one item was caught. Its
 * reason ({@link mediaErrorFromCaught}) is written as the item's `ItemFailure` at
 * `items/{mediaId}.json`, where `Consolidate` reads every item's record, and logged; the Map
 * gets only `{ mediaId, status: 'failed' }`, so a Cause (up to 32 KB) never reaches the
 * execution's state (256 KB at 2,000 items).
 *
 * @throws {TransientError} on storage trouble (the state retries, then falls back to an
 *   unrecorded failure).
 * @example
 * await recordCaughtFailure(
 *   { ctx, mediaType: 'video', mediaId, caught: { Error: 'States.TaskFailed', Cause: '…' } },
 *   { store, logger },
 * ); // { mediaId, status: 'failed' }
 */
export async function recordCaughtFailure(
  input: CaughtItemInput,
  deps: RecordFailureDeps,
): Promise<CaughtItemOutcome> {
  const error = mediaErrorFromCaught(input.caught.Error, input.mediaType, input.caught.Cause);
  const record = parse(ItemFailure, {
    mediaId: input.mediaId,
    mediaType: input.mediaType,
    error,
  });
  await deps.store.put(itemStateKey(input.ctx, input.mediaId), JSON.stringify(record), {
    contentType: 'application/json',
  });
  deps.logger.warn('Item failed', {
    mediaId: input.mediaId,
    mediaType: input.mediaType,
    code: error.code,
    reason: error.message,
  });
  return { mediaId: input.mediaId, status: 'failed' };
}
