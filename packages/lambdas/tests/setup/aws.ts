import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { inject } from 'vitest';

/** Credentials the local servers accept (fauxqs ignores them; the SDK needs some). */
export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * An S3 client for the fauxqs server of `./fauxqs.ts`: path-style (a virtual-host name such as
 * `bucket.127.0.0.1` does not resolve), default checksums.
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
