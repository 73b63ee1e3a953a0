import { randomBytes } from 'node:crypto';
import type { SecretSource } from '@toq/lambdas';

/** The Standard Webhooks prefix of a shared signing secret. */
const PREFIX = 'whsec_';
/** Standard Webhooks: a secret is 24 to 64 random bytes; fewer is too easy to guess. */
const MIN_SECRET_BYTES = 24;

/** A fresh Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `${PREFIX}${randomBytes(32).toString('base64')}`;
}

/**
 * Why `secret` cannot sign webhooks a Standard Webhooks library verifies, or undefined when it
 * can: it must be `whsec_` and the base64 of at least 24 bytes. The answer never quotes the
 * secret.
 *
 * @example
 * webhookSecretProblem(newWebhookSecret()); // undefined
 * webhookSecretProblem('whsec_c2hvcnQ='); // 'is 5 bytes once decoded: …'
 */
export function webhookSecretProblem(secret: string): string | undefined {
  if (!secret.startsWith(PREFIX)) {
    return `must start with ${PREFIX} (the Standard Webhooks form: ${PREFIX} and base64)`;
  }
  const encoded = secret.slice(PREFIX.length);
  const bytes = Buffer.from(encoded, 'base64');
  const unpadded = (text: string) => text.replace(/=+$/, '');
  // Node's decoder skips what is not base64: encoding back tells a clean value from a mangled one.
  if (
    !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ||
    unpadded(bytes.toString('base64')) !== unpadded(encoded)
  ) {
    return `must be ${PREFIX} followed by base64 (A-Z a-z 0-9 + / and = padding), received other characters after ${PREFIX}`;
  }
  if (bytes.length < MIN_SECRET_BYTES) {
    return `is ${bytes.length} bytes once decoded: Standard Webhooks secrets are at least ${MIN_SECRET_BYTES} random bytes (leave it out and npm start makes one)`;
  }
  return undefined;
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
