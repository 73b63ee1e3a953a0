/**
 * Structured JSON logging (Powertools Logger in the handlers). Every line carries the
 * correlation keys appended at the start of an invocation: listingId, requestId, executionName.
 */
export interface Logger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}
