import { mediaStore } from '../adapters/media-store.ts';
import { systemClock } from '../adapters/system-clock.ts';
import { ConsolidateConfig, loadConfig } from '../config.ts';
import { createConsolidateHandler } from '../functions/consolidate.ts';
import { invocationLogger } from '../logger.ts';

// `listing-media-consolidate` on AWS: `functions/consolidate.ts` wired to S3, once per cold start.
const config = loadConfig(ConsolidateConfig, process.env);

export const handler = createConsolidateHandler({
  store: mediaStore(config),
  clock: systemClock,
  logger: invocationLogger(config),
});
