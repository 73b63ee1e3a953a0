import * as z from 'zod';
import { ConfigurationError } from './domain/errors.ts';
import { CALLBACK_HOST_FORMS, isCallbackHostEntry } from './pipeline/callback-hosts.ts';
import { METRICS_NAMESPACE } from './pipeline/metrics.ts';
import { DEFAULT_MAX_PHOTO_BYTES, DEFAULT_MAX_VIDEO_BYTES } from './pipeline/resources.ts';

/**
 * Each function's environment, one zod schema per function, parsed once at cold start by its
 * handler (`loadConfig(ValidateConfig, process.env)`). Nothing else in the package reads
 * `process.env`: the AWS SDK reads its own `AWS_*` variables (region, credentials,
 * `AWS_ENDPOINT_URL_S3`/`_SFN`/`_SECRETS_MANAGER` for local servers). No variable swaps an
 * adapter for a local stand-in: the local run wires its own through the functions' factories
 * (`functions/*.ts`), so every bundle talks to S3 and never posts a webhook to loopback.
 */

/** A variable that must be set and non-empty: "MEDIA_BUCKET is required". */
function required(name: string) {
  return z
    .string({ error: `${name} is required` })
    .trim()
    .min(1, { error: `${name} is required` });
}

function positiveBytes(name: string, fallback: number) {
  return z
    .string()
    .trim()
    .regex(/^[1-9][0-9]*$/, {
      error: (issue) =>
        `${name} must be a positive integer (bytes), received "${String(issue.input)}"`,
    })
    .transform(Number)
    .refine(Number.isSafeInteger, { error: `${name} must be at most ${Number.MAX_SAFE_INTEGER}` })
    .optional()
    .transform((value) => value ?? fallback);
}

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;

/** Variables every function reads: logging. */
const CommonEnv = z.object({
  LOG_LEVEL: z
    .string()
    .trim()
    .transform((value) => value.toUpperCase())
    .pipe(
      z.enum(LOG_LEVELS, {
        error: (issue) =>
          `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, received "${String(issue.input)}"`,
      }),
    )
    .optional()
    .transform((value) => value ?? 'INFO'),
  POWERTOOLS_SERVICE_NAME: z
    .string()
    .trim()
    .optional()
    .transform((value) => value || 'listing-media'),
});

/** Variables of every function that reads or writes the media bucket. */
const BucketEnv = CommonEnv.extend({
  MEDIA_BUCKET: required('MEDIA_BUCKET').regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
    error: (issue) => `MEDIA_BUCKET must be an S3 bucket name, received "${String(issue.input)}"`,
  }),
});

/** A stage name as infra names stages: lowercase, starting with a letter, not ending with `-`. */
const STAGE_PATTERN = /^[a-z](?:[a-z0-9-]{0,18}[a-z0-9])?$/;

const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = {
  true: true,
  '1': true,
  false: false,
  '0': false,
};

/**
 * Variables of the functions that publish metrics (`thumbnails`, `consolidate`, `callback`):
 * `STAGE`, the `Stage` dimension every metric carries; `POWERTOOLS_METRICS_NAMESPACE`, when set,
 * must be the namespace the alarms read; `POWERTOOLS_METRICS_DISABLED=true` publishes nothing
 * (Powertools' own switch, for running a handler module off Lambda without EMF lines on stdout).
 */
const MetricsEnv = {
  STAGE: required('STAGE').regex(STAGE_PATTERN, {
    error: (issue) =>
      `STAGE must be a stage name (lowercase letters, digits and "-", starting with a letter, not ending with "-", at most 20 characters), received "${String(issue.input)}"`,
  }),
  POWERTOOLS_METRICS_NAMESPACE: z
    .string()
    .trim()
    .refine((value) => value === '' || value === METRICS_NAMESPACE, {
      error: (issue) =>
        `POWERTOOLS_METRICS_NAMESPACE must be ${METRICS_NAMESPACE} (the namespace the alarms read) or unset, received "${String(issue.input)}"`,
    })
    .optional(),
  POWERTOOLS_METRICS_DISABLED: z
    .string()
    .trim()
    .transform((value) => BOOLEAN_WORDS[value.toLowerCase()])
    .pipe(z.boolean({ error: 'POWERTOOLS_METRICS_DISABLED must be true or false' }))
    .optional()
    .transform((value) => value ?? false),
};

function logging(env: z.output<typeof CommonEnv>) {
  return { logLevel: env.LOG_LEVEL, serviceName: env.POWERTOOLS_SERVICE_NAME };
}

function storage(env: z.output<typeof BucketEnv>) {
  return { mediaBucket: env.MEDIA_BUCKET };
}

function metrics(env: { STAGE: string; POWERTOOLS_METRICS_DISABLED: boolean }) {
  return { metrics: { stage: env.STAGE, enabled: !env.POWERTOOLS_METRICS_DISABLED } };
}

/** What the logger needs. */
export type LoggingConfig = ReturnType<typeof logging>;
/** Which S3 bucket holds the media. */
export type StorageConfig = ReturnType<typeof storage>;
/** Whether, and under which stage, a function publishes its metrics. */
export type MetricsConfig = ReturnType<typeof metrics>['metrics'];

