import { BucketConfig, loadConfig } from '../config.ts';
import { createTranscodeHandler } from '../functions/transcode.ts';
import { invocationLogger } from '../logger.ts';

// `listing-media-transcode` on AWS: `functions/transcode.ts` with the bucket's name, once per
// cold start.
const config = loadConfig(BucketConfig, process.env);

export const handler = createTranscodeHandler({
  bucket: config.mediaBucket,
  logger: invocationLogger(config),
});
