import {
  DEFAULT_MAX_PHOTO_BYTES,
  DEFAULT_MAX_VIDEO_BYTES,
  DEFAULT_STAGE,
  FUNCTION_TIMEOUT_SECONDS,
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
  // Parses ≤ 10 SQS records and starts ≤ 10 executions. The queue's 60 s visibility timeout must
  // be ≥ 6 × this timeout (the event source mapping's rule of thumb): 10 s.
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
}

const STAGE = /^[a-z][a-z0-9-]{0,19}$/;
const HOST = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
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
  const bad = hosts.find((host) => !HOST.test(host));
  if (bad !== undefined) {
    throw invalid('callbackAllowedHosts', 'hosts such as api.example.com or *.example.com', bad);
  }
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

/**
 * Reads the deployment's settings from CDK context (`cdk.json` or `-c key=value`):
 * `stage` (default `staging`), `callbackAllowedHosts` (comma-separated), `logLevel`,
 * `maxPhotoBytes`, `maxVideoBytes`, `alarmEmail`.
 *
 * @throws {InfraError} `INVALID_CONTEXT` naming the key, what was expected and what was received.
 * @example
 * const config = resolveConfig({ stage: 'staging', callbackAllowedHosts: 'api.toq.example' });
 */
export function resolveConfig(context: Readonly<Record<string, unknown>>): PipelineConfig {
  const stage = optionalString(context, 'stage') ?? DEFAULT_STAGE;
  if (!STAGE.test(stage)) {
    throw invalid('stage', 'lowercase letters, digits and "-", starting with a letter', stage);
  }
  const logLevel = (optionalString(context, 'logLevel') ?? 'INFO').toUpperCase();
  if (!LOG_LEVELS.includes(logLevel)) throw invalid('logLevel', LOG_LEVELS.join(', '), logLevel);
  const alarmEmail = optionalString(context, 'alarmEmail');
  if (alarmEmail !== undefined && !EMAIL.test(alarmEmail)) {
    throw invalid('alarmEmail', 'an email address', alarmEmail);
  }
  return {
    names: pipelineNames(stage),
    callbackAllowedHosts: hostList(context['callbackAllowedHosts']),
    logLevel,
    maxPhotoBytes: byteLimit(context, 'maxPhotoBytes', DEFAULT_MAX_PHOTO_BYTES),
    maxVideoBytes: byteLimit(context, 'maxVideoBytes', DEFAULT_MAX_VIDEO_BYTES),
    alarmEmail,
  };
}
