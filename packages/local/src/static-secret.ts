import { randomBytes } from 'node:crypto';
import type { SecretSource } from '@toq/lambdas';

/** A fresh Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The local twin of the Secrets Manager secret source: the signing secret is known up front (the
 * local receiver verifies with the same one).
 */
export class StaticSecretSource implements SecretSource {
  constructor(private readonly secret: string) {}

  async get(): Promise<string> {
    return this.secret;
  }
}
