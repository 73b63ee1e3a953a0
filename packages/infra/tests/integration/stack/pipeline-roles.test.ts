import { Match } from 'aws-cdk-lib/assertions';
import { rawKey, renditionKey, zipKey } from '@toq/contracts';
import { PIPELINE_STATE_PREFIX } from '@toq/contracts/constants';
import { FUNCTION_IDS } from '@toq/lambdas/pipeline';
import { beforeAll, describe, expect, it } from 'vitest';
import { arn, logicalId, ref, stagingSynth, type StagingSynth } from '../../support/staging.ts';
import { roleStatements } from '../../support/synth.ts';

/**
 * `PipelineRoles` (src/constructs/pipeline-roles.ts) in the staging template: the spec's four
 * roles, their trust, and every statement of every policy attached to each (the ones CDK adds
 * for tracing, logging and the SQS event source included).
 */

let synth: StagingSynth;
beforeAll(() => {
  synth = stagingSynth();
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

  it('lets states and mediaconvert assume their roles only for this account’s state machine and MediaConvert queue (confused deputy)', () => {
    const { roles } = synth.stack;
    const trustOf = (role: typeof roles.backend) =>
      synth.template.toJSON()['Resources'][logicalId(role)]['Properties'][
        'AssumeRolePolicyDocument'
      ]['Statement'];

    expect(trustOf(roles.stepFunctions)).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'states.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': '058264253741' },
          ArnLike: {
            'aws:SourceArn': arn('states', 'stateMachine:listing-media-processing-staging'),
          },
        },
      },
    ]);
    expect(trustOf(roles.mediaConvert)).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'mediaconvert.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': '058264253741' },
          ArnLike: { 'aws:SourceArn': arn('mediaconvert', 'queues/Default') },
        },
      },
    ]);
  });

  const stateMachine = arn('states', 'stateMachine:listing-media-processing-staging');
  const bucket = '<Media/Bucket.Arn>';
  // A listing id in an object-key pattern: listing ids are opaque, IAM has no character class.
  const anyListing = '*';
  const key = '<Key/Key.Arn>';
  const statementsOf = (role: 'backend' | 'lambda' | 'stepFunctions' | 'mediaConvert') =>
    roleStatements(synth.template, synth.stack, logicalId(synth.stack.roles[role]));

  it('backend: S3 Put/Get/DeleteObject on its listings, tags raw uploads, reads execution records (and only reads them), sends requests, uses the key, starts and describes executions', () => {
    expect(statementsOf('backend')).toEqual([
      {
        Sid: 'MediaObjects',
        Effect: 'Allow',
        Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
        Resource: [`${bucket}/${anyListing}/*`],
      },
      {
        Sid: 'TagRawUploads',
        Effect: 'Allow',
        Action: ['s3:PutObjectTagging'],
        Resource: [`${bucket}/${anyListing}/raw/*`],
      },
      {
        Sid: 'ReadExecutionRecords',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: [`${bucket}/_pipeline/*`],
      },
      {
        Sid: 'KeepOutOfExecutionRecords',
        Effect: 'Deny',
        Action: ['s3:DeleteObject', 's3:PutObject', 's3:PutObjectTagging'],
        Resource: [`${bucket}/_pipeline/*`],
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

  it('lambda: its logs, media reads, renditions and state writes, the raw class tag, the key, its environments’ decryption, StartExecution, X-Ray, the queue; the secret for callback only; the DLQ and its encryption for start only', () => {
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
        Resource: [
          `${bucket}/${anyListing}/processed/*`,
          `${bucket}/${anyListing}/raw/*`,
          `${bucket}/_pipeline/*`,
        ],
      },
      {
        Sid: 'WriteRenditionsAndState',
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:PutObject'],
        Resource: [`${bucket}/${anyListing}/processed/*`, `${bucket}/_pipeline/*`],
      },
      // validate tags what it validated media-class=raw: the Glacier rule's tag, and no other
      // value (the bucket policy denies the rest).
      {
        Sid: 'ReadRawUploadTags',
        Effect: 'Allow',
        Action: ['s3:GetObjectTagging'],
        Resource: [`${bucket}/${anyListing}/raw/*`],
      },
      {
        Sid: 'ClassRawUploadsRaw',
        Effect: 'Allow',
        Action: ['s3:PutObjectTagging'],
        Resource: [`${bucket}/${anyListing}/raw/*`],
        Condition: { StringEquals: { 's3:RequestObjectTag/media-class': 'raw' } },
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
      {
        Sid: 'StartSendsToDeadLetterQueue',
        Effect: 'Allow',
        Action: ['sqs:SendMessage'],
        Resource: ['<Ingest/DeadLetterQueue.Arn>'],
        Condition: {
          ArnEquals: {
            'lambda:SourceFunctionArn': arn('lambda', 'function:listing-media-start-staging'),
          },
        },
      },
      {
        Sid: 'EncryptDeadLetters',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: [key],
        Condition: {
          StringEquals: {
            'kms:EncryptionContext:aws:sqs:arn': '<Ingest/DeadLetterQueue.Arn>',
            'kms:ViaService': 'sqs.us-east-1.amazonaws.com',
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

  it('mediaconvert: reads raw videos (and no execution record), writes MP4s and frames, uses the key', () => {
    expect(statementsOf('mediaConvert')).toEqual([
      {
        Sid: 'ReadRawVideos',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: [`${bucket}/${anyListing}/raw/video/*`],
      },
      {
        Sid: 'ReadNoExecutionRecords',
        Effect: 'Deny',
        Action: ['s3:GetObject'],
        Resource: [`${bucket}/_pipeline/*`],
      },
      {
        Sid: 'WriteVideoOutputs',
        Effect: 'Allow',
        Action: ['s3:PutObject'],
        Resource: [
          `${bucket}/${anyListing}/processed/video/large/*`,
          `${bucket}/_pipeline/${anyListing}/*/frames/*`,
        ],
      },
      {
        Sid: 'UseMediaKey',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: [key],
      },
    ]);
  });

  it('object-key patterns, with the Deny fences, reach exactly the keys (docs/system.md §2) each role needs, whatever the listing ids', () => {
    // Arrange: one key of each kind for a UUID, an integer and a slug listing, from the builders
    // the functions use; and the records of executions whose ids read like key folders
    // (listing "raw" or "processed", request "video"), which a pattern starting with "*" also
    // matches.
    const mediaId = '4f8d2c3b-5a6e-4f70-8b9c-0d1e2f3a4b5c';
    const listings = ['0b7c1a52-1f0e-4c7e-9a51-6f6d2a7b9c10', '12345', 'maison-rue-1_b'];
    const mediaOf = (listingId: string) => ({
      rawPhoto: rawKey({ listingId, mediaType: 'photo', mediaId, ext: 'heic' }),
      rawVideo: rawKey({ listingId, mediaType: 'video', mediaId, ext: 'mov' }),
      photo: renditionKey({ listingId, mediaType: 'photo', size: 'large', mediaId, ext: 'jpg' }),
      poster: renditionKey({ listingId, mediaType: 'video', size: 'small', mediaId, ext: 'jpg' }),
      mp4: renditionKey({ listingId, mediaType: 'video', size: 'large', mediaId, ext: 'mp4' }),
      zip: zipKey(listingId),
    });
    const records = (listingId: string, requestId: string) => {
      const prefix = `${PIPELINE_STATE_PREFIX}${listingId}/${requestId}/`;
      return {
        result: `${prefix}result.json`,
        item: `${prefix}items/${mediaId}.json`,
        frame: `${prefix}frames/${mediaId}.0000000.jpg`,
        rawLookalike: `${prefix}raw/video/${mediaId}.mov`,
      };
    };
    const keys: Record<string, string> = {};
    for (const listingId of listings) {
      for (const [kind, k] of Object.entries(mediaOf(listingId))) keys[`${kind} ${listingId}`] = k;
    }
    for (const [listingId, requestId] of [
      [listings[0] ?? '', 'req-1'],
      ['raw', 'video'],
      ['processed', 'video'],
    ] as const) {
      for (const [kind, k] of Object.entries(records(listingId, requestId))) {
        keys[`${kind} ${listingId}/${requestId}`] = k;
      }
    }
    // IAM: "*" matches any run of characters ("/" included), "?" exactly one; a Deny wins.
    const literal = (text: string) => text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    const matches = (pattern: string, arnOfKey: string) => {
      const source = pattern
        .split('*')
        .map((part) => part.split('?').map(literal).join('.'))
        .join('.*');
      return new RegExp(`^${source}$`, 's').test(arnOfKey);
    };
    // The kinds of key a role may act on; a kind reached for some ids only says so.
    const reached = (role: Parameters<typeof statementsOf>[0], action: string) => {
      const statements = statementsOf(role).filter((s) => s.Action.includes(action));
      const by = (effect: string, k: string) =>
        statements.some(
          (s) => s.Effect === effect && s.Resource.some((r) => matches(r, `${bucket}/${k}`)),
        );
      const hitsByKind = new Map<string, boolean[]>();
      for (const [name, k] of Object.entries(keys)) {
        const kind = name.split(' ')[0] ?? '';
        hitsByKind.set(kind, [...(hitsByKind.get(kind) ?? []), by('Allow', k) && !by('Deny', k)]);
      }
      return [...hitsByKind]
        .filter(([, hits]) => hits.some(Boolean))
        .map(([kind, hits]) => (hits.every(Boolean) ? kind : `${kind} (for some ids only)`));
    };
    const media = ['rawPhoto', 'rawVideo', 'photo', 'poster', 'mp4', 'zip'];
    const allRecords = ['result', 'item', 'frame', 'rawLookalike'];

    // Act / Assess
    expect({
      'backend s3:PutObject': reached('backend', 's3:PutObject'),
      'backend s3:DeleteObject': reached('backend', 's3:DeleteObject'),
      'backend s3:PutObjectTagging': reached('backend', 's3:PutObjectTagging'),
      'backend s3:GetObject': reached('backend', 's3:GetObject'),
      'lambda s3:GetObject': reached('lambda', 's3:GetObject'),
      'lambda s3:PutObject': reached('lambda', 's3:PutObject'),
      'mediaconvert s3:GetObject': reached('mediaConvert', 's3:GetObject'),
      'mediaconvert s3:PutObject': reached('mediaConvert', 's3:PutObject'),
    }).toEqual({
      'backend s3:PutObject': media,
      'backend s3:DeleteObject': media,
      'backend s3:PutObjectTagging': ['rawPhoto', 'rawVideo'],
      'backend s3:GetObject': [...media, ...allRecords],
      'lambda s3:GetObject': [...media, ...allRecords],
      'lambda s3:PutObject': ['photo', 'poster', 'mp4', 'zip', ...allRecords],
      'mediaconvert s3:GetObject': ['rawVideo'],
      'mediaconvert s3:PutObject': ['mp4', 'frame'],
    });
  });

  it('names the resources of every Allow statement; "*" only for actions without resource-level permissions; a Deny only as a fence around the execution records', () => {
    const all = (['backend', 'lambda', 'stepFunctions', 'mediaConvert'] as const).flatMap(
      statementsOf,
    );
    const statements = all.filter((s) => s.Effect === 'Allow');
    const starOnly = statements.filter((s) => s.Resource.includes('*'));

    expect(statements.every((s) => s.Resource.length > 0)).toBe(true);
    expect(
      all.filter((s) => s.Effect !== 'Allow').map((s) => [s.Sid, s.Effect, s.Resource]),
    ).toEqual([
      ['KeepOutOfExecutionRecords', 'Deny', [`${bucket}/_pipeline/*`]],
      ['ReadNoExecutionRecords', 'Deny', [`${bucket}/_pipeline/*`]],
    ]);
    expect(starOnly.flatMap((s) => s.Action).every((a) => /^(xray|logs):/.test(a))).toBe(true);
    expect(starOnly.flatMap((s) => s.Action)).not.toContain('logs:PutLogEvents');
  });
});
