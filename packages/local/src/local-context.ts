import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** What Lambda would give each function: its timeout (the stack's longest) and memory. */
const LOCAL_TIMEOUT_MS = 900_000;
const LOCAL_MEMORY_MB = '1024';

/**
 * The Lambda context a local invocation of `functionName` gets: the function's deployed name
 * (`listing-media-validate-local`), a fresh request id per invocation, as Lambda gives each
 * invocation its `awsRequestId`. The functions' loggers read it as Powertools does
 * (`function_name`, `function_request_id`, and `cold_start` on each function's first invocation).
 *
 * @example
 * await functions.validate(payload, localContext('listing-media-validate-local'));
 */
export function localContext(functionName: string): Context {
  const deadline = Date.now() + LOCAL_TIMEOUT_MS;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: LOCAL_MEMORY_MB,
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
