import { S3Client } from '@aws-sdk/client-s3';
import type { StorageConfig } from '../config.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import { S3ObjectStore } from './s3-object-store.ts';

/**
 * The media bucket a handler works on: S3 (`MEDIA_BUCKET`), with the SDK's defaults (the SDK
 * reads `AWS_ENDPOINT_URL_S3` itself, e.g. for a local S3 server). Local runs pass their own
 * store to the functions' factories instead.
 *
 * @example
 * const store = mediaStore(loadConfig(BucketConfig, process.env));
 */
export function mediaStore(config: StorageConfig): ObjectStore {
  return new S3ObjectStore(new S3Client({}), config.mediaBucket);
}
