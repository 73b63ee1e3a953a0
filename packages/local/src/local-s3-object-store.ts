import { S3ObjectStore } from '@toq/lambdas/s3';

/**
 * The media bucket of a local run on an S3 endpoint: the functions' own S3 adapter, without
 * object tagging. fauxqs has no tagging API and takes a `PutObjectTagging` for a `PutObject` of
 * the tagging XML, which would overwrite the raw upload with it; and a local bucket has no
 * lifecycle rule for the tag to feed. So validate's tagging of raw uploads does nothing here.
 */
export class LocalS3ObjectStore extends S3ObjectStore {
  override addTags(): Promise<void> {
    return Promise.resolve();
  }
}
