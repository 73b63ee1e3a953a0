import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, inject } from 'vitest';

/** Credentials the local servers accept (fauxqs ignores them; the SDK needs some). */
export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * An S3 client for the fauxqs server of `./fauxqs.ts`, for a test's own reads and writes:
 * path-style (a virtual-host name such as `bucket.127.0.0.1` does not resolve), default checksums.
 * The handlers keep the SDK's defaults instead: see {@link virtualHostedS3Endpoint}.
 */
export function localS3Client(options: { maxAttempts?: number } = {}): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint: inject('awsEndpoint'),
    forcePathStyle: true,
    credentials: TEST_CREDENTIALS,
    ...options,
  });
}

/**
 * The fauxqs endpoint under a `localhost` name, `http://s3.localhost:PORT`, for code that keeps
 * the SDK's defaults (the handlers, the bundles: no `forcePathStyle`): the SDK then sends
 * virtual-hosted-style requests to `http://<bucket>.s3.localhost:PORT/<key>`, as it does to
 * `<bucket>.s3.<region>.amazonaws.com` on AWS. `*.localhost` resolves to 127.0.0.1 only where
 * fauxqs's `interceptLocalhostDns()` patched `dns.lookup`: in a test's `beforeAll` (see
 * {@link useLocalhostDns}), or preloaded in a child process (`./localhost-dns.ts`).
 */
export function virtualHostedS3Endpoint(): string {
  return `http://s3.localhost:${new URL(inject('awsEndpoint')).port}`;
}

/**
 * The environment a handler reads to work on `bucket` in fauxqs as it works on S3: `MEDIA_BUCKET`
 * and the SDK's own variables (region, credentials, `AWS_ENDPOINT_URL_S3`); `STAGE`, with metrics
 * off (`POWERTOOLS_METRICS_DISABLED`), so that stdout carries only what a test reads (the metrics
 * tests turn them on).
 */
export function s3FunctionEnv(bucket: string): Record<string, string> {
  return {
    MEDIA_BUCKET: bucket,
    STAGE: 'test',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_S3: virtualHostedS3Endpoint(),
  };
}

/**
 * Resolves every `*.localhost` name to 127.0.0.1 in this test file's process from `beforeAll` to
 * `afterAll` (fauxqs's `interceptLocalhostDns()`), for handlers on {@link virtualHostedS3Endpoint}.
 */
export function useLocalhostDns(): void {
  let restore: (() => void) | undefined;
  beforeAll(async () => {
    // Loaded here, not at the top: most files that import this one need none of fauxqs.
    const { interceptLocalhostDns } = await import('fauxqs');
    restore = interceptLocalhostDns();
  });
  afterAll(() => {
    restore?.();
  });
}

/** Creates a fresh bucket with a unique name and returns its name. */
export async function createTestBucket(client: S3Client): Promise<string> {
  const bucket = `test-${randomUUID()}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** Client settings for a local AWS JSON-protocol stand-in (`./aws-json-server.ts`): one attempt. */
export function localClientConfig(endpoint: string) {
  return { region: 'us-east-1', endpoint, credentials: TEST_CREDENTIALS, maxAttempts: 1 };
}

/** An SQS client for the fauxqs server of `./fauxqs.ts` (the handlers reach it the same way, through `AWS_ENDPOINT_URL_SQS`). */
export function localSqsClient(): SQSClient {
  return new SQSClient({
    region: 'us-east-1',
    endpoint: inject('awsEndpoint'),
    credentials: TEST_CREDENTIALS,
  });
}

/**
 * Creates a fresh queue with a unique name (`prefix` first) and returns its URL on the fauxqs
 * endpoint. fauxqs, bound to an IP, names its queues `http://sqs.{region}.127.0.0.1:{port}/…`,
 * which is no valid URL (the SDK warns, then falls back to its endpoint): the path is kept, on the
 * endpoint's origin, as on AWS where a queue URL's origin is the SQS endpoint.
 */
export async function createTestQueue(client: SQSClient, prefix = 'test'): Promise<string> {
  const created = await client.send(
    new CreateQueueCommand({ QueueName: `${prefix}-${randomUUID()}` }),
  );
  if (created.QueueUrl === undefined) throw new Error('CreateQueue gave no QueueUrl');
  return created.QueueUrl.replace(/^https?:\/\/[^/]+/, inject('awsEndpoint'));
}

/** Every message `queueUrl` holds now, with all their message attributes (none is deleted). */
export async function receiveAll(client: SQSClient, queueUrl: string): Promise<Message[]> {
  const received = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
      WaitTimeSeconds: 0,
    }),
  );
  return received.Messages ?? [];
}
