import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import type { CfnResource } from 'aws-cdk-lib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BUNDLE_ROOT, createPipelineApp } from '../../src/app.ts';
import { DEFINITION_PLACEHOLDERS, DEFINITION_TEXT, FUNCTION_IDS } from '@toq/lambdas/pipeline';
import { FUNCTION_SIZING } from '../../src/config.ts';
import { ENV, renderer, roleStatements, synthPipeline } from '../support/synth.ts';

/**
 * The synthesized template, asserted row by row against the spec (§1) and the issue: names,
 * numbers, principals, and the actions and resources of every role. One synth (the real bundles
 * from packages/lambdas/dist, cdk-nag on) serves every test of the file.
 */

let synth: ReturnType<typeof synthPipeline>;
beforeAll(() => {
  synth = synthPipeline();
});
afterAll(() => synth.dispose());

const arn = (service: string, resource: string) =>
  `arn:aws:${service}:${ENV.region}:${ENV.account}:${resource}`;
const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  synth.stack.getLogicalId(construct.node.defaultChild as CfnResource);
const ref = (construct: { node: { defaultChild?: unknown } }) => ({ Ref: logicalId(construct) });
const getAtt = (construct: { node: { defaultChild?: unknown } }, attribute = 'Arn') => ({
  'Fn::GetAtt': [logicalId(construct), attribute],
});
const keyArn = () => getAtt(synth.stack.key.key);

