import type { Context } from 'aws-lambda';
import type { CorrelationKeys, Logger } from '@toq/lambdas';

/** One structured log line of a local run: what a function's Powertools logger would print. */
export interface LogEntry {
  readonly time: string;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  /** The function that logged it (`validate`, `thumbnails`, …) or `runner`. */
  readonly function: string;
  readonly message: string;
  /** Lambda's context, as Powertools prints it (absent from the runner's own lines). */
  readonly function_name?: string;
  readonly function_request_id?: string;
  readonly cold_start?: boolean;
  readonly [key: string]: unknown;
}

/**
 * The local twin of the functions' Powertools logger: every line is kept in memory (the run's
 * report and the tests read them) and handed to `sink` (the CLI appends them to `run.log` as JSON
 * lines). `forFunction` gives the {@link Logger} port one function's domain code writes to.
 *
 * @example
 * const logs = new LocalLog((entry) => file.write(JSON.stringify(entry) + '\n'));
 * const logger = logs.forFunction('thumbnails', { listingId }, localContext(name));
 */
export class LocalLog {
  readonly entries: LogEntry[] = [];
  /** The functions invoked so far: the next invocation of one is warm. */
  readonly #warm = new Set<string>();

  constructor(private readonly sink?: (entry: LogEntry) => void) {}

  /**
   * The {@link Logger} port of one invocation of a function: the correlation keys and, given a
   * context, Lambda's fields (as Powertools' `addContext`) on every line.
   */
  forFunction(name: string, keys: CorrelationKeys = {}, context?: Context): Logger {
    const lambda = context === undefined ? {} : this.#lambdaFields(context);
    const at = (level: LogEntry['level']) => (message: string, extra?: Record<string, unknown>) => {
      const entry: LogEntry = {
        time: new Date().toISOString(),
        level,
        function: name,
        message,
        ...lambda,
        ...keys,
        ...extra,
      };
      this.entries.push(entry);
      this.sink?.(entry);
    };
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  }

  #lambdaFields(context: Context) {
    const coldStart = !this.#warm.has(context.functionName);
    this.#warm.add(context.functionName);
    return {
      function_name: context.functionName,
      function_request_id: context.awsRequestId,
      cold_start: coldStart,
    };
  }
}
