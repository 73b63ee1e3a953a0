import { BucketConfig, loadConfig } from '../config.ts';
import { MediaTaskInput, parseTaskInput } from '../domain/render-media.ts';
import { buildTranscodeSettings } from '../domain/transcode-job.ts';
import { beginInvocation, createLogger } from '../logger.ts';
import type { TranscodeSettings } from '../ports/video-transcoder.ts';

// `listing-media-transcode`: the `PrepareTranscode` state. Builds the MediaConvert job's
// settings; the state machine's `Transcode` state runs it (`mediaconvert:createJob.sync`).
const config = loadConfig(BucketConfig, process.env);
const logger = createLogger(config);

export const handler = async (event: unknown): Promise<{ settings: TranscodeSettings }> => {
  const input = parseTaskInput(MediaTaskInput, event);
  beginInvocation(logger, input.ctx);
  const settings = buildTranscodeSettings(input, config.mediaBucket);
  logger.info('Transcode prepared', { destinations: settings.OutputGroups.length });
  return { settings };
};