describe('deployment environment', () => {
  // The CLI sets these from the credentials in use: here, credentials for some other account.
  const cliEnvironment = { CDK_DEFAULT_ACCOUNT: '111111111111', CDK_DEFAULT_REGION: 'eu-west-1' };
  const stackUnderCli = (stage: string) => {
    for (const [name, value] of Object.entries(cliEnvironment)) vi.stubEnv(name, value);
    const outdir = mkdtempSync(join(tmpdir(), 'toq-infra-env-'));
    try {
      const { stack } = createPipelineApp({ context: { stage }, outdir });
      return { account: stack.account, region: stack.region };
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  };
  afterEach(() => vi.unstubAllEnvs());

  it('binds staging to account 058264253741 in us-east-1 (spec §1), in the template too', () => {
    const artifact = synth.assembly.getStackByName(synth.stack.stackName);

    expect(artifact.environment).toEqual({
      account: ENV.account,
      region: ENV.region,
      name: `aws://${ENV.account}/${ENV.region}`,
    });
    const template = JSON.stringify(synth.template.toJSON());
    expect(template).not.toMatch(/AWS::(AccountId|Region)/);
    expect(template).toContain(`:${ENV.region}:${ENV.account}:`);
  });

  it('keeps staging there whatever account and region the CLI’s credentials are for', () => {
    expect(stackUnderCli('staging')).toEqual(ENV);
  });

  it('lets any other stage deploy where the CLI’s credentials point', () => {
    expect(stackUnderCli('qa')).toEqual({ account: '111111111111', region: 'eu-west-1' });
  });
});

describe('KMS key', () => {
  it('rotates yearly and has the alias alias/toq-media-processing-staging', () => {
    synth.template.resourceCountIs('AWS::KMS::Key', 1);
    synth.template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      Enabled: Match.absent(), // enabled (the default)
    });
    synth.template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/toq-media-processing-staging',
      TargetKeyId: keyArn(),
    });
  });

  const keyPolicy = () =>
    synth.template.toJSON()['Resources'][logicalId(synth.stack.key.key)]['Properties']['KeyPolicy'][
      'Statement'
    ] as Record<string, unknown>[];
  const statement = (sid: string) => keyPolicy().find((s) => s['Sid'] === sid);

  it('lets CloudWatch Logs use it for the pipeline’s log groups only, with the exact actions', () => {
    expect(statement('CloudWatchLogsEncryptsPipelineLogGroups')).toEqual({
      Sid: 'CloudWatchLogsEncryptsPipelineLogGroups',
      Effect: 'Allow',
      Principal: { Service: 'logs.us-east-1.amazonaws.com' },
      Action: [
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:Encrypt',
        'kms:GenerateDataKey',
        'kms:GenerateDataKeyWithoutPlaintext',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
      ],
      Resource: '*',
      Condition: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': [
            ...FUNCTION_IDS.map((fn) =>
              arn('logs', `log-group:/aws/lambda/listing-media-${fn}-staging`),
            ),
            arn('logs', 'log-group:/aws/vendedlogs/states/listing-media-processing-staging'),
          ],
        },
      },
    });
  });

  it('lets CloudWatch Logs delivery decrypt the encrypted state machine’s logs, for this account only', () => {
    expect(statement('LogDeliveryDecryptsStateMachineLogs')).toEqual({
      Sid: 'LogDeliveryDecryptsStateMachineLogs',
      Effect: 'Allow',
      Principal: { Service: 'delivery.logs.amazonaws.com' },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        StringEquals: { 'aws:SourceAccount': ENV.account },
        ArnLike: { 'aws:SourceArn': arn('logs', '*') },
      },
    });
  });

  it('lets CloudWatch use it for the two alarms’ notifications to the alarm topic only', () => {
    expect(statement('CloudWatchAlarmsPublishToEncryptedTopic')).toEqual({
      Sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: {
        StringEquals: {
          'aws:SourceAccount': ENV.account,
          'kms:EncryptionContext:aws:sns:topicArn': arn(
            'sns',
            'toq-media-processing-alarms-staging',
          ),
        },
        ArnEquals: {
          'aws:SourceArn': [
            arn('cloudwatch', 'alarm:listing-media-processing-dlq-messages-staging'),
            arn('cloudwatch', 'alarm:listing-media-processing-failed-executions-staging'),
          ],
        },
      },
    });
  });

  it('gives no service a wildcard action or an unconditioned statement; the rest is the account’s', () => {
    const services = keyPolicy().filter((s) => (s['Principal'] as { Service?: string }).Service);
    const others = keyPolicy().filter((s) => !services.includes(s));
    const actions = (s: Record<string, unknown>) => [s['Action']].flat() as string[];

    expect(services).toHaveLength(3);
    for (const s of services) {
      expect(
        actions(s).filter((a) => a.includes('*')),
        String(s['Sid']),
      ).toEqual([]);
      expect(s['Condition'], String(s['Sid'])).toBeDefined();
    }
    // CDK's own: the account's statement, and the webhook secret's grant to the account
    // through Secrets Manager (kms:ViaService), which the account's statement already covers.
    expect(others.map((s) => s['Principal'])).toEqual([
      { AWS: `arn:aws:iam::${ENV.account}:root` },
      { AWS: `arn:aws:iam::${ENV.account}:root` },
    ]);
  });
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

  it('denies changing or deleting */raw/* to every pipeline role but the backend’s', () => {
    const { roles } = synth.stack;
    const policy = Object.values(
      synth.template.findResources('AWS::S3::BucketPolicy', {
        Properties: { Bucket: ref(synth.stack.media.bucket) },
      }),
    )[0] as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } };
    const deny = policy.Properties.PolicyDocument.Statement.find(
      (s) => s['Sid'] === 'DenyRawUploadChangesToPipelineRoles',
    );

    expect(deny).toEqual({
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
        's3:PutObjectTagging',
        's3:PutObjectVersionAcl',
        's3:PutObjectVersionTagging',
      ],
      Resource: { 'Fn::Join': ['', [getAtt(synth.stack.media.bucket), '/*/raw/*']] },
      Condition: {
        ArnEquals: {
          'aws:PrincipalArn': [
            getAtt(roles.lambda),
            getAtt(roles.stepFunctions),
            getAtt(roles.mediaConvert),
          ],
        },
      },
    });
    expect(JSON.stringify(deny)).not.toContain(logicalId(roles.backend));
  });
});

describe('log bucket', () => {
  it('is toq-logs-staging: SSE-S3, all public access blocked, TLS only, logs kept 365 days', () => {
    const logBucket = synth.stack.media.logBucket;
    synth.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'toq-logs-staging',
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
        Rules: [{ Id: 'expire-access-logs', Status: 'Enabled', ExpirationInDays: 365 }],
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

describe('queues', () => {
  it('listing-media-processing-staging: 60 s visibility, 4 days, 20 s long polling, SSE-KMS, to the DLQ after 5 receives', () => {
    synth.template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'listing-media-processing-staging',
      VisibilityTimeout: 60,
      MessageRetentionPeriod: 345_600,
      ReceiveMessageWaitTimeSeconds: 20,
      KmsMasterKeyId: keyArn(),
      RedrivePolicy: {
        deadLetterTargetArn: getAtt(synth.stack.ingest.deadLetterQueue),
        maxReceiveCount: 5,
      },
      FifoQueue: Match.absent(), // standard
    });
  });

  it('listing-media-processing-dlq-staging: 14 days, SSE-KMS', () => {
    synth.template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'listing-media-processing-dlq-staging',
      MessageRetentionPeriod: 1_209_600,
      KmsMasterKeyId: keyArn(),
    });
  });

  it('both deny requests without TLS', () => {
    for (const queue of [synth.stack.ingest.queue, synth.stack.ingest.deadLetterQueue]) {
      synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [ref(queue)],
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ],
        },
      });
    }
  });
});

