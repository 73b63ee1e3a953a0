import * as z from 'zod';
import { ListingMediaResult } from './results';

/** The webhook's event type. */
export const WEBHOOK_EVENT_TYPE = 'listing.media.processed';

/**
 * The body POSTed to the backend's callback URL, signed per the Standard Webhooks spec
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature` headers). The `webhook-id` is stable
 * across retries of one delivery: use it to drop duplicates.
 *
 * @example
 * // Express, with the `standardwebhooks` package:
 * const event = parse(WebhookPayload, new Webhook(secret).verify(rawBody, req.headers));
 * if (event.data.status !== 'succeeded') alertOn(event.data.media.filter(m => m.status === 'failed'));
 */
export const WebhookPayload = z
  .strictObject({
    type: z
      .literal(WEBHOOK_EVENT_TYPE)
      .describe('The event type, always `listing.media.processed`: route on it.'),
    timestamp: z.iso.datetime().describe('When the event was created (UTC, ISO 8601).'),
    data: ListingMediaResult,
  })
  .meta({
    title: 'WebhookPayload',
    description: 'listing.media.processed: the consolidated result of one processing request.',
  });
export type WebhookPayload = z.output<typeof WebhookPayload>;
