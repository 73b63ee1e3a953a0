import { PIPELINE_STATE_PREFIX, RAW_UPLOAD_TAG } from '@toq/contracts/constants';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { accountLogsArn, type PipelineArns } from '../arns.ts';
import { FUNCTION_IDS, type PipelineNames } from '@toq/lambdas/pipeline';
import { InfraError } from '../errors.ts';
import { ADOPTABLE } from '../removal.ts';
import { acknowledgeWildcard, hasWildcard } from '../nag.ts';

/** Props of {@link PipelineRoles}. */
export interface PipelineRolesProps {
  readonly names: PipelineNames;
  readonly arns: PipelineArns;
  readonly bucket: s3.IBucket;
  readonly key: kms.IKey;
  readonly queue: sqs.IQueue;
  /** The ingest queue's DLQ: `start` sends a message that can never be a request there. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The webhook signing secret: readable by the `callback` function only. */
  readonly webhookSecret: secretsmanager.ISecret;
}

/** A resource ARN with a wildcard, and what the wildcard matches and why it is needed. */
interface Pattern {
  readonly arn: string;
  /** Becomes the cdk-nag acknowledgement's reason: it must be literally true of `arn`. */
  readonly why: string;
}

/** One statement of a role's policy. */
interface Grant {
  readonly sid: string;
  readonly actions: readonly string[];
  /** Exact ARNs, or patterns with their reason: an ARN with a `*` must come as a {@link Pattern}. */
  readonly resources: readonly (string | Pattern)[];
  readonly conditions?: Record<string, Record<string, unknown>>;
}

/**
 * Adds `grant` to `role`'s policy. Each wildcard resource comes with its own reason, which
 * acknowledges cdk-nag's finding for exactly that resource.
 *
 * @throws {InfraError} `UNJUSTIFIED_WILDCARD` when a resource has a `*` and no reason.
 */
function allow(role: iam.Role, grant: Grant): void {
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: grant.sid,
      actions: [...grant.actions],
      resources: grant.resources.map((resource) =>
        typeof resource === 'string' ? resource : resource.arn,
      ),
      ...(grant.conditions === undefined ? {} : { conditions: grant.conditions }),
    }),
  );
  for (const resource of grant.resources) {
    if (typeof resource !== 'string') {
      if (hasWildcard(role, resource.arn)) {
        acknowledgeWildcard(role, resource.arn, `${grant.sid}: ${resource.why}`);
      }
    } else if (hasWildcard(role, resource)) {
      throw new InfraError(
        'UNJUSTIFIED_WILDCARD',
        `${role.node.path} ${grant.sid}: expected a reason for the wildcard resource, received none`,
      );
    }
  }
}

/**
 * Adds a Deny to `role`'s policy: a fence around keys that an allowed pattern reaches beyond its
 * need. A Deny only takes away, so its wildcards need no acknowledgement.
 */
function deny(
  role: iam.Role,
  fence: { sid: string; actions: readonly string[]; resources: readonly string[] },
): void {
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: fence.sid,
      effect: iam.Effect.DENY,
      actions: [...fence.actions],
      resources: [...fence.resources],
    }),
  );
}

/**
 * A service principal that may assume a role only on behalf of `sourceArn` in `account`: the
 * `aws:SourceAccount` and `aws:SourceArn` conditions that keep another account's resource from
 * using the service to act with the role (the confused deputy).
 */
function trustedService(service: string, account: string, sourceArn: string): iam.IPrincipal {
  return new iam.ServicePrincipal(service, {
    conditions: {
      StringEquals: { 'aws:SourceAccount': account },
      ArnLike: { 'aws:SourceArn': sourceArn },
    },
  });
}

/**
 * A listing id in an object-key pattern. Listing ids are opaque (1-128 of `A-Z a-z 0-9 _ -`,
 * spec §2) and IAM has no character classes, only `*` (any run of characters, `/` included) and
 * `?` (exactly one): so `*`. What it gives up is fenced off where it matters: a listing id starts
 * with a letter or digit, so the only other top-level prefix is the pipeline's own
 * `_pipeline/`, which `*` would also reach (`_pipeline/{listingId}/{requestId}/raw/…`); each role
 * that must not write (or read) there has an explicit Deny on it.
 */
const LISTING_ID_PATTERN = '*';

