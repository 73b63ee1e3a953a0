import { PIPELINE_ERROR_NAMES, type PipelineErrorName } from '@toq/contracts';
import * as z from 'zod';

/**
 * The errors a function throws to Step Functions. The `name` is what `Retry` and `Catch` match
 * (Lambda reports it as `errorType`), so every name comes from `PIPELINE_ERROR_NAMES` in
 * `@toq/contracts`. Item-level problems (one bad photo) are results, never these.
 */
export abstract class PipelineError extends Error {
  abstract override readonly name: PipelineErrorName;
}

/** Storage or network trouble worth retrying. */
export class TransientError extends PipelineError {
  override readonly name = PIPELINE_ERROR_NAMES.transient;
}

/** The execution's input is not a valid request. Never retried. */
export class InvalidRequestError extends PipelineError {
  override readonly name = PIPELINE_ERROR_NAMES.invalidRequest;
}

/** The backend did not accept the webhook after the function's own retries. */
export class WebhookDeliveryError extends PipelineError {
  override readonly name = PIPELINE_ERROR_NAMES.webhookDelivery;
}

/** The backend refused the webhook (a 4xx other than 408 and 429) or its URL is refused. Never retried. */
export class WebhookRejectedError extends PipelineError {
  override readonly name = PIPELINE_ERROR_NAMES.webhookRejected;
}

/** The function's environment is invalid; raised at cold start. Never retried. */
export class ConfigurationError extends PipelineError {
  override readonly name = PIPELINE_ERROR_NAMES.configuration;
}

/**
 * Parses a task's payload (or any input from outside the function) with `schema`.
 *
 * @throws {InvalidRequestError} "Invalid {subject}: {path}: {problem}; …", every problem listed.
 * @example
 * const input = parseInput(ConsolidateInput, event, 'Consolidate payload');
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  subject: string,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
  );
  throw new InvalidRequestError(`Invalid ${subject}: ${problems.join('; ')}`, {
    cause: result.error,
  });
}

/** The longest reason a failed item keeps: enough for a decoder's sentence, short in a webhook. */
export const MAX_REASON_LENGTH = 300;

/**
 * `message` as a failed item may publish it: on one line (control characters and runs of
 * whitespace become one space, invisible format characters such as bidi overrides go) and at most
 * {@link MAX_REASON_LENGTH} characters (cut with `…`).
 *
 * @example
 * trimReason('moov atom not found\n\tinput.mp4: Invalid data');
 * // 'moov atom not found input.mp4: Invalid data'
 */
export function trimReason(message: string): string {
  const line = message
    .replace(/\p{Cf}/gu, '')
    .replace(/[\p{Cc}\s]+/gu, ' ')
    .trim();
  return line.length > MAX_REASON_LENGTH ? `${line.slice(0, MAX_REASON_LENGTH - 1)}…` : line;
}

/** The message fields of the JSON causes Step Functions records, wherever they sit. */
const JsonCause = z.looseObject({
  errorMessage: z.string().optional(),
  ErrorMessage: z.string().optional(),
  errorCode: z.union([z.number(), z.string()]).optional(),
  ErrorCode: z.union([z.number(), z.string()]).optional(),
});

function messageOf(json: unknown): string | undefined {
  const fields = JsonCause.safeParse(json);
  if (!fields.success) return undefined;
  const message = fields.data.ErrorMessage ?? fields.data.errorMessage;
  if (message === undefined) return undefined;
  const code = fields.data.ErrorCode ?? fields.data.errorCode;
  return code === undefined ? message : `${message} (error ${code})`;
}

/**
 * The words inside a caught error's `Cause`: the `errorMessage` of a Lambda error
 * (`{"errorType","errorMessage","trace"}` on AWS), the `ErrorMessage` (and `ErrorCode`) of a
 * MediaConvert job that `createJob.sync` reports failed (the job itself, or `{ "Job": … }`;
 * `errorMessage`/`errorCode` as MediaConvert's events spell them), or a plain-text cause (a local
 * run) as it is. `undefined` when there is no cause.
 *
 * @example
 * causeMessage('{"errorType":"TransientError","errorMessage":"S3 timed out"}'); // 'S3 timed out'
 * causeMessage('{"Id":"1","Status":"ERROR","ErrorCode":1010,"ErrorMessage":"Failed probe/open"}');
 * // 'Failed probe/open (error 1010)'
 */
export function causeMessage(cause: string | null | undefined): string | undefined {
  if (!cause) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(cause);
  } catch {
    return cause;
  }
  const job = z.object({ Job: z.unknown() }).safeParse(json);
  return messageOf(json) ?? (job.success ? messageOf(job.data.Job) : undefined) ?? cause;
}

/**
 * A caught error's reason, short and safe for `result.json`, the webhook and the logs:
 * {@link causeMessage} then {@link trimReason}. `undefined` when the cause says nothing.
 *
 * @example
 * failureReason('{"errorType":"E","errorMessage":"moov atom not found\\n"}'); // 'moov atom not found'
 */
export function failureReason(cause: string | null | undefined): string | undefined {
  const message = causeMessage(cause);
  const reason = message === undefined ? '' : trimReason(message);
  return reason === '' ? undefined : reason;
}
