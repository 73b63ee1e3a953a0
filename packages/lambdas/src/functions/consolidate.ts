import {
  consolidate,
  type ConsolidateDeps,
  type ConsolidateOutput,
} from '../domain/consolidate.ts';
import { correlationKeys, type InvocationLogger } from '../logger.ts';

/** What the `consolidate` function is wired to: the media bucket, the clock, its logger. */
export interface ConsolidateFunctionDeps extends Omit<ConsolidateDeps, 'logger'> {
  readonly logger: InvocationLogger;
}

/**
 * The `consolidate` function (`listing-media-consolidate`): the `Consolidate` state
 * (docs/pipeline.md).
 *
 * @example
 * const handler = createConsolidateHandler({ store, clock, logger });
 * await handler({ state, ctx });
 * @throws {InvalidRequestError} when the payload is not a Consolidate payload.
 * @throws {TransientError} on storage trouble.
 */
export function createConsolidateHandler(
  deps: ConsolidateFunctionDeps,
): (event: unknown) => Promise<ConsolidateOutput> {
  return async (event) =>
    consolidate(event, { ...deps, logger: deps.logger(correlationKeys(event)) });
}
