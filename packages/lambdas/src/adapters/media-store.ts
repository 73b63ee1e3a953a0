import { S3Client } from '@aws-sdk/client-s3';
import type { StorageConfig } from '../config.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import { FsObjectStore } from './fs-object-store.ts';
import { S3ObjectStore } from './s3-object-store.ts';

/**
 * The media bucket a handler works on: S3 (`MEDIA_BUCKET`, path-style with
 * `S3_FORCE_PATH_STYLE=true` for a local S3 server, endpoint from `AWS_ENDPOINT_URL_S3`), or the
 * local directory of `LOCAL_MEDIA_ROOT` in local runs.
 *
 * @example
 * const store = mediaStore(loadConfig(BucketConfig, process.env));
 */
export function mediaStore(config: StorageConfig): ObjectStore {
  if (config.localMediaRoot) return new FsObjectStore(config.localMediaRoot);
  return new S3ObjectStore(
    new S3Client({ forcePathStyle: config.s3ForcePathStyle }),
    config.mediaBucket,
  );
}
