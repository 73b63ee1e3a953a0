import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { LoggingConfig } from './config.ts';
import type { Logger } from './ports/logger.ts';

/** The correlation keys every log line of an invocation carries. */
export interface CorrelationKeys {
  readonly listingId?: string;
  readonly requestId?: string;
  readonly executionName?: string;
}

/**
 * The function's one structured JSON logger (Powertools), built once at cold start. Use
 * {@link beginInvocation} at the start of each invocation so the correlation keys of the last
 * one never leak into the next.
 *
 * @example
 * const logger = createLogger(config);
 * beginInvocation(logger, { listingId, requestId, executionName });
 */
export function createLogger(config: LoggingConfig): PowertoolsLogger {
  return new PowertoolsLogger({ serviceName: config.serviceName, logLevel: config.logLevel });
}

/** Drops the previous invocation's keys and appends this one's (those that are known). */
export function beginInvocation(logger: PowertoolsLogger, keys: CorrelationKeys = {}): void {
  logger.resetKeys();
  const known = Object.fromEntries(
    Object.entries(keys).filter(([, value]) => typeof value === 'string' && value.length > 0),
  );
  if (Object.keys(known).length > 0) logger.appendKeys(known);
}

/**
 * A function's logger for one invocation: called once per invocation with the payload's
 * correlation keys, it returns the {@link Logger} port the domain writes to. Each function's
 * factory (`functions/`) takes one, so the same wiring logs through Powertools on Lambda
 * ({@link invocationLogger}) and through the local run's log in process.
 */
export type InvocationLogger = (keys: CorrelationKeys) => Logger;

/**
 * The function's Powertools logger, built once (at cold start), as an {@link InvocationLogger}:
 * each invocation drops the previous one's keys and appends its own.
 *
 * @example
 * export const handler = createValidateHandler({ store, limits, logger: invocationLogger(config) });
 */
export function invocationLogger(config: LoggingConfig): InvocationLogger {
  const logger = createLogger(config);
  const port = loggerPort(logger);
  return (keys) => {
    beginInvocation(logger, keys);
    return port;
  };
}

/** The Powertools logger as the domain's {@link Logger} port. */
export function loggerPort(logger: PowertoolsLogger): Logger {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, extra?: Record<string, unknown>) =>
      extra === undefined ? logger[level](message) : logger[level](message, extra);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * The correlation keys found in a task payload before it is parsed: `ctx` (most tasks),
 * `state.ctx` (Consolidate), or `request` + `executionName` (Validate). Unknown shapes give none.
 */
export function correlationKeys(event: unknown): CorrelationKeys {
  const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const state = (e['state'] ?? {}) as Record<string, unknown>;
  const source = (e['ctx'] ?? state['ctx'] ?? e['request'] ?? state) as Record<string, unknown>;
  const keys = {
    listingId: text(source?.['listingId']),
    requestId: text(source?.['requestId']),
    executionName: text(source?.['executionName']) ?? text(e['executionName']),
  };
  return Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined));
}
