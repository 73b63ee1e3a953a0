import { PIPELINE_STATE_PREFIX, RAW_UPLOAD_TAG } from '@toq/contracts/constants';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeControl } from '../nag.ts';
import { ADOPTABLE } from '../removal.ts';

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
      // Versioned, so that a deleted or overwritten log stays recoverable for a while (the logs
      // are the record of who touched the media); nothing overwrites them otherwise.
      versioned: true,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(RETENTION_DAYS.accessLogs),
          noncurrentVersionExpiration: Duration.days(RETENTION_DAYS.noncurrentVersions),
        },
      ],
      removalPolicy: ADOPTABLE,
    });

    acknowledgeControl(
      this.logBucket,
      'CT.S3.PR.10',
      'the log bucket receives S3 server access logs, which S3 cannot deliver to a bucket whose default encryption is SSE-KMS; it is SSE-S3 (and holds request records, no media)',
    );
    acknowledgeControl(
      this.logBucket,
      'CT.S3.PR.2',
      'the log bucket is where the media bucket’s access logs go; logging it into itself would log every log delivery without end, and into another bucket would only move the question there',
    );

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
      removalPolicy: ADOPTABLE,
    });

    acknowledgeControl(
      this,
      'CT.S3.PR.4',
      'nothing reacts to single objects: processing starts when the backend sends a request for a whole listing once every upload is done (an object event would fire before the listing is complete), and nothing consumes the log bucket’s objects',
    );
    acknowledgeControl(
      this,
      'CT.S3.PR.9',
      'objects must stay deletable: the backend deletes a listing’s uploads and renditions when a listing is removed, re-processing overwrites renditions and the zip, and lifecycle rules expire execution records and logs; raw uploads are protected from the pipeline by the bucket policy’s Deny and from mistakes by versioning instead',
    );
  }

  /**
   * Denies changing or deleting any raw upload (`*\/raw/*`) to the given roles: every pipeline
   * role but the backend's. A bucket-policy Deny wins over any Allow those roles get, now or
   * later. The one change left is a tag set that classes the object raw ({@link RAW_UPLOAD_TAG}):
   * `validate` tags what it validated, so the Glacier rule finds raw uploads even when the
   * backend forgot the tag; a tag changes no byte of the upload.
   */
  protectRawUploads(roles: readonly iam.IRole[]): void {
    const rawUploads = this.bucket.arnForObjects('*/raw/*');
    const pipelineRoles = { ArnEquals: { 'aws:PrincipalArn': roles.map((role) => role.roleArn) } };
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyRawUploadChangesToPipelineRoles',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [
          's3:PutObject',
          's3:PutObjectAcl',
          's3:PutObjectVersionAcl',
          's3:PutObjectVersionTagging',
          's3:PutObjectRetention',
          's3:PutObjectLegalHold',
          's3:DeleteObject',
          's3:DeleteObjectVersion',
          's3:DeleteObjectTagging',
          's3:DeleteObjectVersionTagging',
        ],
        resources: [rawUploads],
        conditions: pipelineRoles,
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyRawUploadTagsButTheRawClassToPipelineRoles',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObjectTagging'],
        resources: [rawUploads],
        conditions: {
          ...pipelineRoles,
          StringNotEquals: { [`s3:RequestObjectTag/${RAW_UPLOAD_TAG.key}`]: RAW_UPLOAD_TAG.value },
        },
      }),
    );
  }
}
