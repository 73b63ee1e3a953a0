import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretsManagerSecretSource } from '../../src/adapters/secrets-manager-secret-source.ts';
import { ConfigurationError, TransientError } from '../../src/domain/errors.ts';
import { localClientConfig } from '../setup/aws.ts';
import { startAwsJsonServer, type AwsJsonReply } from '../setup/aws-json-server.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:058264253741:secret:toq-webhook-AbCdEf';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

/** The real SDK client against a local Secrets Manager JSON-protocol stand-in. */
async function sourceAnswering(replies: AwsJsonReply[]) {
  let n = 0;
  const server = await startAwsJsonServer(
    () => replies[Math.min(n++, replies.length - 1)] ?? { status: 500, body: {} },
  );
  close = server.close;
  const client = new SecretsManagerClient(localClientConfig(server.endpoint));
  return { source: new SecretsManagerSecretSource(client, SECRET_ARN), calls: server.calls };
}

const ok = (value: string): AwsJsonReply => ({
  status: 200,
  body: { ARN: SECRET_ARN, Name: 'toq-webhook', SecretString: value, VersionId: 'v1' },
});

describe('SecretsManagerSecretSource', () => {
  it('reads the secret once and serves every later call from memory', async () => {
    // Prepare
    const { source, calls } = await sourceAnswering([
      ok('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n'),
    ]);

    // Act
    const values = [await source.get(), await source.get(), await source.get()];

    // Assess
    expect(values).toEqual(Array(3).fill('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'));
    expect(calls).toHaveLength(1);
    expect(calls[0]?.target).toBe('secretsmanager.GetSecretValue');
    expect(calls[0]?.body).toEqual({ SecretId: SECRET_ARN });
  });

  it('does not cache a failed read: the next call tries again', async () => {
    const { source, calls } = await sourceAnswering([
      { status: 500, body: { __type: 'InternalServiceError', message: 'boom' } },
      ok('whsec_second'),
    ]);

    await expect(source.get()).rejects.toBeInstanceOf(TransientError);
    await expect(source.get()).resolves.toBe('whsec_second');
    expect(calls).toHaveLength(2);
  });

  it('reports a missing secret as a ConfigurationError', async () => {
    const { source } = await sourceAnswering([
      {
        status: 400,
        body: { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find it" },
      },
    ]);

    const error = await source.get().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ name: 'ConfigurationError' });
    expect((error as Error).message).toBe(
      `Cannot read secret "${SECRET_ARN}": ResourceNotFoundException: Secrets Manager can't find it`,
    );
  });

  it('reports a secret without a string value as a ConfigurationError', async () => {
    const { source } = await sourceAnswering([
      { status: 200, body: { ARN: SECRET_ARN, Name: 'toq-webhook', SecretBinary: 'AAEC' } },
    ]);

    await expect(source.get()).rejects.toThrow(
      `Secret "${SECRET_ARN}" has no string value: expected SecretString, received none`,
    );
  });
});
