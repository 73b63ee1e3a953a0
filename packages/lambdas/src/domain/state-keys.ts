import { ListingId, MediaId, PIPELINE_STATE_PREFIX, RequestId, parse } from '@toq/contracts';
import * as z from 'zod';

/**
 * Keys of one execution's bookkeeping under the state prefix `_pipeline/{listingId}/{requestId}/`
 * (docs/pipeline.md, "State prefix"). Every id is validated with the contracts' schemas before a
 * key is built, so nothing from outside can produce `..`, `/` or an empty segment.
 */

/** The request an execution works on: its listing and the backend's request id. */
export interface StateScope {
  readonly listingId: string;
  readonly requestId: string;
}

/**
 * The prefix of one execution's state: `_pipeline/{listingId}/{requestId}/`.
 *
 * @throws {ContractError} `INVALID_INPUT` when either id is invalid.
 * @example
 * statePrefix({ listingId, requestId: 'req-1' }); // '_pipeline/4f8…/req-1/'
 */
export function statePrefix(scope: StateScope): string {
  const listingId = parse(ListingId, scope.listingId);
  const requestId = parse(RequestId, scope.requestId);
  return `${PIPELINE_STATE_PREFIX}${listingId}/${requestId}/`;
}

/**
 * `request.json`: the `ProcessingRequest`, written create-only by start before it starts the
 * execution (by validate, or consolidate if missing, when an execution is started with the
 * request itself).
 */
export function requestStateKey(scope: StateScope): string {
  return `${statePrefix(scope)}request.json`;
}

/** `validation.json`: the `ValidationReport` (written by validate). */
export function validationStateKey(scope: StateScope): string {
  return `${statePrefix(scope)}validation.json`;
}

/** The folder of per-item records: `items/`. */
export function itemsStatePrefix(scope: StateScope): string {
  return `${statePrefix(scope)}items/`;
}

/**
 * `items/{mediaId}.json`: one item's `PhotoRenditionsResult`, `VideoOutputsResult` or
 * `ItemFailure` (written by thumbnails).
 *
 * @throws {ContractError} `INVALID_INPUT` when an id is invalid.
 */
export function itemStateKey(scope: StateScope, mediaId: string): string {
  return `${itemsStatePrefix(scope)}${parse(MediaId, mediaId)}.json`;
}

/** The folder of captured video frames: `frames/` (MediaConvert's frame-capture destination). */
export function framesStatePrefix(scope: StateScope): string {
  return `${statePrefix(scope)}frames/`;
}

/**
 * `frames/{mediaId}.0000000.jpg`: the frame (fitted as the MP4) MediaConvert (or the local ffmpeg
 * stand-in) captured from a video; the posters are rendered from it. MediaConvert names frame
 * captures `{destination}{nameModifier?}.{counter:7}.jpg`, hence the counter.
 *
 * @throws {ContractError} `INVALID_INPUT` when an id is invalid.
 */
export function frameStateKey(scope: StateScope, mediaId: string): string {
  return `${framesStatePrefix(scope)}${parse(MediaId, mediaId)}.0000000.jpg`;
}

/** `result.json`: the consolidated `ListingMediaResult` (written by consolidate). */
export function resultStateKey(scope: StateScope): string {
  return `${statePrefix(scope)}result.json`;
}

/** `delivery.json`: the webhook delivery record (written by callback). */
export function deliveryStateKey(scope: StateScope): string {
  return `${statePrefix(scope)}delivery.json`;
}

/**
 * `ctx` of every task payload (docs/pipeline.md): the request's ids and the execution's name.
 * It is also the {@link StateScope} of the execution's state keys.
 */
export const TaskContext = z.strictObject({
  listingId: ListingId,
  requestId: RequestId,
  executionName: z.string().min(1).max(80),
});
export type TaskContext = z.output<typeof TaskContext>;
