/**
 * The pipeline's resource names and the settings that tie its parts together: what `infra`
 * deploys and what `local` recreates on one machine, spelled once.
 */

/** The stage deployed when none is named. */
export const DEFAULT_STAGE = 'staging';

/** The seven functions, in the order a request meets them. */
export const FUNCTION_IDS = [
  'start',
  'validate',
  'thumbnails',
  'transcode',
  'zip',
  'consolidate',
  'callback',
] as const;
export type FunctionId = (typeof FUNCTION_IDS)[number];

/**
 * Each function's Lambda timeout, in seconds: infra deploys the functions with it and the state
 * machine's Task timeouts are derived from it (docs/pipeline.md, "Timeouts and retries").
 */
export const FUNCTION_TIMEOUT_SECONDS = {
  // ≤ 10 SQS records, ≤ 10 StartExecution calls; the queue's visibility timeout is 6 × this.
  start: 10,
  // HEAD + a 512-byte range GET per item, up to 2,000 items, a few dozen at a time.
  validate: 120,
  // One photo of up to 50 MiB decoded and encoded four times, with room for S3 retries.
  thumbnails: 120,
  // Builds the MediaConvert settings: no I/O.
  transcode: 10,
  // Streams up to ~10,000 objects into one multipart upload: Lambda's maximum.
  zip: 900,
  // Reads up to 2,000 item records and writes result.json.
  consolidate: 300,
  // A few POSTs (10 s each) with backoff between them, then a record in S3.
  callback: 120,
} as const satisfies Record<FunctionId, number>;

/**
 * How much longer than its function's timeout a `lambda:invoke` Task waits: Lambda's own timeout
 * fires first, with its clear `Sandbox.Timedout`; the Task's only ends an invocation whose answer
 * never comes (a cold start's init, a lost response).
 */
export const INVOKE_MARGIN_SECONDS = 30;

/** The ingest queue and its dead-letter queue. */
export const QUEUE_SETTINGS = {
  visibilityTimeoutSeconds: 60,
  retentionSeconds: 345_600, // 4 days
  receiveWaitSeconds: 20, // long polling
  maxReceiveCount: 5, // then the message goes to the DLQ
  deadLetterRetentionSeconds: 1_209_600, // 14 days
} as const;

/** Validate's size limits by default: 50 MiB per photo, 5 GiB per video. */
export const DEFAULT_MAX_PHOTO_BYTES = 50 * 1024 * 1024;
export const DEFAULT_MAX_VIDEO_BYTES = 5 * 1024 * 1024 * 1024;

/** The physical names of one stage's resources. */
export interface PipelineNames {
  readonly stage: string;
  readonly stackName: string;
  readonly keyAlias: string;
  readonly mediaBucket: string;
  readonly logBucket: string;
  readonly queue: string;
  readonly deadLetterQueue: string;
  readonly backendRole: string;
  readonly lambdaRole: string;
  readonly stepFunctionsRole: string;
  readonly mediaConvertRole: string;
  readonly stateMachine: string;
  readonly functions: Readonly<Record<FunctionId, string>>;
  readonly webhookSecret: string;
  readonly alarmTopic: string;
  readonly deadLetterAlarm: string;
  readonly failedExecutionsAlarm: string;
}

/**
 * The names of `stage`'s resources. The media bucket is `toq-listing-medias` in staging, the
 * bucket that already exists there; bucket names are global, so every other stage gets the
 * suffix (`toq-listing-medias-prod`).
 *
 * @example
 * pipelineNames('staging').queue; // 'listing-media-processing-staging'
 */
export function pipelineNames(stage: string): PipelineNames {
  const functions = Object.fromEntries(
    FUNCTION_IDS.map((id) => [id, `listing-media-${id}-${stage}`]),
  ) as Record<FunctionId, string>;
  return {
    stage,
    stackName: `toq-media-processing-${stage}`,
    keyAlias: `alias/toq-media-processing-${stage}`,
    mediaBucket: stage === DEFAULT_STAGE ? 'toq-listing-medias' : `toq-listing-medias-${stage}`,
    logBucket: `toq-logs-${stage}`,
    queue: `listing-media-processing-${stage}`,
    deadLetterQueue: `listing-media-processing-dlq-${stage}`,
    backendRole: `toq-media-processing-backend-${stage}`,
    lambdaRole: `toq-media-processing-lambda-${stage}`,
    stepFunctionsRole: `toq-media-processing-stepfunctions-${stage}`,
    mediaConvertRole: `toq-media-processing-mediaconvert-${stage}`,
    stateMachine: `listing-media-processing-${stage}`,
    functions,
    webhookSecret: `toq-media-processing-webhook-signing-${stage}`,
    alarmTopic: `toq-media-processing-alarms-${stage}`,
    deadLetterAlarm: `toq-media-processing-dlq-messages-${stage}`,
    failedExecutionsAlarm: `toq-media-processing-failed-executions-${stage}`,
  };
}
