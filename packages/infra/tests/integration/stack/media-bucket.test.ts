import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  getAtt,
  keyArn,
  logicalId,
  ref,
  stagingSynth,
  type StagingSynth,
} from '../../support/staging.ts';
import { ENV } from '../../support/synth.ts';

/**
 * `MediaBucket` (src/constructs/media-bucket.ts) in the staging template: the media bucket
 * (encryption, versioning, public access, access logs, lifecycle, its policy's TLS and raw-upload
 * Denies) and the log bucket.
 */

let synth: StagingSynth;
beforeAll(() => {
  synth = stagingSynth();
});

describe('media bucket', () => {
  it('is toq-listing-medias, SSE-KMS with the key and a bucket key, versioned, all public access blocked, logged to the log bucket', () => {
    synth.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'toq-listing-medias',
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn() },
          },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: {
        DestinationBucketName: ref(synth.stack.media.logBucket),
        LogFilePrefix: 'toq-listing-medias/',
      },
    });
  });

  it('moves tagged raw uploads to Glacier after 180 days, expires _pipeline/ after 30 days and noncurrent versions after 30 days', () => {
    synth.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'toq-listing-medias',
      LifecycleConfiguration: {
        Rules: [
          {
            Id: 'raw-to-glacier',
            Status: 'Enabled',
            TagFilters: [{ Key: 'media-class', Value: 'raw' }],
            Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: 180 }],
          },
          {
            Id: 'expire-pipeline-state',
            Status: 'Enabled',
            Prefix: '_pipeline/',
            ExpirationInDays: 30,
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          },
          {
            Id: 'expire-noncurrent-versions',
            Status: 'Enabled',
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
            ExpiredObjectDeleteMarker: true,
          },
        ],
      },
    });
  });

  it('denies every request without TLS', () => {
    synth.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: ref(synth.stack.media.bucket),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('denies changing or deleting */raw/* to every pipeline role but the backend’s, but for the raw class tag', () => {
    const { roles } = synth.stack;
    const policy = Object.values(
      synth.template.findResources('AWS::S3::BucketPolicy', {
        Properties: { Bucket: ref(synth.stack.media.bucket) },
      }),
    )[0] as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } };
    const statement = (sid: string) =>
      policy.Properties.PolicyDocument.Statement.find((s) => s['Sid'] === sid);
    const rawUploads = { 'Fn::Join': ['', [getAtt(synth.stack.media.bucket), '/*/raw/*']] };
    const pipelineRoles = {
      'aws:PrincipalArn': [
        getAtt(roles.lambda),
        getAtt(roles.stepFunctions),
        getAtt(roles.mediaConvert),
      ],
    };

    expect(statement('DenyRawUploadChangesToPipelineRoles')).toEqual({
      Sid: 'DenyRawUploadChangesToPipelineRoles',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: [
        's3:DeleteObject',
        's3:DeleteObjectTagging',
        's3:DeleteObjectVersion',
        's3:DeleteObjectVersionTagging',
        's3:PutObject',
        's3:PutObjectAcl',
        's3:PutObjectLegalHold',
        's3:PutObjectRetention',
        's3:PutObjectVersionAcl',
        's3:PutObjectVersionTagging',
      ],
      Resource: rawUploads,
      Condition: { ArnEquals: pipelineRoles },
    });
    // validate tags what it validated media-class=raw (the Glacier rule's tag): any other tag
    // set stays denied.
    expect(statement('DenyRawUploadTagsButTheRawClassToPipelineRoles')).toEqual({
      Sid: 'DenyRawUploadTagsButTheRawClassToPipelineRoles',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:PutObjectTagging',
      Resource: rawUploads,
      Condition: {
        ArnEquals: pipelineRoles,
        StringNotEquals: { 's3:RequestObjectTag/media-class': 'raw' },
      },
    });
    expect(JSON.stringify(policy)).not.toContain(logicalId(roles.backend));
  });
});

describe('log bucket', () => {
  it('is toq-logs-staging: SSE-S3, versioned, all public access blocked, TLS only, logs kept 365 days (overwritten ones 30)', () => {
    const logBucket = synth.stack.media.logBucket;
    synth.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'toq-logs-staging',
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [
          {
            Id: 'expire-access-logs',
            Status: 'Enabled',
            ExpirationInDays: 365,
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
          },
        ],
      },
    });
    synth.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: ref(logBucket),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:PutObject',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Condition: {
              ArnLike: { 'aws:SourceArn': getAtt(synth.stack.media.bucket) },
              StringEquals: { 'aws:SourceAccount': ENV.account },
            },
          }),
        ]),
      },
    });
  });
});
