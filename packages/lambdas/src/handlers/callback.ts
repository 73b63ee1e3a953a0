import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { HttpWebhookSender } from '../adapters/http-webhook-sender.ts';
import { mediaStore } from '../adapters/media-store.ts';
import { SecretsManagerSecretSource } from '../adapters/secrets-manager-secret-source.ts';
import { systemClock } from '../adapters/system-clock.ts';
import { CallbackConfig, loadConfig } from '../config.ts';
import { createCallbackHandler } from '../functions/callback.ts';
import { invocationLogger } from '../logger.ts';

// `listing-media-callback` on AWS: `functions/callback.ts` wired to S3 and Secrets Manager, once
// per cold start. The signing secret is read on first use and cached for the environment's life.
// A webhook to loopback (localhost, 127.0.0.0/8, ::1) is refused like any non-public address.
const config = loadConfig(CallbackConfig, process.env);

export const handler = createCallbackHandler({
  store: mediaStore(config),
  sender: new HttpWebhookSender({
    secret: new SecretsManagerSecretSource(new SecretsManagerClient({}), config.webhookSecretArn),
    allowedHosts: config.callbackAllowedHosts,
    allowLoopback: false,
  }),
  clock: systemClock,
  logger: invocationLogger(config),
});
