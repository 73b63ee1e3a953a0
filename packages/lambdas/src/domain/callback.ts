import {
  ListingMediaResult,
  ListingStatus,
  WEBHOOK_EVENT_TYPE,
  WebhookPayload,
  parse,
} from '@toq/contracts';
import * as z from 'zod';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import {
  readJsonRecord,
  readJsonRecordIfPresent,
  type ObjectStore,
} from '../ports/object-store.ts';
import type { WebhookAttempt, WebhookSender } from '../ports/webhook-sender.ts';
import { InvalidRequestError, WebhookDeliveryError, WebhookRejectedError } from './errors.ts';
import { TaskContext, deliveryStateKey, resultStateKey } from './state-keys.ts';

/** The `Callback` state's payload: what `Consolidate` returned (docs/pipeline.md). */
export const CallbackInput = z.object({
  ctx: TaskContext,
  status: ListingStatus,
  resultKey: z.string().min(1),
  callbackUrl: z.string().min(1).max(2048),
});
export type CallbackInput = z.output<typeof CallbackInput>;

/** When an attempt was made: its number (from 1) and its time (ISO 8601). */
const attemptAt = { attempt: z.int().positive(), at: z.string() };

/** One attempt as the delivery record keeps it: a {@link WebhookAttempt}, numbered and timed. */
export const DeliveryAttempt = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('response'), statusCode: z.int(), ...attemptAt }),
  z.object({ outcome: z.literal('timeout'), ...attemptAt }),
  z.object({ outcome: z.literal('network-error'), message: z.string(), ...attemptAt }),
  z.object({ outcome: z.literal('refused'), reason: z.string(), ...attemptAt }),
]);
export type DeliveryAttempt = z.output<typeof DeliveryAttempt>;

/** `delivery.json`: how the webhook of one execution went. */
export const DeliveryRecord = z.object({
  webhookId: z.string(),
  url: z.string(),
  delivered: z.boolean(),
  /** The last HTTP status received, or null when no attempt got an answer. */
  statusCode: z.int().nullable(),
  attempts: z.array(DeliveryAttempt),
});
export type DeliveryRecord = z.output<typeof DeliveryRecord>;

/** What the `Callback` task returns when the backend accepted the webhook. */
export interface CallbackResult {
  readonly delivered: true;
  readonly attempts: number;
  readonly statusCode: number;
}

/**
 * How the function retries within one invocation (Step Functions retries the whole task later,
 * on `WebhookDeliveryError`). Attempt `n` (from 1) waits `min(baseDelayMs × 2^(n-1), maxDelayMs)`
 * before attempt `n + 1`.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. Default 4. */
  readonly maxAttempts: number;
  /** Default 1000 ms. */
  readonly baseDelayMs: number;
  /** Default 8000 ms. */
  readonly maxDelayMs: number;
}

