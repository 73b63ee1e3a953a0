import type { CorrelationKeys, Logger } from '@toq/lambdas';

/** One structured log line of a local run: what a function's Powertools logger would print. */
export interface LogEntry {
  readonly time: string;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  /** The function that logged it (`validate`, `thumbnails`, …) or `runner`. */
  readonly function: string;
  readonly message: string;
  readonly [key: string]: unknown;
}

/**
 * The local twin of the functions' Powertools logger: every line is kept in memory (the run's
 * report and the tests read them) and handed to `sink` (the CLI appends them to `run.log` as JSON
 * lines). `forFunction` gives the {@link Logger} port one function's domain code writes to.
 *
 * @example
 * const logs = new LocalLog((entry) => file.write(JSON.stringify(entry) + '\n'));
 * const logger = logs.forFunction('thumbnails', { listingId });
 */
export class LocalLog {
  readonly entries: LogEntry[] = [];

  constructor(private readonly sink?: (entry: LogEntry) => void) {}

  /** The {@link Logger} port of one function, with correlation keys on every line. */
  forFunction(name: string, keys: CorrelationKeys = {}): Logger {
    const at = (level: LogEntry['level']) => (message: string, extra?: Record<string, unknown>) => {
      const entry: LogEntry = {
        time: new Date().toISOString(),
        level,
        function: name,
        message,
        ...keys,
        ...extra,
      };
      this.entries.push(entry);
      this.sink?.(entry);
    };
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  }
}