/**
 * Objects under every listing's own tree, `{listingId}/{folder}…`: what `folder` holds, and the
 * pattern with its reason.
 */
function underListings(bucket: s3.IBucket, folder: string, what: string): Pattern {
  return {
    arn: bucket.arnForObjects(`${LISTING_ID_PATTERN}/${folder}*`),
    why: `${what}, {listingId}/${folder}…: listing ids are opaque and not known at deploy time, so the first "*" stands for one, and the key must go on with "/${folder}"; the final "*" matches the rest of the key, "/" included. Keys under ${PIPELINE_STATE_PREFIX}, which the first "*" would also reach, are fenced off by the role's Deny where the role has no business there`,
  };
}

/**
 * Objects of the media bucket by kind (spec §2): a listing's whole tree, its raw uploads, its
 * renditions and zip, the executions' records under `_pipeline/`, and the frames MediaConvert
 * writes there.
 */
function objects(bucket: s3.IBucket) {
  return {
    listing: underListings(bucket, '', 'every listing’s objects (raw uploads, renditions, zip)'),
    raw: underListings(bucket, 'raw/', 'raw uploads'),
    rawVideos: underListings(bucket, 'raw/video/', 'raw videos'),
    processed: underListings(bucket, 'processed/', 'renditions and the zip'),
    // Only the MP4 (at `large`): MediaConvert writes nothing else under a listing, and no
    // execution record is at `…/processed/video/large/…`.
    videoMp4s: underListings(bucket, 'processed/video/large/', 'video MP4s'),
    state: {
      arn: bucket.arnForObjects(`${PIPELINE_STATE_PREFIX}*`),
      why: `every execution’s records, ${PIPELINE_STATE_PREFIX}{listingId}/{requestId}/…: both ids come with each request, not known at deploy time; the "*" matches any key under ${PIPELINE_STATE_PREFIX}, "/" included`,
    },
    frames: {
      arn: bucket.arnForObjects(`${PIPELINE_STATE_PREFIX}${LISTING_ID_PATTERN}/*/frames/*`),
      why: `the frames MediaConvert captures, ${PIPELINE_STATE_PREFIX}{listingId}/{requestId}/frames/…: both ids come with each request, not known at deploy time; the first "*" stands for the listing id and the second for the request id (since "*" also matches "/", possibly several segments: at least two, so never ${PIPELINE_STATE_PREFIX}{listingId}/frames/… itself) and the third for the frame’s name`,
    },
    // Not a grant: what the Deny statements fence off (see LISTING_ID_PATTERN).
    pipelineRecords: bucket.arnForObjects(`${PIPELINE_STATE_PREFIX}*`),
  } satisfies Record<string, Pattern | string>;
}

/**
 * The spec's four roles, least privilege: one statement per need, exact actions, resources
 * named; a `*` only in an object-key, log-stream, execution or job-id pattern, each pattern with
 * its reason (and cdk-nag acknowledgement); a Deny where an object-key pattern would otherwise
 * reach the pipeline's records.
 *
 * Where this grants less than the spec's role table, nothing in the pipeline makes that call:
 * the functions send no SQS message but `start`'s to the DLQ, use no task tokens and call no
 * MediaConvert API (the state
 * machine's `Transcode` is a `createJob.sync` integration); the state machine sends no SQS
 * message; the backend's Put/Get/DeleteObject reach the listings' trees, not the pipeline's
 * records under `_pipeline/` (which it may read only).
 */
export class PipelineRoles extends Construct {
  readonly backend: iam.Role;
  /** The backend's EC2 instance profile, holding {@link backend}. */
  readonly backendInstanceProfile: iam.InstanceProfile;
  readonly lambda: iam.Role;
  readonly stepFunctions: iam.Role;
  readonly mediaConvert: iam.Role;

