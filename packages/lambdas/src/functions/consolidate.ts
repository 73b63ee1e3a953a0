import {
  ConsolidateInput,
  consolidate,
  type ConsolidateDeps,
  type ConsolidateOutput,
} from '../domain/consolidate.ts';
import { defineTask, type TaskDeps, type TaskHandler } from './task.ts';

/** What the `consolidate` function is wired to: the media bucket, the clock, its logger. */
export type ConsolidateFunctionDeps = Omit<ConsolidateDeps, 'logger'> & TaskDeps;

/**
 * The `consolidate` function (`listing-media-consolidate`): the `Consolidate` state
 * (docs/pipeline.md).
 *
 * @example
 * const handler = createConsolidateHandler({ store, clock, logger });
 * await handler({ state, executionName }, context);
 * @throws {InvalidRequestError} when the payload is not a Consolidate payload.
 * @throws {TransientError} on storage trouble.
 */
export const createConsolidateHandler: (
  deps: ConsolidateFunctionDeps,
) => TaskHandler<ConsolidateOutput> = defineTask({
  input: ConsolidateInput,
  subject: 'Consolidate payload',
  run: (input, deps: Omit<ConsolidateDeps, 'logger'>, logger) =>
    consolidate(input, { ...deps, logger }),
});
