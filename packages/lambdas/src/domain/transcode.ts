import { RENDITION_WIDTHS, rawKey, renditionKey } from '@toq/contracts';
import type {
  OutputGroupDetail,
  TranscodeOutputGroup,
  TranscodeSettings,
} from './media-convert-job.ts';
import type { MediaTaskInput } from './media-task.ts';
import { frameStateKey } from './state-keys.ts';

/** The item a transcode works on (a `MediaTaskInput` of a video). */
export interface TranscodeItem {
  readonly ctx: { readonly listingId: string; readonly requestId: string };
  readonly mediaId: string;
  readonly ext: string;
}

/**
 * The MP4's box: at most 1200 px wide (the `large` width). The height is MediaConvert's limit for
 * a portrait H.264 output (2160 × 4096), so it narrows only a video MediaConvert could not encode
 * at that width anyway (taller than about 1:3.4).
 */
const MP4_MAX_WIDTH = RENDITION_WIDTHS.large;
const MP4_MAX_HEIGHT = 4096;
/**
 * The box both outputs fit into. The frame capture shares it so that MediaConvert sizes (and
 * rounds to even) the frame exactly as the MP4: the `large` poster rendered from that frame then
 * has the MP4's size (a 1920 × 1080 source gives 1200 × 674 for both, not 1200 × 675 for the
 * poster).
 */
const OUTPUT_BOX = {
  Width: MP4_MAX_WIDTH,
  Height: MP4_MAX_HEIGHT,
  ScalingBehavior: 'FIT_NO_UPSCALE',
} as const;

/** H.264 quality-defined VBR: level 7 of 10 is MediaConvert's advice for web delivery. */
const QVBR_QUALITY_LEVEL = 7;
const MP4_MAX_BITRATE = 5_000_000;
const AUDIO_SELECTOR = 'Audio Selector 1';
/** MediaConvert names frame captures `{base}{modifier}.{counter, 7 digits}.{ext}`. */
const FIRST_FRAME_SUFFIX = '.0000000.jpg';

/**
 * The frames captured for the posters: the first, then one every `intervalSeconds`, at most
 * `maxCaptures` (the first 30 s: 10 % of a five-minute video). `FinishVideo` picks the poster
 * among them (`video-poster.ts`): MediaConvert cannot start a capture at a share of a duration it
 * is not told.
 */
export const FRAME_CAPTURES = { intervalSeconds: 1, maxCaptures: 30 } as const;

/**
 * Every output is converted to BT.709 SDR: an HDR source (HLG, as iPhones record by default, or
 * PQ) is tone-mapped, never passed on still labelled BT.2020 (MediaConvert tone-maps HDR to SDR
 * only through a colour corrector's `ColorSpaceConversion`).
 */
const TO_BT709 = { ColorCorrector: { ColorSpaceConversion: 'FORCE_709' } } as const;

function withoutSuffix(key: string, suffix: string): string {
  if (!key.endsWith(suffix)) throw new Error(`Expected "${key}" to end with "${suffix}"`);
  return key.slice(0, -suffix.length);
}

/**
 * Where a video's transcode writes: the MP4 at `renditionKey(..., 'large', ..., 'mp4')` and the
 * first captured frame (fitted as the MP4) at `frames/{mediaId}.0000000.jpg` under the execution's
 * state prefix (the next ones: {@link frameCaptureKey}).
 *
 * @throws {ContractError} `INVALID_INPUT` when an id is invalid.
 */
export function transcodeOutputKeys(item: TranscodeItem): { mp4: string; frame: string } {
  return {
    mp4: renditionKey({
      listingId: item.ctx.listingId,
      mediaType: 'video',
      size: 'large',
      mediaId: item.mediaId,
      ext: 'mp4',
    }),
    frame: frameStateKey(item.ctx, item.mediaId),
  };
}

/**
 * The key of the frame captured `index` (from 0) for a video: `frames/{mediaId}.{index:7}.jpg`,
 * at `index × FRAME_CAPTURES.intervalSeconds` seconds into it.
 *
 * @throws {ContractError} `INVALID_INPUT` when an id is invalid.
 * @example
 * frameCaptureKey({ ctx, mediaId, ext: 'mov' }, 3); // '_pipeline/…/frames/{mediaId}.0000003.jpg'
 */
export function frameCaptureKey(item: TranscodeItem, index: number): string {
  const base = withoutSuffix(transcodeOutputKeys(item).frame, FIRST_FRAME_SUFFIX);
  return `${base}.${String(index).padStart(7, '0')}.jpg`;
}

function fileGroup(
  name: string,
  destination: string,
  output: TranscodeOutputGroup['Outputs'][number],
) {
  return {
    Name: name,
    OutputGroupSettings: {
      Type: 'FILE_GROUP_SETTINGS',
      FileGroupSettings: { Destination: destination },
    },
    Outputs: [output],
  } as const satisfies TranscodeOutputGroup;
}

