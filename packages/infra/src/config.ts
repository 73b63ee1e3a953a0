import {
  CALLBACK_HOST_FORMS,
  DEFAULT_MAX_PHOTO_BYTES,
  DEFAULT_MAX_VIDEO_BYTES,
  DEFAULT_STAGE,
  FUNCTION_IDS,
  FUNCTION_TIMEOUT_SECONDS,
  isCallbackHostEntry,
  pipelineNames,
  type FunctionId,
  type PipelineNames,
} from '@toq/lambdas/pipeline';
import { InfraError } from './errors.ts';

/**
 * Every resource name and setting (`docs/system.md` §1) in one place, per stage.
 * The constructs read them from here; nothing else spells a resource name.
 */

/** An AWS account and region that a stage deploys to. */
export interface DeploymentEnvironment {
  readonly account: string;
  readonly region: string;
}

/**
 * The stages whose account and region are fixed (spec §1: staging is account 058264253741 in
 * us-east-1). The stack is pinned to them, so `cdk deploy` with credentials for any other account
 * or region fails instead of creating a second staging there. Any other stage deploys wherever
 * the CLI's credentials point.
 */
export const PINNED_ENVIRONMENTS: ReadonlyMap<string, DeploymentEnvironment> = new Map([
  ['staging', { account: '058264253741', region: 'us-east-1' }],
]);

/** A function's memory (MiB) and timeout (seconds). */
export interface FunctionSizing {
  readonly memoryMiB: number;
  readonly timeoutSeconds: number;
}

/**
 * Memory and timeout per function (the README explains each choice; the timeouts come from
 * `@toq/lambdas/pipeline`, which the state machine's Task timeouts are derived from). On Lambda, CPU and network
 * bandwidth grow with memory: 1,769 MiB is one full vCPU.
 */
export const FUNCTION_SIZING = {
  // Parses ≤ 10 SQS records, stores each request (one small PutObject) and starts ≤ 10
  // executions. The queue's 60 s visibility timeout must be ≥ 6 × this timeout (the event source
  // mapping's rule of thumb): 10 s.
  start: { memoryMiB: 256, timeoutSeconds: FUNCTION_TIMEOUT_SECONDS.start },
  // HEAD + a 512-byte range GET per item, up to 2,000 items, a few dozen at a time.
  validate: { memoryMiB: 512, timeoutSeconds: FUNCTION_TIMEOUT_SECONDS.validate },
  // sharp decodes one photo (up to 50 MiB, HEIC included) and encodes four sizes: CPU-bound, so
  // a bit more than one vCPU; 2 min covers the largest photos with room for S3 retries.
  thumbnails: { memoryMiB: 2048, timeoutSeconds: FUNCTION_TIMEOUT_SECONDS.thumbnails },
  // Pure settings builder: no I/O.
  transcode: { memoryMiB: 256, timeoutSeconds: FUNCTION_TIMEOUT_SECONDS.transcode },
  // Streams up to ~10,000 objects (GBs) into one multipart upload: memory stays flat (~200 MiB),
  // but network throughput grows with memory; the longest-running step, so Lambda's maximum.
  zip: { memoryMiB: 1024, timeoutSeconds: FUNCTION_TIMEOUT_SECONDS.zip },
  // Reads up to 2,000 item records (small JSON) and writes result.json.
  consolidate: { memoryMiB: 1024, timeoutSeconds: FUNCTION_TIMEOUT_SECONDS.consolidate },
  // A few POSTs (10 s timeout each) with backoff between them, then a record in S3.
  callback: { memoryMiB: 256, timeoutSeconds: FUNCTION_TIMEOUT_SECONDS.callback },
} as const satisfies Record<FunctionId, FunctionSizing>;

/**
 * How much of the account's concurrency the pipeline may take (README, "Concurrency: what a
 * burst of 100 listings does"). The state machine's photo Map runs up to 20 renders per
 * execution (`definition.asl.json`); these bound the rest.
 */
export interface ConcurrencyConfig {
  /**
   * `start` invocations at once (the SQS event source's `MaximumConcurrency`, 2 to 1,000).
   * Each takes ≤ 10 messages and starts ≤ 10 executions in well under a second, so 2 start
   * hundreds of executions a minute; messages beyond that wait in the queue, not throttled.
   */
  readonly startMaxConcurrency: number;
  /**
   * Concurrency reserved for `thumbnails` (the only fan-out: up to 20 per execution), or
   * `undefined` for none. It guarantees renders this much of the account's pool and caps them
   * there, so a burst of listings cannot starve the account's other functions; invocations
   * beyond it are throttled, and the state machine retries them.
   */
  readonly thumbnailsReservedConcurrency: number | undefined;
}

/** The defaults of {@link ConcurrencyConfig}: context `startMaxConcurrency`, `thumbnailsReservedConcurrency`. */
export const DEFAULT_CONCURRENCY = {
  startMaxConcurrency: 2,
  thumbnailsReservedConcurrency: 100,
} as const satisfies ConcurrencyConfig;

