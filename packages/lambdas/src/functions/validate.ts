import {
  ValidateInput,
  validateListing,
  type ValidateDeps,
  type ValidateResult,
} from '../domain/validate.ts';
import { defineTask, type TaskDeps, type TaskHandler } from './task.ts';

/** What the `validate` function is wired to: the media bucket, the size limits, its logger. */
export type ValidateFunctionDeps = Omit<ValidateDeps, 'logger'> & TaskDeps;

/**
 * The `validate` function (`listing-media-validate`): the `Validate` state (docs/pipeline.md).
 *
 * @example
 * const handler = createValidateHandler({ store, limits, logger });
 * await handler({ request, executionName }, context);
 * @throws {InvalidRequestError} when the payload or the request is invalid.
 * @throws {TransientError} on storage trouble.
 */
export const createValidateHandler: (deps: ValidateFunctionDeps) => TaskHandler<ValidateResult> =
  defineTask({
    input: ValidateInput,
    subject: 'Validate payload',
    run: (input, deps: Omit<ValidateDeps, 'logger'>, logger) =>
      validateListing(input, { ...deps, logger }),
  });