describe('roles', () => {
  it('are the spec’s four, with its names and trust principals', () => {
    const { roles } = synth.stack;
    synth.template.resourceCountIs('AWS::IAM::Role', 4);
    const expected = [
      [roles.backend, 'toq-media-processing-backend-staging', 'ec2.amazonaws.com'],
      [roles.lambda, 'toq-media-processing-lambda-staging', 'lambda.amazonaws.com'],
      [roles.stepFunctions, 'toq-media-processing-stepfunctions-staging', 'states.amazonaws.com'],
      [
        roles.mediaConvert,
        'toq-media-processing-mediaconvert-staging',
        'mediaconvert.amazonaws.com',
      ],
    ] as const;
    for (const [role, name, service] of expected) {
      expect(synth.template.toJSON()['Resources'][logicalId(role)]['Properties']).toMatchObject({
        RoleName: name,
        AssumeRolePolicyDocument: {
          Statement: [
            { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: service } },
          ],
        },
      });
    }
    synth.template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    synth.template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    synth.template.hasResourceProperties('AWS::IAM::InstanceProfile', {
      InstanceProfileName: 'toq-media-processing-backend-staging',
      Roles: [ref(roles.backend)],
    });
  });

  const stateMachine = arn('states', 'stateMachine:listing-media-processing-staging');
  const bucket = '<Media/Bucket.Arn>';
  const key = '<Key/Key.Arn>';
  const statementsOf = (role: 'backend' | 'lambda' | 'stepFunctions' | 'mediaConvert') =>
    roleStatements(synth.template, synth.stack, logicalId(synth.stack.roles[role]));

  it('backend: S3 Put/Get/DeleteObject, tags raw uploads, sends requests, uses the key, starts and describes executions', () => {
    expect(statementsOf('backend')).toEqual([
      {
        Sid: 'MediaObjects',
        Effect: 'Allow',
        Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
        Resource: [`${bucket}/*`],
      },
      {
        Sid: 'TagRawUploads',
        Effect: 'Allow',
        Action: ['s3:PutObjectTagging'],
        Resource: [`${bucket}/*/raw/*`],
      },
      {
        Sid: 'SendProcessingRequests',
        Effect: 'Allow',
        Action: ['sqs:GetQueueAttributes', 'sqs:SendMessage'],
        Resource: ['<Ingest/Queue.Arn>'],
      },
      {
        Sid: 'UseMediaKey',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        Resource: [key],
      },
      {
        Sid: 'StartExecutions',
        Effect: 'Allow',
        Action: ['states:StartExecution'],
        Resource: [stateMachine],
      },
      {
        Sid: 'DescribeExecutions',
        Effect: 'Allow',
        Action: ['states:DescribeExecution'],
        Resource: [arn('states', 'execution:listing-media-processing-staging:*')],
      },
      {
        Sid: 'DecryptExecutionData',
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: [key],
        Condition: {
          StringEquals: {
            'kms:EncryptionContext:aws:states:stateMachineArn': stateMachine,
            'kms:ViaService': 'states.us-east-1.amazonaws.com',
          },
        },
      },
    ]);
  });

  it('lambda: its logs, media reads, renditions and state writes, the key, its environments’ decryption, StartExecution, X-Ray, the queue; the secret for callback only', () => {
    expect(statementsOf('lambda')).toEqual([
      {
        Sid: 'WriteFunctionLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [...FUNCTION_IDS]
          .sort()
          .map((fn) => arn('logs', `log-group:/aws/lambda/listing-media-${fn}-staging:*`)),
      },
      {
        Sid: 'ReadMedia',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: [`${bucket}/*/processed/*`, `${bucket}/*/raw/*`, `${bucket}/_pipeline/*`],
      },
      {
        Sid: 'WriteRenditionsAndState',
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:PutObject'],
        Resource: [`${bucket}/*/processed/*`, `${bucket}/_pipeline/*`],
      },
      { Sid: 'ListMedia', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [bucket] },
      {
        Sid: 'UseMediaKey',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: [key],
      },
      {
        Sid: 'DecryptFunctionEnvironments',
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: [key],
        Condition: {
          StringEquals: {
            'kms:EncryptionContext:aws:lambda:FunctionArn': FUNCTION_IDS.map((fn) =>
              arn('lambda', `function:listing-media-${fn}-staging`),
            ),
          },
        },
      },
      {
        Sid: 'StartExecutions',
        Effect: 'Allow',
        Action: ['states:StartExecution'],
        Resource: [stateMachine],
      },
      // Added by CDK: active tracing, and the start function's SQS event source.
      {
        Effect: 'Allow',
        Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
        Resource: ['*'],
      },
      {
        Effect: 'Allow',
        Action: [
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
        ],
        Resource: ['<Ingest/Queue.Arn>'],
      },
      { Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [key] },
      {
        Sid: 'CallbackReadsWebhookSecret',
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue'],
        Resource: ['<WebhookSecret>'],
        Condition: {
          ArnEquals: {
            'lambda:SourceFunctionArn': arn('lambda', 'function:listing-media-callback-staging'),
          },
        },
      },
    ]);
  });

  it('stepfunctions: invokes the six task functions, runs and watches MediaConvert jobs, passes the MediaConvert role, encrypts its executions’ data and logs, logs, X-Ray', () => {
    expect(statementsOf('stepFunctions')).toEqual([
      {
        Sid: 'InvokePipelineFunctions',
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction'],
        Resource: ['callback', 'consolidate', 'thumbnails', 'transcode', 'validate', 'zip'].map(
          (fn) => arn('lambda', `function:listing-media-${fn}-staging`),
        ),
      },
      {
        Sid: 'CreateTranscodeJobs',
        Effect: 'Allow',
        Action: ['mediaconvert:CreateJob', 'mediaconvert:TagResource'],
        Resource: [arn('mediaconvert', 'jobs/*'), arn('mediaconvert', 'queues/Default')],
      },
      {
        Sid: 'WatchTranscodeJobs',
        Effect: 'Allow',
        Action: ['mediaconvert:CancelJob', 'mediaconvert:GetJob'],
        Resource: [arn('mediaconvert', 'jobs/*')],
      },
      {
        Sid: 'PassMediaConvertRole',
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: ['<Roles/MediaConvert.Arn>'],
        Condition: { StringEquals: { 'iam:PassedToService': 'mediaconvert.amazonaws.com' } },
      },
      {
        Sid: 'ManagedMediaConvertJobRule',
        Effect: 'Allow',
        Action: ['events:DescribeRule', 'events:PutRule', 'events:PutTargets'],
        Resource: [arn('events', 'rule/StepFunctionsGetEventsForMediaConvertJobRule')],
      },
      {
        Sid: 'UseExecutionDataKey',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: [key],
        Condition: {
          StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': stateMachine },
        },
      },
      {
        Sid: 'EncryptExecutionLogs',
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey'],
        Resource: [key],
        Condition: { StringEquals: { 'kms:EncryptionContext:SourceArn': arn('logs', '*') } },
      },
      // Added by CDK for logging and tracing: these actions take no resource but "*".
      {
        Effect: 'Allow',
        Action: [
          'logs:CreateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:DescribeLogGroups',
          'logs:DescribeResourcePolicies',
          'logs:GetLogDelivery',
          'logs:ListLogDeliveries',
          'logs:PutResourcePolicy',
          'logs:UpdateLogDelivery',
          'xray:GetSamplingRules',
          'xray:GetSamplingTargets',
          'xray:PutTelemetryRecords',
          'xray:PutTraceSegments',
        ],
        Resource: ['*'],
      },
    ]);
  });

  it('mediaconvert: reads raw videos, writes MP4s and frames, uses the key', () => {
    expect(statementsOf('mediaConvert')).toEqual([
      {
        Sid: 'ReadRawVideos',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: [`${bucket}/*/raw/video/*`],
      },
      {
        Sid: 'WriteVideoOutputs',
        Effect: 'Allow',
        Action: ['s3:PutObject'],
        Resource: [`${bucket}/*/processed/video/*`, `${bucket}/_pipeline/*`],
      },
      {
        Sid: 'UseMediaKey',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: [key],
      },
    ]);
  });

  it('names the resources of every Allow statement; "*" only for actions without resource-level permissions', () => {
    const statements = (['backend', 'lambda', 'stepFunctions', 'mediaConvert'] as const).flatMap(
      statementsOf,
    );
    const starOnly = statements.filter((s) => s.Resource.includes('*'));

    expect(statements.every((s) => s.Effect === 'Allow' && s.Resource.length > 0)).toBe(true);
    expect(starOnly.flatMap((s) => s.Action).every((a) => /^(xray|logs):/.test(a))).toBe(true);
    expect(starOnly.flatMap((s) => s.Action)).not.toContain('logs:PutLogEvents');
  });
});

