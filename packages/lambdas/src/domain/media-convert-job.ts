/**
 * The AWS Elemental MediaConvert job, as much of it as the pipeline uses. The shapes and names are
 * MediaConvert's own (`CreateJob` `Settings`, `GetJob` `Job`), so the object the domain builds is
 * passed to MediaConvert unchanged by the state machine (`mediaconvert:createJob.sync`), and the
 * local stand-in (`packages/local`'s ffmpeg transcoder) reads the very same object.
 *
 * The narrow types below say what the pipeline sets (required where it always sets it) and
 * extend `@aws-sdk/client-mediaconvert`'s: a type-only import, nothing of the SDK is bundled.
 */
// eslint-disable-next-line no-restricted-imports -- type-only (tests/unit/architecture.test.ts checks it stays so)
import type * as MediaConvert from '@aws-sdk/client-mediaconvert';

/** `Settings.Inputs[]`. */
export interface TranscodeInput extends MediaConvert.Input {
  /** `s3://{bucket}/{key}` of the raw upload. */
  readonly FileInput: string;
  readonly AudioSelectors?: Record<string, { readonly DefaultSelection: 'DEFAULT' }>;
  readonly VideoSelector?: { readonly Rotate?: 'AUTO' | 'DEGREE_0' };
  readonly TimecodeSource?: 'ZEROBASED' | 'EMBEDDED' | 'SPECIFIEDSTART';
}

export interface H264CodecSettings extends MediaConvert.VideoCodecSettings {
  readonly Codec: 'H_264';
  readonly H264Settings: MediaConvert.H264Settings & {
    readonly RateControlMode: 'QVBR';
    readonly QvbrSettings: { readonly QvbrQualityLevel: number };
    /** Bits per second. */
    readonly MaxBitrate: number;
    readonly CodecProfile: 'HIGH' | 'MAIN';
    readonly CodecLevel: 'AUTO';
    readonly SceneChangeDetect: 'TRANSITION_DETECTION' | 'ENABLED' | 'DISABLED';
  };
}

export interface FrameCaptureCodecSettings extends MediaConvert.VideoCodecSettings {
  readonly Codec: 'FRAME_CAPTURE';
  readonly FrameCaptureSettings: {
    readonly FramerateNumerator: number;
    readonly FramerateDenominator: number;
    /** How many frames to capture: the first, then one every Denominator/Numerator seconds. */
    readonly MaxCaptures: number;
    /** JPEG quality, 1–100. */
    readonly Quality: number;
  };
}

export interface VideoDescription extends MediaConvert.VideoDescription {
  /** The output box; with `FIT_NO_UPSCALE` the picture fits inside it and is never enlarged. */
  readonly Width?: number;
  readonly Height?: number;
  readonly ScalingBehavior?: 'FIT_NO_UPSCALE' | 'DEFAULT';
  readonly CodecSettings: H264CodecSettings | FrameCaptureCodecSettings;
  /** The colour space the output is converted to (HDR sources are tone-mapped to SDR). */
  readonly VideoPreprocessors?: {
    readonly ColorCorrector: { readonly ColorSpaceConversion: 'FORCE_709' };
  };
}

export interface AudioDescription extends MediaConvert.AudioDescription {
  readonly AudioSourceName: string;
  readonly CodecSettings: {
    readonly Codec: 'AAC';
    readonly AacSettings: {
      readonly Bitrate: number;
      readonly CodingMode: 'CODING_MODE_2_0';
      readonly SampleRate: number;
    };
  };
}

/** `Settings.OutputGroups[].Outputs[]`. */
export interface TranscodeOutput extends MediaConvert.Output {
  readonly ContainerSettings:
    | {
        readonly Container: 'MP4';
        readonly Mp4Settings?: { readonly MoovPlacement: 'PROGRESSIVE_DOWNLOAD' };
      }
    | { readonly Container: 'RAW' };
  /** The file extension, without the dot. */
  readonly Extension: string;
  /** Appended to the base name; MediaConvert requires one only when a group has several outputs. */
  readonly NameModifier?: string;
  readonly VideoDescription: VideoDescription;
  readonly AudioDescriptions?: AudioDescription[];
}

/** `Settings.OutputGroups[]`: a file group. */
export interface TranscodeOutputGroup extends MediaConvert.OutputGroup {
  readonly Name: string;
  readonly OutputGroupSettings: {
    readonly Type: 'FILE_GROUP_SETTINGS';
    readonly FileGroupSettings: {
      /**
       * `s3://{bucket}/{prefix}{baseName}`: each output is written to
       * `{prefix}{baseName}{NameModifier}{.counter for frame captures}.{Extension}`. A destination
       * ending in `/` takes the input's base name instead.
       */
      readonly Destination: string;
    };
  };
  readonly Outputs: TranscodeOutput[];
}

/**
 * MediaConvert's `CreateJob` `Settings`. Every type here extends the SDK's own, so a field or
 * enum value MediaConvert does not know fails the typecheck (the arrays are mutable only because
 * the SDK's are).
 */
export interface TranscodeSettings extends MediaConvert.JobSettings {
  readonly Inputs: TranscodeInput[];
  readonly OutputGroups: TranscodeOutputGroup[];
}

/** `Job.OutputGroupDetails[]`, in the order of `Settings.OutputGroups`. */
export interface OutputGroupDetail {
  readonly Type?: string;
  readonly OutputDetails?: readonly {
    readonly DurationInMs?: number;
    readonly VideoDetails?: { readonly WidthInPx?: number; readonly HeightInPx?: number };
  }[];
}

/** The finished job, as `GetJob` (and `createJob.sync`) returns it. */
export interface TranscodeJobResult {
  readonly Job: {
    readonly Id: string;
    readonly Status: 'COMPLETE';
    readonly OutputGroupDetails: readonly OutputGroupDetail[];
  };
}
