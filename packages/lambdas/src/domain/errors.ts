import { PIPELINE_ERROR_NAMES, type PipelineErrorName } from '@toq/contracts';

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

/** The function's environment is invalid; raised at cold start. Never retried. */
export class ConfigurationError extends PipelineError {
  override readonly name = PIPELINE_ERROR_NAMES.configuration;
}