describe('webhook signing secret', () => {
  it('is encrypted with the key and generated as 64 base64-safe characters', () => {
    synth.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'toq-media-processing-webhook-signing-staging',
      KmsKeyId: keyArn(),
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
    });
  });

  it('is readable only through the callback-conditioned statement', () => {
    const secretRef = ref(synth.stack.webhookSecret);
    const readers = Object.values(synth.template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) =>
        (policy['Properties']['PolicyDocument']['Statement'] as Record<string, unknown>[]).filter(
          (s) => JSON.stringify(s['Resource']) === JSON.stringify(secretRef),
        ),
    );

    expect(readers).toHaveLength(1);
    expect(readers[0]).toMatchObject({
      Condition: {
        ArnEquals: {
          'lambda:SourceFunctionArn': arn('lambda', 'function:listing-media-callback-staging'),
        },
      },
    });
  });
});

describe('functions', () => {
  const environment: Record<string, Record<string, unknown>> = {
    start: { STATE_MACHINE_ARN: arn('states', 'stateMachine:listing-media-processing-staging') },
    validate: { MAX_PHOTO_BYTES: '52428800', MAX_VIDEO_BYTES: '5368709120' },
    thumbnails: { MALLOC_ARENA_MAX: '2' },
    zip: { NODE_OPTIONS: '--max-semi-space-size=1 --max-old-space-size=819' },
    callback: { CALLBACK_ALLOWED_HOSTS: 'api.toq.example,*.hooks.toq.example' },
  };

  it.each(FUNCTION_IDS)(
    'listing-media-%s-staging: nodejs24.x, arm64, index.handler, its memory and timeout, X-Ray, the shared role, exactly its environment, encrypted with the key',
    (fn) => {
      const bucketEnv = fn === 'start' ? {} : { MEDIA_BUCKET: ref(synth.stack.media.bucket) };
      const secretEnv =
        fn === 'callback' ? { WEBHOOK_SECRET_ARN: ref(synth.stack.webhookSecret) } : {};
      synth.template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `listing-media-${fn}-staging`,
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: FUNCTION_SIZING[fn].memoryMiB,
        Timeout: FUNCTION_SIZING[fn].timeoutSeconds,
        TracingConfig: { Mode: 'Active' },
        Role: getAtt(synth.stack.roles.lambda),
        LoggingConfig: { LogGroup: Match.anyValue() },
        KmsKeyArn: keyArn(),
        Environment: {
          Variables: Match.exact({
            LOG_LEVEL: 'INFO',
            POWERTOOLS_SERVICE_NAME: 'listing-media',
            ...bucketEnv,
            ...secretEnv,
            ...environment[fn],
          }),
        },
      });
    },
  );

  it('log to their own log groups, encrypted with the key, kept a month', () => {
    for (const fn of FUNCTION_IDS) {
      const func = synth.stack.functions.functions[fn];
      const props = synth.template.toJSON()['Resources'][logicalId(func)]['Properties'];
      const logGroupId = (props['LoggingConfig']['LogGroup'] as { Ref: string }).Ref;
      expect(synth.template.toJSON()['Resources'][logGroupId]['Properties']).toEqual({
        LogGroupName: `/aws/lambda/listing-media-${fn}-staging`,
        RetentionInDays: 30,
        KmsKeyId: keyArn(),
      });
    }
  });

  it('deploy the very bundles in packages/lambdas/dist (the staged asset is byte-identical)', () => {
    const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
    const staged = readdirSync(synth.outdir).filter((name) => name.startsWith('asset.'));
    for (const fn of FUNCTION_IDS) {
      const func = synth.stack.functions.functions[fn];
      const code = synth.template.toJSON()['Resources'][logicalId(func)]['Properties']['Code'];
      const hash = (code['S3Key'] as string).replace(/\.zip$/, '');
      expect(staged, fn).toContain(`asset.${hash}`);
      expect(digest(join(synth.outdir, `asset.${hash}`, 'index.mjs')), fn).toBe(
        digest(join(BUNDLE_ROOT, fn, 'index.mjs')),
      );
    }
  });

  it('start consumes the queue in batches of 10 and reports partial batch failures', () => {
    synth.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    synth.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: getAtt(synth.stack.ingest.queue),
      FunctionName: ref(synth.stack.functions.functions.start),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });
});

