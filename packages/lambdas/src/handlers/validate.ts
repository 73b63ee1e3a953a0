import { mediaStore } from '../adapters/media-store.ts';
import { ValidateConfig, loadConfig } from '../config.ts';
import { validateListing, type ValidateResult } from '../domain/validate-listing.ts';
import { beginInvocation, correlationKeys, createLogger, loggerPort } from '../logger.ts';

// `listing-media-validate`: the `Validate` state (docs/pipeline.md).
const config = loadConfig(ValidateConfig, process.env);
const logger = createLogger(config);
const deps = { store: mediaStore(config), logger: loggerPort(logger), limits: config.limits };

export const handler = async (event: unknown): Promise<ValidateResult> => {
  beginInvocation(logger, correlationKeys(event));
  return validateListing(event, deps);
};
