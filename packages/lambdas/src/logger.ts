import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { LoggingConfig } from './config.ts';
import type { CorrelationKeys, InvocationLogger } from './functions/task.ts';
import type { Logger } from './ports/logger.ts';

/**
 * The function's one structured JSON logger (Powertools), built once at cold start. Use
 * {@link beginInvocation} at the start of each invocation so the correlation keys of the last
 * one never leak into the next.
 *
 * @example
 * const logger = createLogger(config);
 * beginInvocation(logger, { listingId, requestId, executionName }, context);
 */
export function createLogger(config: LoggingConfig): PowertoolsLogger {
  return new PowertoolsLogger({ serviceName: config.serviceName, logLevel: config.logLevel });
}

/**
 * Drops the previous invocation's keys, adds Lambda's context as Powertools'
 * `injectLambdaContext` does (`function_name`, `function_request_id`, `cold_start`, …) and
 * appends this invocation's correlation keys (those that are known).
 */
export function beginInvocation(
  logger: PowertoolsLogger,
  keys: CorrelationKeys = {},
  context?: Context,
): void {
  logger.resetKeys();
  if (context !== undefined) logger.addContext(context);
  const known = Object.fromEntries(
    Object.entries(keys).filter(([, value]) => typeof value === 'string' && value.length > 0),
  );
  if (Object.keys(known).length > 0) logger.appendKeys(known);
}

/**
 * The function's Powertools logger, built once (at cold start), as an {@link InvocationLogger}:
 * each invocation drops the previous one's keys and adds its own, and Lambda's context.
 *
 * @example
 * export const handler = createValidateHandler({ store, limits, logger: invocationLogger(config) });
 */
export function invocationLogger(config: LoggingConfig): InvocationLogger {
  const logger = createLogger(config);
  const port = loggerPort(logger);
  return (keys, context) => {
    beginInvocation(logger, keys, context);
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
