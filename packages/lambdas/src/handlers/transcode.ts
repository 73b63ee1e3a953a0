import { BucketConfig, loadConfig } from '../config.ts';
import { parseInput } from '../domain/errors.ts';
import { MediaTaskInput } from '../domain/render-media.ts';
import { buildTranscodeSettings } from '../domain/transcode-job.ts';
import { beginInvocation, correlationKeys, createLogger } from '../logger.ts';
import type { TranscodeSettings } from '../ports/video-transcoder.ts';

// `listing-media-transcode`: the `PrepareTranscode` state. Builds the MediaConvert job's
// settings; the state machine's `Transcode` state runs it (`mediaconvert:createJob.sync`).
const config = loadConfig(BucketConfig, process.env);
const logger = createLogger(config);

export const handler = async (event: unknown): Promise<{ settings: TranscodeSettings }> => {
  beginInvocation(logger, correlationKeys(event));
  const input = parseInput(MediaTaskInput, event, 'PrepareTranscode payload');
  return { settings: buildTranscodeSettings(input, config.mediaBucket) };
};
