import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { HttpWebhookSender } from '../adapters/http-webhook-sender.ts';
import { mediaStore } from '../adapters/media-store.ts';
import { SecretsManagerSecretSource } from '../adapters/secrets-manager-secret-source.ts';
import { systemClock } from '../adapters/system-clock.ts';
import { CallbackConfig, loadConfig } from '../config.ts';
import { notifyBackend, type CallbackResult } from '../domain/notify-backend.ts';
import { beginInvocation, correlationKeys, createLogger, loggerPort } from '../logger.ts';

// `listing-media-callback`: the `Callback` state (docs/pipeline.md). The signing secret is read
// from Secrets Manager on first use and cached for the life of the execution environment.
const config = loadConfig(CallbackConfig, process.env);
const logger = createLogger(config);
const deps = {
  store: mediaStore(config),
  sender: new HttpWebhookSender({
    secret: new SecretsManagerSecretSource(new SecretsManagerClient({}), config.webhookSecretArn),
    allowedHosts: config.callbackAllowedHosts,
    allowLoopback: config.callbackAllowLoopback,
  }),
  clock: systemClock,
  logger: loggerPort(logger),
};

export const handler = async (event: unknown): Promise<CallbackResult> => {
  beginInvocation(logger, correlationKeys(event));
  return notifyBackend(event, deps);
};
