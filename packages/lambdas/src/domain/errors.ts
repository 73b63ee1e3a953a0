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

/**
 * A part of a payload that has a name of its own (the execution's `ProcessingRequest` inside the
 * Validate payload): parsed with `schema` as part of the payload, but its problems are reported
 * under `subject`, paths relative to it, as {@link parseInput} reports them.
 *
 * @throws {InvalidRequestError} "Invalid {subject}: …" while the enclosing payload is parsed.
 * @example
 * const ValidateInput = z.object({
 *   request: reportedAs(ProcessingRequest, 'ProcessingRequest'),
 *   executionName: z.string().min(1).max(80),
 * });
 */
export function reportedAs<S extends z.ZodType>(schema: S, subject: string) {
  return z.unknown().transform((value): z.output<S> => parseInput(schema, value, subject));
}
