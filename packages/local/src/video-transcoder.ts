import type { TranscodeJobResult, TranscodeSettings } from '@toq/lambdas';

/**
 * Runs a MediaConvert job to completion. On AWS nothing in our code does this: the state
 * machine's `Transcode` state calls `mediaconvert:createJob.sync` with the settings the
 * `transcode` function built. A local run plugs the ffmpeg stand-in (`ffmpeg-transcoder.ts`) in
 * its place.
 *
 * Rejects with {@link TranscodeJobFailedError} when the job cannot run or fails on its input.
 */
export interface VideoTranscoder {
  transcode(settings: TranscodeSettings): Promise<TranscodeJobResult>;
}

/**
 * A job that failed, reported under the name Step Functions gives a failed `createJob.sync`
 * task (`States.TaskFailed`), so the pipeline handles a local failure exactly as one on AWS:
 * the video's outcome is `TRANSCODE_FAILED`. The message says why (ffmpeg's own words, or that
 * no ffmpeg was found).
 */
export class TranscodeJobFailedError extends Error {
  override readonly name = 'States.TaskFailed';
}
