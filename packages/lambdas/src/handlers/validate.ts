import { mediaStore } from '../adapters/media-store.ts';
import { ValidateConfig, loadConfig } from '../config.ts';
import { createValidateHandler } from '../functions/validate.ts';
import { invocationLogger } from '../logger.ts';

// `listing-media-validate` on AWS: `functions/validate.ts` wired to S3, once per cold start.
const config = loadConfig(ValidateConfig, process.env);

export const handler = createValidateHandler({
  store: mediaStore(config),
  limits: config.limits,
  logger: invocationLogger(config),
});
