import {
  validateListing,
  type ValidateDeps,
  type ValidateResult,
} from '../domain/validate-listing.ts';
import { correlationKeys, type InvocationLogger } from '../logger.ts';

/** What the `validate` function is wired to: the media bucket, the size limits, its logger. */
export interface ValidateFunctionDeps extends Omit<ValidateDeps, 'logger'> {
  readonly logger: InvocationLogger;
}

/**
 * The `validate` function (`listing-media-validate`): the `Validate` state (docs/pipeline.md).
 *
 * @example
 * const handler = createValidateHandler({ store, limits, logger });
 * await handler({ request, executionName });
 * @throws {InvalidRequestError} when the payload or the request is invalid.
 * @throws {TransientError} on storage trouble.
 */
export function createValidateHandler(
  deps: ValidateFunctionDeps,
): (event: unknown) => Promise<ValidateResult> {
  return async (event) =>
    validateListing(event, { ...deps, logger: deps.logger(correlationKeys(event)) });
}