/**
 * `start`: the bucket (each request is stored there before its execution starts),
 * `STATE_MACHINE_ARN`, and `DEAD_LETTER_QUEUE_URL`, where a message that can never be a request
 * goes at once (the ingest queue's DLQ: `https://sqs.{region}.amazonaws.com/{account}/{name}`,
 * or a local server's URL of the same path).
 */
export const StartConfig = BucketEnv.extend({
  STATE_MACHINE_ARN: required('STATE_MACHINE_ARN').regex(
    /^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/,
    {
      error: (issue) =>
        `STATE_MACHINE_ARN must be a state machine ARN (arn:aws:states:{region}:{account}:stateMachine:{name}), received "${String(issue.input)}"`,
    },
  ),
  DEAD_LETTER_QUEUE_URL: required('DEAD_LETTER_QUEUE_URL').regex(
    /^https?:\/\/[^/\s]+\/[0-9]{12}\/[A-Za-z0-9_-]{1,80}$/,
    {
      error: (issue) =>
        `DEAD_LETTER_QUEUE_URL must be an SQS queue URL (https://sqs.{region}.amazonaws.com/{account}/{name}), received "${String(issue.input)}"`,
    },
  ),
}).transform((env) => ({
  ...logging(env),
  ...storage(env),
  stateMachineArn: env.STATE_MACHINE_ARN,
  deadLetterQueueUrl: env.DEAD_LETTER_QUEUE_URL,
}));
export type StartConfig = z.output<typeof StartConfig>;

/**
 * `validate`: the bucket and the size limits (`MAX_PHOTO_BYTES`, `MAX_VIDEO_BYTES`; unset, the
 * pipeline's defaults: 50 MiB and 5 GiB, `pipeline/resources.ts`).
 */
export const ValidateConfig = BucketEnv.extend({
  MAX_PHOTO_BYTES: positiveBytes('MAX_PHOTO_BYTES', DEFAULT_MAX_PHOTO_BYTES),
  MAX_VIDEO_BYTES: positiveBytes('MAX_VIDEO_BYTES', DEFAULT_MAX_VIDEO_BYTES),
}).transform((env) => ({
  ...logging(env),
  ...storage(env),
  limits: { photo: env.MAX_PHOTO_BYTES, video: env.MAX_VIDEO_BYTES },
}));
export type ValidateConfig = z.output<typeof ValidateConfig>;

/** The functions that only need the bucket: `transcode` and `zip`. */
export const BucketConfig = BucketEnv.transform((env) => ({ ...logging(env), ...storage(env) }));
export type BucketConfig = z.output<typeof BucketConfig>;

/**
 * The functions that need the bucket and publish metrics: `thumbnails` (photo render time) and
 * `consolidate` (item outcomes, listing status).
 */
export const BucketMetricsConfig = BucketEnv.extend(MetricsEnv).transform((env) => ({
  ...logging(env),
  ...storage(env),
  ...metrics(env),
}));
export type BucketMetricsConfig = z.output<typeof BucketMetricsConfig>;

/** `thumbnails`: the bucket, metrics. */
export const ThumbnailsConfig = BucketMetricsConfig;
export type ThumbnailsConfig = BucketMetricsConfig;

/** `consolidate`: the bucket, metrics. */
export const ConsolidateConfig = BucketMetricsConfig;
export type ConsolidateConfig = BucketMetricsConfig;

/** `callback`: the bucket, the signing secret's ARN, the callback host policy, metrics. */
export const CallbackConfig = BucketEnv.extend({
  ...MetricsEnv,
  WEBHOOK_SECRET_ARN: required('WEBHOOK_SECRET_ARN').regex(/^arn:aws[a-z-]*:secretsmanager:/, {
    error: (issue) =>
      `WEBHOOK_SECRET_ARN must be a Secrets Manager ARN, received "${String(issue.input)}"`,
  }),
  CALLBACK_ALLOWED_HOSTS: z
    .string({ error: 'CALLBACK_ALLOWED_HOSTS is required' })
    .transform((value) =>
      value
        .split(',')
        .map((host) => host.trim().toLowerCase())
        .filter((host) => host.length > 0),
    )
    .pipe(
      z.array(
        z.string().refine(isCallbackHostEntry, {
          error: (issue) =>
            `CALLBACK_ALLOWED_HOSTS entries must be ${CALLBACK_HOST_FORMS}, received "${String(issue.input)}"`,
        }),
      ),
    ),
}).transform((env) => ({
  ...logging(env),
  ...storage(env),
  ...metrics(env),
  webhookSecretArn: env.WEBHOOK_SECRET_ARN,
  callbackAllowedHosts: env.CALLBACK_ALLOWED_HOSTS,
}));
export type CallbackConfig = z.output<typeof CallbackConfig>;

/**
 * Parses a function's environment with its schema, once, at cold start.
 *
 * @throws {ConfigurationError} naming every wrong variable, e.g. "MEDIA_BUCKET is required".
 * @example
 * const config = loadConfig(ValidateConfig, process.env);
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = [...new Set(result.error.issues.map((issue) => issue.message))];
  throw new ConfigurationError(`Invalid environment: ${problems.join('; ')}`, {
    cause: result.error,
  });
}