describe('state machine', () => {
  it('is the standard workflow listing-media-processing-staging, with the spec’s role, every log level and X-Ray', () => {
    synth.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'listing-media-processing-staging',
      StateMachineType: 'STANDARD',
      RoleArn: getAtt(synth.stack.roles.stepFunctions),
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [
          { CloudWatchLogsLogGroup: { LogGroupArn: getAtt(synth.stack.workflow.logGroup) } },
        ],
      },
    });
    synth.template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/vendedlogs/states/listing-media-processing-staging',
      RetentionInDays: 30,
      KmsKeyId: keyArn(),
    });
  });

  it('encrypts its definition and execution data with the key, a data key reused 5 minutes', () => {
    synth.template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    synth.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      EncryptionConfiguration: Match.exact({
        Type: 'CUSTOMER_MANAGED_KMS_KEY',
        KmsKeyId: keyArn(),
        KmsDataKeyReusePeriodSeconds: 300,
      }),
    });
  });

  it('deploys definition.asl.json unchanged, every placeholder substituted by CloudFormation', () => {
    const { functions } = synth.stack.functions;
    const props =
      synth.template.toJSON()['Resources'][logicalId(synth.stack.workflow.stateMachine)][
        'Properties'
      ];

    expect(props['DefinitionString']).toBe(DEFINITION_TEXT);
    expect(Object.keys(props['DefinitionSubstitutions']).sort()).toEqual(
      [...DEFINITION_PLACEHOLDERS].sort(),
    );
    expect(props['DefinitionSubstitutions']).toEqual({
      ValidateFunctionArn: getAtt(functions.validate),
      ThumbnailsFunctionArn: getAtt(functions.thumbnails),
      TranscodeFunctionArn: getAtt(functions.transcode),
      ZipFunctionArn: getAtt(functions.zip),
      ConsolidateFunctionArn: getAtt(functions.consolidate),
      CallbackFunctionArn: getAtt(functions.callback),
      MediaConvertRoleArn: getAtt(synth.stack.roles.mediaConvert),
    });
  });
});

