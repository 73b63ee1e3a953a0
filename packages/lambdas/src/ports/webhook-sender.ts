/** One signed POST of a webhook. */
export interface WebhookMessage {
  /** The endpoint. The sender refuses it unless it passes the sender's host policy. */
  readonly url: string;
  /** The Standard Webhooks `webhook-id`: the same for every attempt of one delivery. */
  readonly id: string;
  /** The attempt's time: the `webhook-timestamp` header (unix seconds) and the signed content. */
  readonly timestamp: Date;
  /** The raw JSON body, signed byte for byte. */
  readonly body: string;
}

/**
 * The outcome of one attempt. Never a throw: the caller (domain) decides what to retry.
 * - `response`: the backend answered with an HTTP status (any status, 2xx to 5xx);
 * - `timeout`: no complete answer within the sender's timeout;
 * - `network-error`: the connection failed (refused, reset, DNS failure);
 * - `refused`: the sender would not send to this URL (not https, host not allowed, a private or
 *   link-local address); nothing left the function.
 */
export type WebhookAttempt =
  | { readonly outcome: 'response'; readonly statusCode: number }
  | { readonly outcome: 'timeout' }
  | { readonly outcome: 'network-error'; readonly message: string }
  | { readonly outcome: 'refused'; readonly reason: string };

/**
 * Sends one webhook attempt, signed per the Standard Webhooks spec (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`). Implemented by the HTTP adapter.
 */
export interface WebhookSender {
  send(message: WebhookMessage): Promise<WebhookAttempt>;
}