  constructor(scope: Construct, id: string, props: PipelineRolesProps) {
    super(scope, id);
    const { names, arns, bucket, key, queue, deadLetterQueue } = props;
    const stack = Stack.of(this);
    const keys = objects(bucket);
    const mediaConvertArn = (resource: string) =>
      stack.formatArn({ service: 'mediaconvert', resource });
    const defaultQueue = mediaConvertArn('queues/Default');
    // Step Functions puts this into the encryption context of every KMS call it makes for the
    // state machine's definition and execution data, which are encrypted with the key.
    const stateMachineContext = {
      'kms:EncryptionContext:aws:states:stateMachineArn': arns.stateMachine,
    };

    // The backend (EC2): uploads raw media, sends requests, may start and watch executions.
    this.backend = new iam.Role(this, 'Backend', {
      roleName: names.backendRole,
      description: 'toq-media backend: uploads raw media, sends processing requests',
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    });
    this.backendInstanceProfile = new iam.InstanceProfile(this, 'BackendInstanceProfile', {
      instanceProfileName: names.backendRole,
      role: this.backend,
    });
    allow(this.backend, {
      // The backend owns every object of its listings (the spec's Put/Get/DeleteObject): it
      // uploads the raw media and reads what the pipeline made of it. Not the pipeline's
      // records, which it may only read (below).
      sid: 'MediaObjects',
      actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
      resources: [keys.listing],
    });
    allow(this.backend, {
      // Uploading with `x-amz-tagging: media-class=raw` (the Glacier rule's filter) needs
      // s3:PutObjectTagging besides s3:PutObject.
      sid: 'TagRawUploads',
      actions: ['s3:PutObjectTagging'],
      resources: [keys.raw],
    });
    allow(this.backend, {
      // An execution's records, read only: result.json stays there when the webhook could not
      // be delivered (docs/system.md §3). Writing or deleting them is the pipeline's business
      // (and the lifecycle rule's).
      sid: 'ReadExecutionRecords',
      actions: ['s3:GetObject'],
      resources: [keys.state],
    });
    deny(this.backend, {
      // MediaObjects and TagRawUploads reach every key with a "/" after its first segment:
      // this keeps them to the listings' trees. Reading the records stays allowed (above).
      sid: 'KeepOutOfExecutionRecords',
      actions: ['s3:PutObject', 's3:DeleteObject', 's3:PutObjectTagging'],
      resources: [keys.pipelineRecords],
    });
    allow(this.backend, {
      sid: 'SendProcessingRequests',
      actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
      resources: [queue.queueArn],
    });
    allow(this.backend, {
      sid: 'UseMediaKey',
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [key.keyArn],
    });
    allow(this.backend, {
      sid: 'StartExecutions',
      actions: ['states:StartExecution'],
      resources: [arns.stateMachine],
    });
    allow(this.backend, {
      sid: 'DescribeExecutions',
      actions: ['states:DescribeExecution'],
      resources: [
        {
          arn: arns.executions,
          why: 'execution names are per request ({listingId}_{requestId}); the pattern is this state machine’s executions only',
        },
      ],
    });
    allow(this.backend, {
      // DescribeExecution returns the execution's input and output, which Step Functions
      // decrypts with the caller's permissions (unless it asks for includedData=METADATA_ONLY).
      // StartExecution asks nothing of the caller: the execution role encrypts the input.
      // UseMediaKey would allow this too, but it is there for the media and the queue: this
      // names the need on its own, for this state machine's data read through Step Functions.
      sid: 'DecryptExecutionData',
      actions: ['kms:Decrypt'],
      resources: [key.keyArn],
      conditions: {
        StringEquals: {
          ...stateMachineContext,
          'kms:ViaService': `states.${stack.region}.amazonaws.com`,
        },
      },
    });

    // The functions' shared role (spec). X-Ray and the SQS event source's permissions are added
    // where the functions are made (pipeline-functions.ts).
    this.lambda = new iam.Role(this, 'Lambda', {
      roleName: names.lambdaRole,
      description: 'toq-media functions: read and write the media bucket, start executions',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    allow(this.lambda, {
      sid: 'WriteFunctionLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: arns.functionLogStreams.map((arn) => ({
        arn,
        why: 'the streams of one function’s log group, /aws/lambda/{function}:*: Lambda names a stream per execution environment, at run time; a log group’s name cannot contain ":", so no other group matches; the role is shared, so each of the seven functions may write to all seven groups',
      })),
    });
    allow(this.lambda, {
      sid: 'ReadMedia',
      actions: ['s3:GetObject'],
      resources: [keys.raw, keys.processed, keys.state],
    });
    allow(this.lambda, {
      // Renditions and zips, and the pipeline's state. A multipart upload (the zip) is
      // s3:PutObject, plus s3:AbortMultipartUpload when it fails.
      sid: 'WriteRenditionsAndState',
      actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
      resources: [keys.processed, keys.state],
    });
    allow(this.lambda, {
      // `validate` tags every raw upload it validated media-class=raw, so that the Glacier rule
      // finds it even when the backend forgot the tag (a tag changes no byte of the upload). It
      // reads the tag set first, as PutObjectTagging replaces the whole set. The bucket policy
      // denies any other tag set on raw uploads (media-bucket.ts).
      sid: 'ReadRawUploadTags',
      actions: ['s3:GetObjectTagging'],
      resources: [keys.raw],
    });
    allow(this.lambda, {
      sid: 'ClassRawUploadsRaw',
      actions: ['s3:PutObjectTagging'],
      resources: [keys.raw],
      conditions: {
        StringEquals: { [`s3:RequestObjectTag/${RAW_UPLOAD_TAG.key}`]: RAW_UPLOAD_TAG.value },
      },
    });
    allow(this.lambda, {
      // Zip lists a listing's renditions; and without s3:ListBucket a HEAD of a missing raw
      // object answers 403 instead of 404, which validate must tell apart.
      sid: 'ListMedia',
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
    });
    allow(this.lambda, {
      sid: 'UseMediaKey',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [key.keyArn],
    });
    allow(this.lambda, {
      // The functions' environments are encrypted with the key; Lambda decrypts one with the
      // execution role at each cold start, under the encryption context aws:lambda:FunctionArn
      // (the function's ARN). UseMediaKey would allow it today, but it is there for the data:
      // this names the need on its own, limited to the pipeline's functions.
      sid: 'DecryptFunctionEnvironments',
      actions: ['kms:Decrypt'],
      resources: [key.keyArn],
      conditions: {
        StringEquals: {
          'kms:EncryptionContext:aws:lambda:FunctionArn': FUNCTION_IDS.map(
            (fn) => arns.functions[fn],
          ),
        },
      },
    });
    allow(this.lambda, {
      // No key permission goes with it: although the state machine is encrypted with the key,
      // StartExecution asks none of its caller (the execution role encrypts the input), and
      // `start` never reads an execution back.
      sid: 'StartExecutions',
      actions: ['states:StartExecution'],
      resources: [arns.stateMachine],
    });
    // The signing secret, for `callback` only. The role is shared (spec), so the statement is
    // conditioned on the calling function: Lambda puts `lambda:SourceFunctionArn` into the
    // request context of every call made with a function's credentials, and no other function
    // matches. In a policy of its own, so that it reads as what it is.
    new iam.Policy(this, 'CallbackSecretPolicy', {
      roles: [this.lambda],
      statements: [
        new iam.PolicyStatement({
          sid: 'CallbackReadsWebhookSecret',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [props.webhookSecret.secretArn],
          conditions: { ArnEquals: { 'lambda:SourceFunctionArn': arns.functions.callback } },
        }),
      ],
    });
    // The DLQ, for `start` only, conditioned the same way: a message that can never be a
    // request goes there at once, with its reason. The queue is SSE-KMS with the key: SQS asks
    // for a data key with the sender's permissions, under the encryption context
    // aws:sqs:arn (the queue's ARN). UseMediaKey would allow that today, but it is there for the
    // media: the second statement names the need on its own, through SQS, for the DLQ only.
    new iam.Policy(this, 'StartDeadLetterPolicy', {
      roles: [this.lambda],
      statements: [
        new iam.PolicyStatement({
          sid: 'StartSendsToDeadLetterQueue',
          actions: ['sqs:SendMessage'],
          resources: [deadLetterQueue.queueArn],
          conditions: { ArnEquals: { 'lambda:SourceFunctionArn': arns.functions.start } },
        }),
        new iam.PolicyStatement({
          sid: 'EncryptDeadLetters',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [key.keyArn],
          conditions: {
            StringEquals: {
              'kms:EncryptionContext:aws:sqs:arn': deadLetterQueue.queueArn,
              'kms:ViaService': `sqs.${stack.region}.amazonaws.com`,
            },
          },
        }),
      ],
    });

