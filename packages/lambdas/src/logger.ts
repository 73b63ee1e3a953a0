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
