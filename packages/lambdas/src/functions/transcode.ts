import { parseInput } from '../domain/errors.ts';
import { MediaTaskInput } from '../domain/render-media.ts';
import { buildTranscodeSettings } from '../domain/transcode-job.ts';
import { correlationKeys, type InvocationLogger } from '../logger.ts';
import type { TranscodeSettings } from '../domain/media-convert-job.ts';

/** What the `transcode` function is wired to: the bucket's name (for `s3://` URLs), its logger. */
export interface TranscodeFunctionDeps {
  readonly bucket: string;
  readonly logger: InvocationLogger;
}

/**
 * The `transcode` function (`listing-media-transcode`): the `PrepareTranscode` state. Builds the
 * MediaConvert job's settings; the state machine's `Transcode` state runs it.
 *
 * @example
 * const handler = createTranscodeHandler({ bucket: 'toq-listing-medias', logger });
 * const { settings } = await handler({ ctx, item });
 * @throws {InvalidRequestError} when the payload is not a PrepareTranscode payload.
 */
export function createTranscodeHandler(
  deps: TranscodeFunctionDeps,
): (event: unknown) => Promise<{ settings: TranscodeSettings }> {
  return async (event) => {
    deps.logger(correlationKeys(event));
    const input = parseInput(MediaTaskInput, event, 'PrepareTranscode payload');
    return { settings: buildTranscodeSettings(input, deps.bucket) };
  };
}