    // MediaConvert, passed to each job by the state machine: reads raw videos, writes the MP4
    // rendition and the captured frame (under the execution's records, `frames/`).
    // MediaConvert names the queue a job runs in as the source of the role's session: only jobs
    // in this account's Default queue (where the state machine sends them) may take the role.
    this.mediaConvert = new iam.Role(this, 'MediaConvert', {
      roleName: names.mediaConvertRole,
      description: 'toq-media MediaConvert jobs: read raw videos, write MP4s and frames',
      assumedBy: trustedService('mediaconvert.amazonaws.com', stack.account, defaultQueue),
    });
    allow(this.mediaConvert, {
      sid: 'ReadRawVideos',
      actions: ['s3:GetObject'],
      resources: [keys.rawVideos],
    });
    deny(this.mediaConvert, {
      // ReadRawVideos' pattern also reaches `_pipeline/{listingId}/{requestId}/raw/video/…`:
      // MediaConvert reads nothing there.
      sid: 'ReadNoExecutionRecords',
      actions: ['s3:GetObject'],
      resources: [keys.pipelineRecords],
    });
    allow(this.mediaConvert, {
      sid: 'WriteVideoOutputs',
      actions: ['s3:PutObject'],
      resources: [keys.videoMp4s, keys.frames],
    });
    allow(this.mediaConvert, {
      // The bucket is SSE-KMS: reading needs Decrypt, writing GenerateDataKey.
      sid: 'UseMediaKey',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [key.keyArn],
    });

