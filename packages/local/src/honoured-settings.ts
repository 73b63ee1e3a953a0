import type { TranscodeSettings } from '@toq/lambdas';

/**
 * Every MediaConvert job setting the ffmpeg stand-in honours, by path (`[]` for any array item,
 * `*` for any key of a map), with the values it honours. A setting not listed here — or a value
 * the stand-in does not reproduce — makes the stand-in refuse the job, so a local run can never
 * pass on a setting AWS would apply and the stand-in would silently ignore.
 */
const HONOURED: Readonly<Record<string, (value: unknown) => boolean>> = {
  'Inputs[].FileInput': isString,
  'Inputs[].AudioSelectors.*.DefaultSelection': oneOf('DEFAULT'),
  // AUTO: ffmpeg's autorotation; DEGREE_0: `-noautorotate`, and the rotation tag cleared.
  'Inputs[].VideoSelector.Rotate': oneOf('AUTO', 'DEGREE_0'),
  // Outputs start at zero, whatever the source's timecode.
  'Inputs[].TimecodeSource': oneOf('ZEROBASED'),
  'OutputGroups[].Name': isString,
  'OutputGroups[].OutputGroupSettings.Type': oneOf('FILE_GROUP_SETTINGS'),
  'OutputGroups[].OutputGroupSettings.FileGroupSettings.Destination': isString,
  'OutputGroups[].Outputs[].ContainerSettings.Container': oneOf('MP4', 'RAW'),
  // `-movflags +faststart`.
  'OutputGroups[].Outputs[].ContainerSettings.Mp4Settings.MoovPlacement':
    oneOf('PROGRESSIVE_DOWNLOAD'),
  'OutputGroups[].Outputs[].Extension': isString,
  'OutputGroups[].Outputs[].NameModifier': isString,
  'OutputGroups[].Outputs[].VideoDescription.Width': isPositiveInteger,
  'OutputGroups[].Outputs[].VideoDescription.Height': isPositiveInteger,
  'OutputGroups[].Outputs[].VideoDescription.ScalingBehavior': oneOf('FIT_NO_UPSCALE'),
  // zscale + Hable tone mapping for HLG and PQ sources, BT.709 tags on the output.
  'OutputGroups[].Outputs[].VideoDescription.VideoPreprocessors.ColorCorrector.ColorSpaceConversion':
    oneOf('FORCE_709'),
  'OutputGroups[].Outputs[].VideoDescription.CodecSettings.Codec': oneOf('H_264', 'FRAME_CAPTURE'),
  'OutputGroups[].Outputs[].VideoDescription.CodecSettings.H264Settings.RateControlMode':
    oneOf('QVBR'),
  // CRF 51 − 4 × level, capped by a one-second VBV buffer at MaxBitrate.
  'OutputGroups[].Outputs[].VideoDescription.CodecSettings.H264Settings.QvbrSettings.QvbrQualityLevel':
    (value) => isPositiveInteger(value) && value <= 10,
  'OutputGroups[].Outputs[].VideoDescription.CodecSettings.H264Settings.MaxBitrate':
    isPositiveInteger,
  'OutputGroups[].Outputs[].VideoDescription.CodecSettings.H264Settings.CodecProfile': oneOf(
    'HIGH',
    'MAIN',
  ),
  // x264 picks the level from the size and rate, as AUTO does.
  'OutputGroups[].Outputs[].VideoDescription.CodecSettings.H264Settings.CodecLevel': oneOf('AUTO'),
  // x264's scene-cut detection (on unless DISABLED: `-sc_threshold 0`).
  'OutputGroups[].Outputs[].VideoDescription.CodecSettings.H264Settings.SceneChangeDetect': oneOf(
    'TRANSITION_DETECTION',
    'ENABLED',
    'DISABLED',
  ),
  'OutputGroups[].Outputs[].VideoDescription.CodecSettings.FrameCaptureSettings.FramerateNumerator':
    isPositiveInteger,
  'OutputGroups[].Outputs[].VideoDescription.CodecSettings.FrameCaptureSettings.FramerateDenominator':
    isPositiveInteger,
  'OutputGroups[].Outputs[].VideoDescription.CodecSettings.FrameCaptureSettings.MaxCaptures':
    isPositiveInteger,
  'OutputGroups[].Outputs[].VideoDescription.CodecSettings.FrameCaptureSettings.Quality': (value) =>
    isPositiveInteger(value) && value <= 100,
  'OutputGroups[].Outputs[].AudioDescriptions[].AudioSourceName': isString,
  'OutputGroups[].Outputs[].AudioDescriptions[].CodecSettings.Codec': oneOf('AAC'),
  'OutputGroups[].Outputs[].AudioDescriptions[].CodecSettings.AacSettings.Bitrate':
    isPositiveInteger,
  'OutputGroups[].Outputs[].AudioDescriptions[].CodecSettings.AacSettings.CodingMode':
    oneOf('CODING_MODE_2_0'),
  'OutputGroups[].Outputs[].AudioDescriptions[].CodecSettings.AacSettings.SampleRate':
    isPositiveInteger,
};

/** Objects whose keys are names the job chooses (audio selectors), not settings. */
const NAMED_MAPS = new Set(['Inputs[].AudioSelectors']);

function isString(value: unknown): boolean {
  return typeof value === 'string';
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function oneOf(...values: string[]): (value: unknown) => boolean {
  return (value) => typeof value === 'string' && values.includes(value);
}

/** Every leaf of `value` as `[path, value]`, arrays as `[]` and named maps' keys as `*`. */
function leaves(value: unknown, path: string): [string, unknown][] {
  if (Array.isArray(value)) return value.flatMap((item) => leaves(item, `${path}[]`));
  if (typeof value !== 'object' || value === null) return [[path, value]];
  return Object.entries(value).flatMap(([key, child]) =>
    leaves(child, NAMED_MAPS.has(path) ? `${path}.*` : path === '' ? key : `${path}.${key}`),
  );
}

/**
 * The settings of a job the stand-in would not reproduce, each as `path = value`; empty when it
 * honours them all.
 *
 * @example
 * unhonouredSettings(buildTranscodeSettings(item, bucket)); // []
 * unhonouredSettings({ ...settings, AdAvailOffset: 0 }); // ['AdAvailOffset = 0']
 */
export function unhonouredSettings(settings: TranscodeSettings): string[] {
  return leaves(settings, '')
    .filter(([path, value]) => !(HONOURED[path]?.(value) ?? false))
    .map(([path, value]) => `${path} = ${JSON.stringify(value)}`);
}
