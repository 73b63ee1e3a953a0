import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { HttpWebhookSender } from '../adapters/http-webhook-sender.ts';
import { mediaStore } from '../adapters/media-store.ts';
import { pipelineMetrics } from '../adapters/powertools-metrics.ts';
import { SecretsManagerSecretSource } from '../adapters/secrets-manager-secret-source.ts';
import { systemClock } from '../adapters/system-clock.ts';
import { CallbackConfig, loadConfig } from '../config.ts';
import { WebhookDeliveryError, WebhookRejectedError } from '../domain/errors.ts';
import { createCallbackHandler } from '../functions/callback.ts';
import { invocationLogger } from '../logger.ts';
import type { WebhookSender } from '../ports/webhook-sender.ts';

// `listing-media-callback` on AWS: `functions/callback.ts` wired to S3 and Secrets Manager, once
// per cold start. The signing secret is read on first use and cached for the environment's life.
// A webhook to loopback (localhost, 127.0.0.0/8, ::1) is refused like any non-public address.
// Each delivery publishes its result (WebhookDelivered or WebhookFailed) and its latency.
const config = loadConfig(CallbackConfig, process.env);
const metrics = pipelineMetrics(config.metrics);
const sender = new HttpWebhookSender({
  secret: new SecretsManagerSecretSource(new SecretsManagerClient({}), config.webhookSecretArn),
  allowedHosts: config.callbackAllowedHosts,
  allowLoopback: false,
});

/** When this invocation's first attempt started; none when an earlier one had delivered it. */
let firstAttemptAt: number | undefined;
const timedSender: WebhookSender = {
  send(message) {
    firstAttemptAt ??= performance.now();
    return sender.send(message);
  },
};

const callback = createCallbackHandler({
  store: mediaStore(config),
  sender: timedSender,
  clock: systemClock,
  logger: invocationLogger(config),
});

function recordDelivery(result: 'webhookDelivered' | 'webhookFailed'): void {
  if (firstAttemptAt === undefined) return;
  metrics.record(result, 1, {});
  metrics.record('webhookLatency', performance.now() - firstAttemptAt, {});
}

/**
 * Lambda's entry: the `callback` function, then, when this invocation attempted a delivery, its
 * result and latency.
 *
 * @example
 * await handler({ ctx, status, resultKey, callbackUrl }, context); // { delivered: true, … }
 */
export async function handler(event: unknown, context?: Context) {
  firstAttemptAt = undefined;
  try {
    const result = await callback(event, context);
    recordDelivery('webhookDelivered');
    return result;
  } catch (error) {
    if (error instanceof WebhookDeliveryError || error instanceof WebhookRejectedError) {
      recordDelivery('webhookFailed');
    }
    throw error;
  }
}