    // The state machine: invokes the functions, runs MediaConvert jobs and waits for them
    // (createJob.sync). Its logging and X-Ray statements come with the state machine.
    this.stepFunctions = new iam.Role(this, 'StepFunctions', {
      roleName: names.stepFunctionsRole,
      description: 'toq-media state machine: invokes the functions, runs MediaConvert jobs',
      // Only this state machine's executions, in this account, may take the role.
      assumedBy: trustedService('states.amazonaws.com', stack.account, arns.stateMachine),
    });
    allow(this.stepFunctions, {
      // The definition invokes unqualified function ARNs: no `:*` (versions, aliases) needed.
      sid: 'InvokePipelineFunctions',
      actions: ['lambda:InvokeFunction'],
      resources: (
        ['validate', 'thumbnails', 'transcode', 'zip', 'consolidate', 'callback'] as const
      ).map((fn) => arns.functions[fn]),
    });
    const jobs = {
      arn: mediaConvertArn('jobs/*'),
      why: 'MediaConvert makes each job id when the job is created; the pattern is this account and region’s jobs',
    };
    allow(this.stepFunctions, {
      // Jobs go to the account's Default queue. Step Functions tags each job
      // (ManagedByService), hence TagResource.
      sid: 'CreateTranscodeJobs',
      actions: ['mediaconvert:CreateJob', 'mediaconvert:TagResource'],
      resources: [defaultQueue, jobs],
    });
    allow(this.stepFunctions, {
      sid: 'WatchTranscodeJobs',
      actions: ['mediaconvert:GetJob', 'mediaconvert:CancelJob'],
      resources: [jobs],
    });
    allow(this.stepFunctions, {
      sid: 'PassMediaConvertRole',
      actions: ['iam:PassRole'],
      resources: [this.mediaConvert.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'mediaconvert.amazonaws.com' } },
    });
    allow(this.stepFunctions, {
      // createJob.sync learns that a job finished through this managed EventBridge rule.
      sid: 'ManagedMediaConvertJobRule',
      actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      resources: [
        stack.formatArn({
          service: 'events',
          resource: 'rule',
          resourceName: 'StepFunctionsGetEventsForMediaConvertJobRule',
        }),
      ],
    });
    allow(this.stepFunctions, {
      // Executions run with this role, which encrypts and decrypts their data with the key.
      // No kms:ViaService condition: the Step Functions guide warns that one on the execution
      // role keeps executions from starting.
      sid: 'UseExecutionDataKey',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [key.keyArn],
      conditions: { StringEquals: stateMachineContext },
    });
    allow(this.stepFunctions, {
      // An encrypted state machine's log delivery takes a data key from the role. Its
      // encryption context is this literal value (StringEquals does not expand the "*"), as in
      // the policy the Step Functions guide and console give for it.
      sid: 'EncryptExecutionLogs',
      actions: ['kms:GenerateDataKey'],
      resources: [key.keyArn],
      conditions: {
        StringEquals: {
          'kms:EncryptionContext:SourceArn': accountLogsArn(this),
        },
      },
    });
    // The spec's four roles exist in staging already: `cdk import` adopts them (README).
    for (const role of [this.backend, this.lambda, this.stepFunctions, this.mediaConvert]) {
      role.applyRemovalPolicy(ADOPTABLE);
    }
  }
}