/**
 * `PrepareTranscode`: the MediaConvert `CreateJob` `Settings` for one video. Two file groups, in
 * this order (`OutputGroupDetails` follows it):
 * 1. an H.264 (High, QVBR) / AAC-LC MP4 fitted into 1200 px wide without upscaling
 *    (`FIT_NO_UPSCALE`), `moov` first for progressive download;
 * 2. JPEG frame captures ({@link FRAME_CAPTURES}: one a second from the first frame) fitted into
 *    the same box, so the posters rendered from them agree with the MP4's size.
 *
 * Both convert to BT.709 SDR (HDR sources are tone-mapped).
 *
 * Each destination carries the base file name, so MediaConvert's naming
 * (destination + name modifier + extension; frame captures add `.0000000`) lands exactly on
 * {@link transcodeOutputKeys}, whatever the raw upload's name.
 *
 * @throws {ContractError} `INVALID_INPUT` when an id or the extension is invalid.
 * @example
 * buildTranscodeSettings({ ctx, mediaId, ext: 'mov' }, 'toq-listing-medias');
 */
export function buildTranscodeSettings(item: TranscodeItem, bucket: string): TranscodeSettings {
  const source = rawKey({
    listingId: item.ctx.listingId,
    mediaType: 'video',
    mediaId: item.mediaId,
    ext: item.ext,
  });
  const keys = transcodeOutputKeys(item);
  return {
    Inputs: [
      {
        FileInput: `s3://${bucket}/${source}`,
        AudioSelectors: { [AUDIO_SELECTOR]: { DefaultSelection: 'DEFAULT' } },
        VideoSelector: { Rotate: 'AUTO' },
        TimecodeSource: 'ZEROBASED',
      },
    ],
    OutputGroups: [
      fileGroup('MP4', `s3://${bucket}/${withoutSuffix(keys.mp4, '.mp4')}`, {
        ContainerSettings: {
          Container: 'MP4',
          Mp4Settings: { MoovPlacement: 'PROGRESSIVE_DOWNLOAD' },
        },
        Extension: 'mp4',
        VideoDescription: {
          ...OUTPUT_BOX,
          VideoPreprocessors: TO_BT709,
          CodecSettings: {
            Codec: 'H_264',
            H264Settings: {
              RateControlMode: 'QVBR',
              QvbrSettings: { QvbrQualityLevel: QVBR_QUALITY_LEVEL },
              MaxBitrate: MP4_MAX_BITRATE,
              CodecProfile: 'HIGH',
              CodecLevel: 'AUTO',
              SceneChangeDetect: 'TRANSITION_DETECTION',
            },
          },
        },
        AudioDescriptions: [
          {
            AudioSourceName: AUDIO_SELECTOR,
            CodecSettings: {
              Codec: 'AAC',
              AacSettings: { Bitrate: 128_000, CodingMode: 'CODING_MODE_2_0', SampleRate: 48_000 },
            },
          },
        ],
      }),
      fileGroup('Frame', `s3://${bucket}/${withoutSuffix(keys.frame, FIRST_FRAME_SUFFIX)}`, {
        ContainerSettings: { Container: 'RAW' },
        Extension: 'jpg',
        VideoDescription: {
          ...OUTPUT_BOX,
          VideoPreprocessors: TO_BT709,
          CodecSettings: {
            Codec: 'FRAME_CAPTURE',
            FrameCaptureSettings: {
              FramerateNumerator: 1,
              FramerateDenominator: FRAME_CAPTURES.intervalSeconds,
              MaxCaptures: FRAME_CAPTURES.maxCaptures,
              Quality: 90,
            },
          },
        },
      }),
    ],
  };
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/** What the finished job says of its MP4 (the first output group). */
export interface Mp4Details {
  readonly width: number;
  readonly height: number;
  readonly durationSeconds?: number;
}

/**
 * Reads the MP4's size and duration from the job's `OutputGroupDetails` (first group, first
 * output), or `undefined` when the job reported no positive width and height.
 */
export function readTranscodeOutputs(
  details: readonly OutputGroupDetail[],
): Mp4Details | undefined {
  const output = details[0]?.OutputDetails?.[0];
  const width = output?.VideoDetails?.WidthInPx;
  const height = output?.VideoDetails?.HeightInPx;
  if (!isPositiveInteger(width) || !isPositiveInteger(height)) return undefined;
  const ms = output?.DurationInMs;
  return {
    width,
    height,
    ...(typeof ms === 'number' && ms >= 0 ? { durationSeconds: ms / 1000 } : {}),
  };
}

/** What preparing a transcode needs: the bucket's name, for the `s3://` URLs. */
export interface TranscodeDeps {
  readonly bucket: string;
}

/**
 * The `transcode` function (`PrepareTranscode`): the job's `Settings` for one video
 * ({@link buildTranscodeSettings}); the state machine's `Transcode` state runs the job.
 *
 * @example
 * const { settings } = prepareTranscode({ ctx, mediaType: 'video', mediaId, ext: 'mov' }, { bucket });
 */
export function prepareTranscode(
  input: MediaTaskInput,
  deps: TranscodeDeps,
): { settings: TranscodeSettings } {
  return { settings: buildTranscodeSettings(input, deps.bucket) };
}
