import { mediaStore } from '../adapters/media-store.ts';
import { systemClock } from '../adapters/system-clock.ts';
import { ConsolidateConfig, loadConfig } from '../config.ts';
import { consolidate, type ConsolidateOutput } from '../domain/consolidate.ts';
import { beginInvocation, correlationKeys, createLogger, loggerPort } from '../logger.ts';

// `listing-media-consolidate`: the `Consolidate` state (docs/pipeline.md).
const config = loadConfig(ConsolidateConfig, process.env);
const logger = createLogger(config);
const deps = { store: mediaStore(config), clock: systemClock, logger: loggerPort(logger) };

export const handler = async (event: unknown): Promise<ConsolidateOutput> => {
  beginInvocation(logger, correlationKeys(event));
  return consolidate(event, deps);
};