/**
 * The alarms' names. The dead-letter and failed-execution alarms keep the names the pipeline's
 * resource list gives them (`@toq/lambdas/pipeline`); the others are
 * `toq-media-processing-{what}-{stage}`.
 */
export interface AlarmNames {
  readonly deadLetters: string;
  readonly failedExecutions: string;
  readonly timedOutExecutions: string;
  readonly abortedExecutions: string;
  readonly itemFailureRate: string;
  readonly queueAge: string;
  readonly functionErrors: Readonly<Record<FunctionId, string>>;
  readonly functionThrottles: Readonly<Record<FunctionId, string>>;
}

/**
 * @example
 * alarmNames(pipelineNames('staging')).queueAge; // 'toq-media-processing-queue-age-staging'
 */
export function alarmNames(names: PipelineNames): AlarmNames {
  const name = (what: string) => `toq-media-processing-${what}-${names.stage}`;
  const perFunction = (what: string) =>
    Object.fromEntries(FUNCTION_IDS.map((fn) => [fn, name(`${fn}-${what}`)])) as Record<
      FunctionId,
      string
    >;
  return {
    deadLetters: names.deadLetterAlarm,
    failedExecutions: names.failedExecutionsAlarm,
    timedOutExecutions: name('timed-out-executions'),
    abortedExecutions: name('aborted-executions'),
    itemFailureRate: name('item-failure-rate'),
    queueAge: name('queue-age'),
    functionErrors: perFunction('errors'),
    functionThrottles: perFunction('throttles'),
  };
}

/** Every alarm name, for the policies that let CloudWatch publish on the alarms' behalf. */
export function allAlarmNames(alarms: AlarmNames): string[] {
  const { functionErrors, functionThrottles, ...single } = alarms;
  return [
    ...Object.values(single),
    ...Object.values(functionErrors),
    ...Object.values(functionThrottles),
  ];
}

/** The dashboard's name: `toq-media-processing-{stage}`. */
export function dashboardName(names: PipelineNames): string {
  return `toq-media-processing-${names.stage}`;
}

/** Everything the stack needs that varies by deployment. */
export interface PipelineConfig {
  readonly names: PipelineNames;
  /** Hosts the callback may POST to (`CALLBACK_ALLOWED_HOSTS`); empty refuses every host. */
  readonly callbackAllowedHosts: readonly string[];
  /** Functions' `LOG_LEVEL`. Default `INFO`. */
  readonly logLevel: string;
  /** Validate's limits, in bytes. */
  readonly maxPhotoBytes: number;
  readonly maxVideoBytes: number;
  /** Subscribed to the alarm topic when given. */
  readonly alarmEmail: string | undefined;
  readonly alarms: AlarmNames;
  readonly dashboardName: string;
  readonly concurrency: ConcurrencyConfig;
}

/** Starts with a letter; "-" only between letters or digits (never doubled, never last). */
const STAGE = /^[a-z](?:-?[a-z0-9])*$/;

/**
 * AWS's length limit of each kind of name the stage goes into, and the names of that kind.
 * Bucket names are the tightest rules besides: lowercase, digits and "-", no "--", and never
 * ending in "-s3alias" (S3 reserves it for access point aliases).
 */
const NAME_LIMITS: readonly {
  kind: string;
  max: number;
  pick: (names: PipelineNames, alarms: AlarmNames) => string[];
}[] = [
  { kind: 'S3 bucket', max: 63, pick: (n) => [n.mediaBucket, n.logBucket] },
  { kind: 'SQS queue', max: 80, pick: (n) => [n.queue, n.deadLetterQueue] },
  { kind: 'Lambda function', max: 64, pick: (n) => Object.values(n.functions) },
  {
    kind: 'IAM role',
    max: 64,
    pick: (n) => [n.backendRole, n.lambdaRole, n.stepFunctionsRole, n.mediaConvertRole],
  },
  { kind: 'state machine', max: 80, pick: (n) => [n.stateMachine] },
  { kind: 'CloudFormation stack', max: 128, pick: (n) => [n.stackName] },
  { kind: 'CloudWatch alarm', max: 255, pick: (_, alarms) => allAlarmNames(alarms) },
  { kind: 'SNS topic', max: 256, pick: (n) => [n.alarmTopic] },
  { kind: 'KMS alias', max: 256, pick: (n) => [n.keyAlias] },
  { kind: 'secret', max: 512, pick: (n) => [n.webhookSecret] },
];

/**
 * The stage's names, once the stage is one AWS accepts in every name it goes into.
 *
 * @throws {InfraError} `INVALID_CONTEXT` saying which rule the stage breaks.
 */