/** 4 attempts, 1 s then 2 s then 4 s apart: at most ≈ 47 s with 10 s timeouts. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 1000,
  maxDelayMs: 8000,
};

/** What notifying the backend needs from the outside world. */
export interface NotifyDeps {
  readonly store: ObjectStore;
  readonly sender: WebhookSender;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Whether an attempt is worth repeating: a 5xx, 429 (throttled) or 408, a timeout or a failed
 * connection. Never another 4xx, a 3xx (redirects are not followed) or a refused URL.
 */
export function isRetryable(attempt: WebhookAttempt): boolean {
  switch (attempt.outcome) {
    case 'response':
      return attempt.statusCode >= 500 || attempt.statusCode === 429 || attempt.statusCode === 408;
    case 'timeout':
    case 'network-error':
      return true;
    case 'refused':
      return false;
  }
}

function accepted(attempt: WebhookAttempt): attempt is WebhookAttempt & { statusCode: number } {
  return attempt.outcome === 'response' && attempt.statusCode >= 200 && attempt.statusCode < 300;
}

function describe(attempt: WebhookAttempt): string {
  switch (attempt.outcome) {
    case 'response':
      return `HTTP ${attempt.statusCode}`;
    case 'timeout':
      return 'a timeout';
    case 'network-error':
      return `a network error (${attempt.message})`;
    case 'refused':
      return `a refused URL (${attempt.reason})`;
  }
}

/** The Standard Webhooks `webhook-id` of an execution's webhook: the same on every retry. */
export function webhookId(executionName: string): string {
  return `msg_${executionName}`;
}

/**
 * The `callback` function: POSTs the consolidated result (`result.json`) to the backend as a
 * signed `listing.media.processed` webhook, retrying 5xx, 429, 408, timeouts and network
 * failures with exponential backoff, never other 4xx; writes `delivery.json` either way. A
 * webhook already delivered for this execution (a retried task) is not sent again.
 *
 * @throws {InvalidRequestError} when `resultKey` is not the execution's `result.json`.
 * @throws {WebhookDeliveryError} when the backend did not accept it after every attempt.
 * @throws {WebhookRejectedError} when the backend refused it (a 4xx other than 408 and 429) or
 *   the URL is refused: not worth sending again.
 * @throws {TransientError} on storage trouble.
 */
export async function notifyBackend(
  input: CallbackInput,
  deps: NotifyDeps,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<CallbackResult> {
  const { ctx, callbackUrl } = input;
  const resultKey = resultStateKey(ctx);
  if (input.resultKey !== resultKey) {
    throw new InvalidRequestError(
      `Invalid Callback payload: resultKey: expected "${resultKey}", received "${input.resultKey}"`,
    );
  }
  const id = webhookId(ctx.executionName);
  const deliveryKey = deliveryStateKey(ctx);

  const previous = await readJsonRecordIfPresent(deps.store, deliveryKey, DeliveryRecord);
  if (previous?.delivered && previous.webhookId === id && previous.statusCode !== null) {
    deps.logger.info('Webhook already delivered; not sending again', { webhookId: id });
    return { delivered: true, attempts: previous.attempts.length, statusCode: previous.statusCode };
  }

  const result = await readJsonRecord(deps.store, resultKey, ListingMediaResult);
  const payload = parse(WebhookPayload, {
    type: WEBHOOK_EVENT_TYPE,
    timestamp: deps.clock.now().toISOString(),
    data: result,
  });
  const body = JSON.stringify(payload);

  const attempts: DeliveryAttempt[] = [];
  for (let n = 1; n <= policy.maxAttempts; n++) {
    const at = deps.clock.now();
    const attempt = await deps.sender.send({ url: callbackUrl, id, timestamp: at, body });
    attempts.push({ ...attempt, attempt: n, at: at.toISOString() });
    deps.logger.info('Webhook attempt', { webhookId: id, attempt: n, result: describe(attempt) });
    if (accepted(attempt) || !isRetryable(attempt) || n === policy.maxAttempts) break;
    await deps.clock.sleep(Math.min(policy.baseDelayMs * 2 ** (n - 1), policy.maxDelayMs));
  }

  const last = attempts.at(-1) as DeliveryAttempt;
  const statusCodes = attempts.flatMap((a) => (a.outcome === 'response' ? [a.statusCode] : []));
  const record: DeliveryRecord = {
    webhookId: id,
    url: callbackUrl,
    delivered: accepted(last),
    statusCode: statusCodes.at(-1) ?? null,
    attempts,
  };
  await deps.store.put(deliveryKey, JSON.stringify(record, null, 2), {
    contentType: 'application/json',
  });

  if (!accepted(last)) {
    const host = URL.canParse(callbackUrl) ? new URL(callbackUrl).host : callbackUrl;
    const message = `Webhook ${id} to ${host} not delivered: expected a 2xx answer, received ${describe(last)} after ${attempts.length} attempt(s)`;
    // Step Functions retries a delivery failure later, but a refusal would only be refused again.
    throw isRetryable(last) ? new WebhookDeliveryError(message) : new WebhookRejectedError(message);
  }
  return { delivered: true, attempts: attempts.length, statusCode: last.statusCode };
}
