import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
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
 * and the SDK's own variables (region, credentials, `AWS_ENDPOINT_URL_S3`), nothing else.
 */
export function s3FunctionEnv(bucket: string): Record<string, string> {
  return {
    MEDIA_BUCKET: bucket,
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
