/** How the AWS adapters tell trouble worth retrying from the rest. */

const TRANSIENT = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'InternalError',
  'ServiceUnavailable',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** The fields of an AWS SDK v3 error this package looks at. */
export interface SdkErrorShape {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/**
 * Whether an AWS SDK error is worth retrying: throttling, a 5xx, a timeout or a network failure.
 * Shared by the AWS adapters.
 */
export function isTransientAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (e.$retryable !== undefined) return true;
  if (e.name !== undefined && TRANSIENT.has(e.name)) return true;
  return e.code !== undefined && NETWORK_CODES.has(e.code);
}
