import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigurationError, TransientError } from '../domain/errors.ts';
import type { SecretSource } from '../ports/secret-source.ts';
import { isTransientAwsError } from './aws-errors.ts';

/** Secrets Manager errors that mean the configuration is wrong, not the network. */
const MISCONFIGURED = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'DecryptionFailure',
  'InvalidRequestException',
  'InvalidParameterException',
]);

/**
 * One secret's string value from AWS Secrets Manager, read on first use and kept for the life of
 * the execution environment (one read per cold start). A failed read is not cached: the next
 * invocation tries again.
 *
 * @example
 * const secret = new SecretsManagerSecretSource(new SecretsManagerClient({}), config.webhookSecretArn);
 * const whsec = await secret.get();
 */
export class SecretsManagerSecretSource implements SecretSource {
  #value: Promise<string> | undefined;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
  ) {}

  get(): Promise<string> {
    this.#value ??= this.#read().catch((error: unknown) => {
      this.#value = undefined;
      throw error;
    });
    return this.#value;
  }

  async #read(): Promise<string> {
    let secret: string | undefined;
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
      secret = out.SecretString;
    } catch (error) {
      const name = (error as Error).name;
      if (isTransientAwsError(error) && !MISCONFIGURED.has(name)) {
        throw new TransientError(
          `Reading secret "${this.secretId}" failed (${name}); worth retrying`,
          { cause: error },
        );
      }
      throw new ConfigurationError(
        `Cannot read secret "${this.secretId}": ${name}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (secret === undefined || secret.trim() === '') {
      throw new ConfigurationError(
        `Secret "${this.secretId}" has no string value: expected SecretString, received none`,
      );
    }
    return secret.trim();
  }
}