describe('alarms', () => {
  it('fire on a message in the DLQ and on a failed execution, to the encrypted alarm topic', () => {
    const topic = ref(synth.stack.alarms.topic);
    synth.template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'toq-media-processing-alarms-staging',
      KmsMasterKeyId: keyArn(),
    });
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'listing-media-processing-dlq-messages-staging',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: getAtt(synth.stack.ingest.deadLetterQueue, 'QueueName') },
      ],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic],
    });
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'listing-media-processing-failed-executions-staging',
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
      Dimensions: [{ Name: 'StateMachineArn', Value: ref(synth.stack.workflow.stateMachine) }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic],
    });
  });
});

describe('names', () => {
  it('every named resource carries the stage suffix (the media bucket keeps the spec’s name in staging)', () => {
    const render = renderer(synth.stack);
    const nameKeys = [
      'BucketName',
      'QueueName',
      'RoleName',
      'FunctionName',
      'StateMachineName',
      'Name',
      'TopicName',
      'AlarmName',
      'AliasName',
      'LogGroupName',
      'InstanceProfileName',
    ];
    const names = Object.values(
      synth.template.toJSON()['Resources'] as Record<
        string,
        { Properties?: Record<string, unknown> }
      >,
    )
      .flatMap((resource) => nameKeys.map((k) => resource.Properties?.[k]))
      .filter(
        (name): name is string =>
          typeof render(name) === 'string' && !String(render(name)).startsWith('<'),
      );

    expect(names.length).toBeGreaterThanOrEqual(30);
    expect(
      names.filter((name) => !name.endsWith('-staging') && name !== 'toq-listing-medias'),
    ).toEqual([]);
  });
});
