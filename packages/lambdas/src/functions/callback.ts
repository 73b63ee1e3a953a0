import {
  DEFAULT_RETRY_POLICY,
  notifyBackend,
  type CallbackResult,
  type NotifyDeps,
  type RetryPolicy,
} from '../domain/notify-backend.ts';
import { correlationKeys, type InvocationLogger } from '../logger.ts';

/** What the `callback` function is wired to: the bucket, the webhook sender, the clock, its logger. */
export interface CallbackFunctionDeps extends Omit<NotifyDeps, 'logger'> {
  readonly logger: InvocationLogger;
  /** The function's own delivery attempts. Default {@link DEFAULT_RETRY_POLICY} (4, 1 s / 2 s / 4 s). */
  readonly retry?: RetryPolicy;
}

/**
 * The `callback` function (`listing-media-callback`): the `Callback` state (docs/pipeline.md).
 *
 * @example
 * const handler = createCallbackHandler({ store, sender, clock, logger });
 * await handler({ ctx, callbackUrl, resultKey });
 * @throws {WebhookDeliveryError} when the backend did not accept the webhook after every attempt.
 * @throws {WebhookRejectedError} when the backend refused it (a 4xx other than 408 and 429).
 * @throws {InvalidRequestError} when the payload is not a Callback payload.
 * @throws {TransientError} on storage trouble.
 */
export function createCallbackHandler(
  deps: CallbackFunctionDeps,
): (event: unknown) => Promise<CallbackResult> {
  const { retry = DEFAULT_RETRY_POLICY, ...notifyDeps } = deps;
  return async (event) =>
    notifyBackend(event, { ...notifyDeps, logger: deps.logger(correlationKeys(event)) }, retry);
}
