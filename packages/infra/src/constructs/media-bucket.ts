import { PIPELINE_STATE_PREFIX } from '@toq/contracts/constants';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * The tag a raw upload carries so that the Glacier rule finds it: S3 lifecycle filters match a
 * literal key prefix, and raw uploads live under a per-listing prefix (`{listingId}/raw/…`), which
 * no prefix filter can express. The backend sets it when it uploads (`x-amz-tagging:
 * media-class=raw`, or `Tagging` on PutObject / CreateMultipartUpload).
 */
export const RAW_UPLOAD_TAG = { key: 'media-class', value: 'raw' } as const;

/** Lifecycle periods of the media and log buckets, in days. */
export const RETENTION_DAYS = {
  /** Raw uploads move to S3 Glacier Flexible Retrieval (spec §1). */
  rawToGlacier: 180,
  /** Pipeline bookkeeping under `_pipeline/` (requests, reports, results) is deleted. */
  pipelineState: 30,
  /** Overwritten or deleted versions (re-rendered renditions, a replaced zip) are deleted. */
  noncurrentVersions: 30,
  /** Unfinished multipart uploads (an interrupted zip) are aborted. */
  incompleteUploads: 7,
  /** Server access logs are deleted. */
  accessLogs: 365,
} as const;

/** Props of {@link MediaBucket}. */
export interface MediaBucketProps {
  /** `toq-listing-medias` (staging). */
  readonly bucketName: string;
  /** `toq-logs-{stage}`. */
  readonly logBucketName: string;
  /** The pipeline's key: SSE-KMS of the media bucket. */
  readonly key: kms.IKey;
}

const ALL_BLOCKED = s3.BlockPublicAccess.BLOCK_ALL;

/**
 * The media bucket (raw uploads, renditions, zips, pipeline state) and the log bucket that
 * receives its server access logs.
 */
export class MediaBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: MediaBucketProps) {
    super(scope, id);

    this.logBucket = new s3.Bucket(this, 'LogBucket', {
      bucketName: props.logBucketName,
      // SSE-S3, not the pipeline's key: S3 server access logging cannot deliver to a bucket whose
      // default encryption is SSE-KMS (and the logs hold no media).
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: ALL_BLOCKED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: Duration.days(RETENTION_DAYS.accessLogs) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: ALL_BLOCKED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: `${props.bucketName}/`,
      lifecycleRules: [
        {
          id: 'raw-to-glacier',
          tagFilters: { [RAW_UPLOAD_TAG.key]: RAW_UPLOAD_TAG.value },
          transitions: [
            {
              storageClass: s3.StorageClass.GLACIER,
              transitionAfter: Duration.days(RETENTION_DAYS.rawToGlacier),
            },
          ],
        },
        {
          id: 'expire-pipeline-state',
          prefix: PIPELINE_STATE_PREFIX,
          expiration: Duration.days(RETENTION_DAYS.pipelineState),
          noncurrentVersionExpiration: Duration.days(1),
        },
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(RETENTION_DAYS.noncurrentVersions),
          abortIncompleteMultipartUploadAfter: Duration.days(RETENTION_DAYS.incompleteUploads),
          expiredObjectDeleteMarker: true,
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * Denies changing or deleting any raw upload (`*\/raw/*`) to the given roles: every pipeline
   * role but the backend's. A bucket-policy Deny wins over any Allow those roles get, now or
   * later.
   */
  protectRawUploads(roles: readonly iam.IRole[]): void {
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyRawUploadChangesToPipelineRoles',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [
          's3:PutObject',
          's3:PutObjectAcl',
          's3:PutObjectVersionAcl',
          's3:PutObjectTagging',
          's3:PutObjectVersionTagging',
          's3:PutObjectRetention',
          's3:PutObjectLegalHold',
          's3:DeleteObject',
          's3:DeleteObjectVersion',
          's3:DeleteObjectTagging',
          's3:DeleteObjectVersionTagging',
        ],
        resources: [this.bucket.arnForObjects('*/raw/*')],
        conditions: { ArnEquals: { 'aws:PrincipalArn': roles.map((role) => role.roleArn) } },
      }),
    );
  }
}
