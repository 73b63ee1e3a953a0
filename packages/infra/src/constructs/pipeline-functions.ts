import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { functionLogGroupName } from '../arns.ts';
import { FUNCTION_IDS, METRICS_NAMESPACE, type FunctionId } from '@toq/lambdas/pipeline';
import { FUNCTION_SIZING, type PipelineConfig } from '../config.ts';
import { InfraError } from '../errors.ts';
import { acknowledgeControl, acknowledgeWildcard } from '../nag.ts';

/**
 * How long the functions' logs are kept: a year, as AWS Control Tower's CT.CLOUDWATCH.PR.2
 * requires (where that control is enforced, a shorter retention blocks the deploy), and as long
 * as the media bucket's access logs, so an old incident can be traced end to end.
 */
export const FUNCTION_LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/** SQS records per `start` invocation. */
export const START_BATCH_SIZE = 10;

/** Props of {@link PipelineFunctions}. */
export interface PipelineFunctionsProps {
  readonly config: PipelineConfig;
  /** `packages/lambdas/dist`: one `<fn>/index.mjs` per function, built by `nx run lambdas:build`. */
  readonly bundleRoot: string;
  /** The spec's shared Lambda role. */
  readonly role: iam.IRole;
  /** Encrypts the functions' environments and log groups. */
  readonly key: kms.IKey;
  readonly bucket: s3.IBucket;
  readonly queue: sqs.IQueue;
  /** Where `start` sends a message that can never be a request (`DEAD_LETTER_QUEUE_URL`). */
  readonly deadLetterQueue: sqs.IQueue;
  readonly webhookSecret: secretsmanager.ISecret;
  /** What `start` starts (an ARN built from the name: the state machine needs these functions). */
  readonly stateMachineArn: string;
}

/**
 * The seven functions (`nodejs24.x`, arm64, X-Ray active), each from its bundle in
 * `packages/lambdas/dist/<fn>` (the artefact the tests ran), with its own encrypted log group
 * and exactly the environment its config schema reads, encrypted with the pipeline's key (the
 * role's `DecryptFunctionEnvironments` statement lets Lambda read it back). `start` consumes
 * the queue, at most `startMaxConcurrency` invocations at once, and reports partial batch
 * failures; `thumbnails` has its reserved concurrency (config.ts, `ConcurrencyConfig`).
 */
export class PipelineFunctions extends Construct {
  readonly functions: Readonly<Record<FunctionId, lambda.Function>>;

  constructor(scope: Construct, id: string, props: PipelineFunctionsProps) {
    super(scope, id);
    const { config } = props;
    // STAGE and the namespace: every function publishes the pipeline's metrics (Powertools
    // Metrics, embedded metric format, which goes through the logs: no CloudWatch permission).
    const logging = {
      LOG_LEVEL: config.logLevel,
      POWERTOOLS_SERVICE_NAME: 'listing-media',
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      STAGE: config.names.stage,
    };
    const media = { ...logging, MEDIA_BUCKET: props.bucket.bucketName };
    const environments: Record<FunctionId, Record<string, string>> = {
      // `start` stores each request in the bucket before it starts its execution.
      start: {
        ...media,
        STATE_MACHINE_ARN: props.stateMachineArn,
        DEAD_LETTER_QUEUE_URL: props.deadLetterQueue.queueUrl,
      },
      validate: {
        ...media,
        MAX_PHOTO_BYTES: String(config.maxPhotoBytes),
        MAX_VIDEO_BYTES: String(config.maxVideoBytes),
      },
      // glibc's default of 8 malloc arenas per core lets libvips' worker threads fragment
      // memory; two arenas keep a 24 MP photo's peak RSS near 150 MB instead of 185 MB
      // (packages/thumbnails bench).
      thumbnails: { ...media, MALLOC_ARENA_MAX: '2' },
      transcode: media,
      // Every chunk the zip streams is a fresh Buffer that only a garbage collection frees. The
      // Lambda bootstrap gives the young generation a tenth of the function's memory, so spent
      // buffers would pile up to V8's 64 MB external-memory allowance; 1 MB semi-spaces collect
      // them every few MB (packages/zipper bench, peak RSS at 2 GB). When NODE_OPTIONS names a
      // heap size, the bootstrap sets neither, so the old generation's limit is given here too.
      zip: {
        ...media,
        NODE_OPTIONS: `--max-semi-space-size=1 --max-old-space-size=${Math.floor(FUNCTION_SIZING.zip.memoryMiB * 0.8)}`,
      },
      consolidate: media,
      callback: {
        ...media,
        WEBHOOK_SECRET_ARN: props.webhookSecret.secretArn,
        CALLBACK_ALLOWED_HOSTS: config.callbackAllowedHosts.join(','),
      },
    };

    const functions = {} as Record<FunctionId, lambda.Function>;
    for (const fn of FUNCTION_IDS) {
      const functionName = config.names.functions[fn];
      const logGroup = new logs.LogGroup(this, `${fn}-logs`, {
        logGroupName: functionLogGroupName(functionName),
        retention: FUNCTION_LOG_RETENTION,
        encryptionKey: props.key,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      functions[fn] = new lambda.Function(this, fn, {
        functionName,
        description: `toq-media ${fn} (docs/pipeline.md)`,
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        code: lambda.Code.fromAsset(bundleDir(props.bundleRoot, fn)),
        handler: 'index.handler',
        memorySize: FUNCTION_SIZING[fn].memoryMiB,
        timeout: Duration.seconds(FUNCTION_SIZING[fn].timeoutSeconds),
        role: props.role,
        environment: environments[fn],
        environmentEncryption: props.key,
        tracing: lambda.Tracing.ACTIVE,
        logGroup,
        ...(fn === 'thumbnails' && config.concurrency.thumbnailsReservedConcurrency !== undefined
          ? { reservedConcurrentExecutions: config.concurrency.thumbnailsReservedConcurrency }
          : {}),
      });
    }
    functions.start.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize: START_BATCH_SIZE,
        reportBatchItemFailures: true,
        maxConcurrency: config.concurrency.startMaxConcurrency,
      }),
    );
    // Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords to the role.
    acknowledgeWildcard(
      props.role,
      '*',
      'X-Ray PutTraceSegments and PutTelemetryRecords have no resource-level permissions (AWS service authorization reference): "*" is the only resource they accept',
    );
    acknowledgeControl(
      this,
      'CT.LAMBDA.PR.3',
      'the functions reach only AWS public endpoints (S3, SQS, Step Functions, Secrets Manager) and the backend’s webhook on the internet; they reach nothing inside a VPC, and a VPC would need a NAT gateway per zone for the webhook (and interface endpoints for the rest), cost and failure points that protect nothing here',
    );
    this.functions = functions;
  }
}

function bundleDir(root: string, fn: FunctionId): string {
  const dir = join(root, fn);
  if (!existsSync(join(dir, 'index.mjs'))) {
    throw new InfraError(
      'MISSING_BUNDLE',
      `The ${fn} function's bundle is missing: expected ${join(dir, 'index.mjs')}, received no such file. Build the bundles first: npx nx run lambdas:build`,
    );
  }
  return dir;
}
