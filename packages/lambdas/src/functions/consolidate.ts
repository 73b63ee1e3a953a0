import {
  ConsolidateTaskInput,
  runConsolidateTask,
  type ConsolidateDeps,
  type ConsolidateOutput,
} from '../domain/consolidate.ts';
import type { CaughtItemOutcome } from '../domain/item-failure.ts';
import { defineTask, type TaskDeps, type TaskHandler } from './task.ts';

/** What the `consolidate` function is wired to: the media bucket, the clock, its logger. */
export type ConsolidateFunctionDeps = Omit<ConsolidateDeps, 'logger'> & TaskDeps;

/**
 * The `consolidate` function (`listing-media-consolidate`): the `Consolidate` state, and the
 * `RecordPhotoFailure` / `RecordVideoFailure` states that keep a caught item's reason
 * (docs/pipeline.md).
 *
 * @example
 * const handler = createConsolidateHandler({ store, clock, logger });
 * await handler({ state, executionName }, context);
 * await handler({ ctx, mediaType: 'video', mediaId, caught: { Error, Cause } }, context);
 * @throws {InvalidRequestError} when the payload is neither a Consolidate nor a RecordFailure one.
 * @throws {TransientError} on storage trouble.
 */
export const createConsolidateHandler: (
  deps: ConsolidateFunctionDeps,
) => TaskHandler<ConsolidateOutput | CaughtItemOutcome> = defineTask({
  input: ConsolidateTaskInput,
  subject: 'consolidate payload',
  run: (input, deps: Omit<ConsolidateDeps, 'logger'>, logger) =>
    runConsolidateTask(input, { ...deps, logger }),
});
