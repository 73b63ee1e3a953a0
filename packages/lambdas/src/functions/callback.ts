import {
  CallbackInput,
  DEFAULT_RETRY_POLICY,
  notifyBackend,
  type CallbackResult,
  type NotifyDeps,
  type RetryPolicy,
} from '../domain/callback.ts';
import { defineTask, type TaskDeps, type TaskHandler } from './task.ts';

/** The callback's ports, and its own delivery attempts. */
interface CallbackPorts extends Omit<NotifyDeps, 'logger'> {
  /** The function's own delivery attempts. Default {@link DEFAULT_RETRY_POLICY} (4, 1 s / 2 s / 4 s). */
  readonly retry?: RetryPolicy;
}

/** What the `callback` function is wired to: the bucket, the webhook sender, the clock, its logger. */
export type CallbackFunctionDeps = CallbackPorts & TaskDeps;

/**
 * The `callback` function (`listing-media-callback`): the `Callback` state (docs/pipeline.md).
 *
 * @example
 * const handler = createCallbackHandler({ store, sender, clock, logger });
 * await handler({ ctx, status, resultKey, callbackUrl }, context);
 * @throws {WebhookDeliveryError} when the backend did not accept the webhook after every attempt.
 * @throws {WebhookRejectedError} when the backend refused it (a 4xx other than 408 and 429).
 * @throws {InvalidRequestError} when the payload is not a Callback payload.
 * @throws {TransientError} on storage trouble.
 */
export const createCallbackHandler: (deps: CallbackFunctionDeps) => TaskHandler<CallbackResult> =
  defineTask({
    input: CallbackInput,
    subject: 'Callback payload',
    run: (input, { retry = DEFAULT_RETRY_POLICY, ...deps }: CallbackPorts, logger) =>
      notifyBackend(
        input,
        { store: deps.store, sender: deps.sender, clock: deps.clock, logger },
        retry,
      ),
  });