function stageNames(stage: string): PipelineNames {
  if (!STAGE.test(stage)) {
    throw invalid(
      'stage',
      'lowercase letters, digits and single "-" between them, starting with a letter (AWS resource names)',
      stage,
    );
  }
  const names = pipelineNames(stage);
  const alarms = alarmNames(names);
  for (const { kind, max, pick } of NAME_LIMITS) {
    const tooLong = pick(names, alarms).find((name) => name.length > max);
    if (tooLong !== undefined) {
      throw invalid(
        'stage',
        `a stage short enough that the ${kind} name "${tooLong}" fits ${max} characters (it has ${tooLong.length})`,
        stage,
      );
    }
  }
  if (names.logBucket.endsWith('-s3alias')) {
    throw invalid('stage', 'a stage not ending in "-s3alias" (S3 reserves it)', stage);
  }
  return names;
}

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'];
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function invalid(key: string, expected: string, received: unknown): InfraError {
  return new InfraError(
    'INVALID_CONTEXT',
    `Invalid CDK context "${key}": expected ${expected}, received ${JSON.stringify(received)}`,
  );
}

function optionalString(context: Readonly<Record<string, unknown>>, key: string) {
  const value = context[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(key, 'a string', value);
  return value.trim();
}

function hostList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const entries = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(entries) || entries.some((entry) => typeof entry !== 'string')) {
    throw invalid('callbackAllowedHosts', 'a comma-separated string or a list of hosts', value);
  }
  const hosts = (entries as string[]).map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
  const bad = hosts.find((host) => !isCallbackHostEntry(host));
  if (bad !== undefined) throw invalid('callbackAllowedHosts', CALLBACK_HOST_FORMS, bad);
  return hosts;
}

function byteLimit(context: Readonly<Record<string, unknown>>, key: string, fallback: number) {
  const value = context[key];
  if (value === undefined || value === null || value === '') return fallback;
  const parsed = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0) {
    throw invalid(key, 'a positive integer (bytes)', value);
  }
  return parsed;
}

/** A whole number within AWS's bounds, from a number or a CLI string. */
function boundedInteger(
  context: Readonly<Record<string, unknown>>,
  key: string,
  bounds: { min: number; max: number },
  fallback: number,
): number {
  const value = context[key];
  if (value === undefined || value === null || value === '') return fallback;
  const parsed = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < bounds.min || parsed > bounds.max) {
    throw invalid(key, `an integer from ${bounds.min} to ${bounds.max}`, value);
  }
  return parsed;
}

function concurrency(context: Readonly<Record<string, unknown>>): ConcurrencyConfig {
  const reserved = context['thumbnailsReservedConcurrency'];
  return {
    // SQS event sources accept a maximum concurrency from 2 to 1,000.
    startMaxConcurrency: boundedInteger(
      context,
      'startMaxConcurrency',
      { min: 2, max: 1000 },
      DEFAULT_CONCURRENCY.startMaxConcurrency,
    ),
    // "none" leaves thumbnails in the unreserved pool (an account whose quota is too low to
    // reserve any: Lambda keeps 100 unreserved). 0 is refused: it would disable the function.
    thumbnailsReservedConcurrency:
      reserved === 'none'
        ? undefined
        : boundedInteger(
            context,
            'thumbnailsReservedConcurrency',
            { min: 1, max: 10_000 },
            DEFAULT_CONCURRENCY.thumbnailsReservedConcurrency,
          ),
  };
}

/**
 * Reads the deployment's settings from CDK context (`cdk.json` or `-c key=value`):
 * `stage` (default `staging`), `callbackAllowedHosts` (comma-separated), `logLevel`,
 * `maxPhotoBytes`, `maxVideoBytes`, `alarmEmail`, `startMaxConcurrency`,
 * `thumbnailsReservedConcurrency` (a number, or `none`). The stage must make valid names for
 * every resource (S3's, IAM's… rules and lengths).
 *
 * @throws {InfraError} `INVALID_CONTEXT` naming the key, what was expected and what was received.
 * @example
 * const config = resolveConfig({ stage: 'staging', callbackAllowedHosts: 'api.toq.example' });
 */
export function resolveConfig(context: Readonly<Record<string, unknown>>): PipelineConfig {
  const names = stageNames(optionalString(context, 'stage') ?? DEFAULT_STAGE);
  const logLevel = (optionalString(context, 'logLevel') ?? 'INFO').toUpperCase();
  if (!LOG_LEVELS.includes(logLevel)) throw invalid('logLevel', LOG_LEVELS.join(', '), logLevel);
  const alarmEmail = optionalString(context, 'alarmEmail');
  if (alarmEmail !== undefined && !EMAIL.test(alarmEmail)) {
    throw invalid('alarmEmail', 'an email address', alarmEmail);
  }
  return {
    names,
    callbackAllowedHosts: hostList(context['callbackAllowedHosts']),
    logLevel,
    maxPhotoBytes: byteLimit(context, 'maxPhotoBytes', DEFAULT_MAX_PHOTO_BYTES),
    maxVideoBytes: byteLimit(context, 'maxVideoBytes', DEFAULT_MAX_VIDEO_BYTES),
    alarmEmail,
    alarms: alarmNames(names),
    dashboardName: dashboardName(names),
    concurrency: concurrency(context),
  };
}
