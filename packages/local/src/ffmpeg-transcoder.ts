import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  ObjectNotFoundError,
  type ObjectStore,
  type OutputGroupDetail,
  type TranscodeJobResult,
  type TranscodeOutput,
  type TranscodeSettings,
} from '@toq/lambdas';
import { locateFfmpeg } from './ffmpeg-binaries.ts';
import { unhonouredSettings } from './honoured-settings.ts';
import { TranscodeJobFailedError, type VideoTranscoder } from './video-transcoder.ts';

/** How the stand-in runs ffmpeg. */
export interface FfmpegTranscoderOptions {
  /** The bucket the settings' `s3://` URLs must name (the store stands in for it). */
  readonly bucket: string;
  /** Default: the npm-shipped build, or the PATH's when newer ({@link locateFfmpeg}). */
  readonly ffmpegPath?: string;
  /** Default: the npm-shipped build, or the PATH's when newer ({@link locateFfmpeg}). */
  readonly ffprobePath?: string;
  /** x264 preset: `veryfast` by default; tests use `ultrafast`. */
  readonly preset?: string;
  /** Where the input and outputs are staged while ffmpeg works. Default: the OS temp dir. */
  readonly workDir?: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = { mp4: 'video/mp4', jpg: 'image/jpeg' };
/** MediaConvert numbers frame captures from 0, zero-padded to 7 digits. */
const CAPTURE_DIGITS = 7;

interface Probe {
  readonly width: number;
  readonly height: number;
  readonly durationInMs?: number;
}

/** Transfer characteristics of HDR video, as ffprobe (and zscale) name them: HLG, PQ. */
const HDR_TRANSFERS = new Set(['arib-std-b67', 'smpte2084']);

/**
 * The local stand-in for AWS Elemental MediaConvert: reads the same `CreateJob` `Settings` the
 * domain builds for AWS (`buildTranscodeSettings`), runs `ffmpeg` on them and writes
 * every output through the {@link ObjectStore} at the key MediaConvert would use (destination +
 * name modifier (+ the 7-digit counter of a frame capture) + `.` extension). Resolves with a
 * `createJob.sync`-shaped `{ Job: { Id, Status: 'COMPLETE', OutputGroupDetails } }`.
 *
 * Supported: one input; file groups of MP4 (H.264 + AAC, `FIT_NO_UPSCALE` into Width × Height)
 * and frame captures (the first frame, then one every Denominator/Numerator seconds, numbered as
 * MediaConvert numbers them); `VideoSelector.Rotate` (`AUTO` or `DEGREE_0`); `FORCE_709`
 * (HLG and PQ tone-mapped, outputs tagged BT.709); QVBR as a CRF capped at `MaxBitrate`
 * ({@link rateControl}). Any other setting or value is refused before ffmpeg runs
 * (`honoured-settings.ts`), so a local run never passes on a setting it would ignore.
 *
 * @throws {TranscodeJobFailedError} when the job has a setting the stand-in cannot honour,
 *   `ffmpeg` or `ffprobe` cannot be found, the input is missing, or ffmpeg cannot transcode it
 *   (the pipeline reports `TRANSCODE_FAILED`).
 * @example
 * const transcoder = new FfmpegTranscoder(store, { bucket: 'toq-listing-medias' });
 * const { Job } = await transcoder.transcode(buildTranscodeSettings(item, 'toq-listing-medias'));
 */
export class FfmpegTranscoder implements VideoTranscoder {
  private readonly ffmpeg: string;
  private readonly ffprobe: string;

  constructor(
    private readonly store: ObjectStore,
    private readonly options: FfmpegTranscoderOptions,
  ) {
    const located = options.ffmpegPath && options.ffprobePath ? undefined : locateFfmpeg();
    this.ffmpeg = options.ffmpegPath ?? located?.ffmpeg.path ?? 'ffmpeg';
    this.ffprobe = options.ffprobePath ?? located?.ffprobe.path ?? 'ffprobe';
  }

  async transcode(settings: TranscodeSettings): Promise<TranscodeJobResult> {
    const unhonoured = unhonouredSettings(settings);
    if (unhonoured.length > 0) {
      throw new TranscodeJobFailedError(
        `The local MediaConvert stand-in cannot honour ${unhonoured.join('; ')}: teach it (packages/local/src/ffmpeg-transcoder.ts, honoured-settings.ts) before the job uses them`,
      );
    }
    const [input, ...others] = settings.Inputs;
    if (input === undefined || others.length > 0) {
      throw new TranscodeJobFailedError(
        `Expected exactly one input, received ${settings.Inputs.length}`,
      );
    }
    const inputKey = this.keyOf(input.FileInput);
    const dir = await mkdtemp(join(this.options.workDir ?? tmpdir(), 'toq-transcode-'));
    try {
      const source = join(dir, `input${posix.extname(inputKey)}`);
      await this.download(inputKey, source);
      const transfer = await this.sourceTransfer(source, new Map([[source, inputKey]]));
      const job: JobInput = {
        source,
        ...(transfer === undefined ? {} : { transfer }),
        autorotate: input.VideoSelector?.Rotate !== 'DEGREE_0',
        preset: this.options.preset ?? 'veryfast',
      };
      const groups: OutputGroupDetail[] = [];
      for (const [g, group] of settings.OutputGroups.entries()) {
        const destination = group.OutputGroupSettings.FileGroupSettings.Destination;
        const outputs = [];
        for (const [o, output] of group.Outputs.entries()) {
          const captures = isFrameCapture(output);
          // A frame capture writes numbered files, as MediaConvert numbers its captures.
          const pattern = join(
            dir,
            `output-${g}-${o}${captures ? `.%0${CAPTURE_DIGITS}d` : ''}.${output.Extension}`,
          );
          const files = captures ? [] : [pattern];
          const keyOfFile = (file: string, index?: number) =>
            [file, outputKey(this.keyOf(destination), inputKey, output, index)] as const;
          // ffmpeg names the files it works on: a failure reports their keys, as MediaConvert would.
          const keys = new Map([[source, inputKey], keyOfFile(pattern, 0)]);
          await this.run(this.ffmpeg, ffmpegArguments(job, pattern, output), keys);
          if (captures) files.push(...(await capturedFiles(dir, `output-${g}-${o}.`)));
          const [first] = files;
          if (first === undefined) {
            throw new TranscodeJobFailedError(`ffmpeg captured no frame from ${inputKey}`);
          }
          const probe = await this.probe(first, keys);
          for (const [index, file] of files.entries()) {
            const [, key] = keyOfFile(file, captures ? index : undefined);
            await this.store.putStream(key, createReadStream(file), {
              contentType: CONTENT_TYPES[output.Extension] ?? 'application/octet-stream',
            });
          }
          outputs.push({
            ...(probe.durationInMs === undefined ? {} : { DurationInMs: probe.durationInMs }),
            VideoDetails: { WidthInPx: probe.width, HeightInPx: probe.height },
          });
        }
        groups.push({ Type: 'FILE_GROUP', OutputDetails: outputs });
      }
      return {
        Job: { Id: `local-${randomUUID()}`, Status: 'COMPLETE', OutputGroupDetails: groups },
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The key of an `s3://{bucket}/{key}` URL of this stand-in's bucket. */
  private keyOf(url: string): string {
    const prefix = `s3://${this.options.bucket}/`;
    if (!url.startsWith(prefix) || url.length === prefix.length) {
      throw new TranscodeJobFailedError(
        `Expected an s3:// URL in bucket "${this.options.bucket}", received "${url}"`,
      );
    }
    return url.slice(prefix.length);
  }

  private async download(key: string, file: string): Promise<void> {
    try {
      await pipeline(await this.store.getStream(key), createWriteStream(file));
    } catch (error) {
      if (error instanceof ObjectNotFoundError) {
        throw new TranscodeJobFailedError(`No input video at "${key}"`, { cause: error });
      }
      throw error;
    }
  }

  /**
   * The transfer characteristics of the source's first video stream (HDR ones are tone-mapped);
   * none when ffprobe cannot read it (ffmpeg then fails the job in its own words).
   */
  private async sourceTransfer(
    source: string,
    keys: ReadonlyMap<string, string>,
  ): Promise<string | undefined> {
    const json = await this.run(
      this.ffprobe,
      [
        ...['-v', 'error', '-select_streams', 'v:0', '-of', 'json'],
        ...['-show_entries', 'stream=color_transfer', source],
      ],
      keys,
    ).catch((error: unknown) => {
      if (error instanceof TranscodeJobFailedError) return '{}';
      throw error;
    });
    const [stream] =
      (JSON.parse(json) as { streams?: { color_transfer?: string }[] }).streams ?? [];
    return stream?.color_transfer;
  }

  private async probe(file: string, keys: ReadonlyMap<string, string>): Promise<Probe> {
    const json = await this.run(
      this.ffprobe,
      [
        ...['-v', 'error', '-select_streams', 'v:0', '-of', 'json'],
        ...['-show_entries', 'stream=width,height:format=duration', file],
      ],
      keys,
    );
    const parsed = JSON.parse(json) as {
      streams?: { width?: number; height?: number }[];
      format?: { duration?: string };
    };
    const stream = parsed.streams?.[0];
    if (stream?.width === undefined || stream.height === undefined) {
      throw new TranscodeJobFailedError(
        `ffprobe found no video stream in ${keys.get(file) ?? file}`,
      );
    }
    const seconds = Number(parsed.format?.duration);
    return {
      width: stream.width,
      height: stream.height,
      ...(Number.isFinite(seconds) ? { durationInMs: Math.round(seconds * 1000) } : {}),
    };
  }

  /**
   * Runs a program to completion and resolves with its standard output. On failure the error
   * quotes its last lines of standard error, each staged file named by its key in `keys`.
   */
  private run(
    program: string,
    args: readonly string[],
    keys: ReadonlyMap<string, string> = new Map(),
  ): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const stdout: Buffer[] = [];
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-4000);
      });
      child.on('error', (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'ENOENT'
            ? new TranscodeJobFailedError(
                `${program} was not found: npm ships ffmpeg and ffprobe for Linux, macOS and Windows on x64 and arm64 (run npm ci), elsewhere put both on the PATH`,
                { cause: error },
              )
            : error,
        );
      });
      child.on('close', (code) => {
        if (code === 0) resolve(Buffer.concat(stdout).toString());
        else {
          reject(
            new TranscodeJobFailedError(
              `${posix.basename(program)} exited with code ${code}: ${withKeys(lastLines(stderr), keys)}`,
            ),
          );
        }
      });
    });
  }
}

/** The last three lines ffmpeg wrote, on one line: where it says why it stopped. */
function lastLines(stderr: string): string {
  return stderr.trim().split(/\r?\n/).slice(-3).join(' | ');
}

/**
 * `text` with each staged file's path replaced by its key, and ffmpeg's log context pointers
 * (`[mov,mp4,… @ 0x55d0c2a0]`) reduced to the component's name: nothing of this machine is left
 * in a reason that reaches `result.json` and the webhook.
 */
function withKeys(text: string, keys: ReadonlyMap<string, string>): string {
  let published = text.replace(/ @ 0x[0-9a-f]+\]/g, ']');
  for (const [path, key] of keys) published = published.split(path).join(key);
  return published;
}

/**
 * The key MediaConvert writes an output to: the destination (a trailing `/` takes the input's
 * base name), the name modifier, the capture's 7-digit counter for a frame capture (`index`, 0 by
 * default), then the extension.
 */
export function outputKey(
  destinationKey: string,
  inputKey: string,
  output: TranscodeOutput,
  index = 0,
): string {
  const base = destinationKey.endsWith('/')
    ? destinationKey + posix.basename(inputKey, posix.extname(inputKey))
    : destinationKey;
  const counter = isFrameCapture(output) ? `.${String(index).padStart(CAPTURE_DIGITS, '0')}` : '';
  return `${base}${output.NameModifier ?? ''}${counter}.${output.Extension}`;
}

function isFrameCapture(output: TranscodeOutput): boolean {
  return output.VideoDescription.CodecSettings.Codec === 'FRAME_CAPTURE';
}

/** The numbered files ffmpeg captured in `dir` whose names start with `prefix`, in order. */
async function capturedFiles(dir: string, prefix: string): Promise<string[]> {
  return (await readdir(dir))
    .filter((name) => name.startsWith(prefix))
    .sort()
    .map((name) => join(dir, name));
}

/** What every output of one job shares: the staged source and how to read it. */
interface JobInput {
  readonly source: string;
  /** The source's transfer characteristics, as ffprobe names them. */
  readonly transfer?: string;
  /** `VideoSelector.Rotate`: `AUTO` follows the source's rotation; `DEGREE_0` ignores it. */
  readonly autorotate: boolean;
  /** x264 preset. */
  readonly preset: string;
}

/**
 * `FIT_NO_UPSCALE` into the box: shrink to fit, never enlarge, even dimensions for 4:2:0. Written
 * as plain expressions (not `force_divisible_by`, ffmpeg 4.3+) so the npm-shipped 4.1 build runs it.
 */
function scaleFilter(output: TranscodeOutput): string[] {
  const { Width, Height } = output.VideoDescription;
  if (Width === undefined && Height === undefined) return [];
  const factors = [
    '1',
    ...(Width === undefined ? [] : [`${Width}/iw`]),
    ...(Height === undefined ? [] : [`${Height}/ih`]),
  ];
  const factor = factors.reduce((inner, next) => `min(${inner}\\,${next})`);
  const even = (side: string) => `trunc(${side}*${factor}/2)*2`;
  return [`scale=w=${even('iw')}:h=${even('ih')}`];
}

/**
 * HDR mastering as BT.2408 describes it: diffuse white at 203 cd/m², highlights up to the
 * 1,000 cd/m² of HLG's nominal display (PQ sources without metadata are taken the same): the
 * tone curve keeps everything up to half of white linear and rolls off the highlights above.
 */
const REFERENCE_WHITE_NITS = 203;
const HIGHLIGHT_PEAK = (1000 / REFERENCE_WHITE_NITS).toFixed(2);

/**
 * `ColorSpaceConversion: FORCE_709` on an HDR (HLG or PQ) source: to linear light with BT.709
 * primaries, Möbius tone mapping (linear to half of white, highlights rolled off, saturation
 * kept), then BT.709 transfer and matrix in limited range. MediaConvert's own tone mapper is not
 * published: measured on generated clips, this lands within 5 % of an SDR reference's brightness
 * and 80 % of its saturation. SDR sources pass unchanged.
 */
function toneMapFilter(job: JobInput, output: TranscodeOutput): string[] {
  const conversion =
    output.VideoDescription.VideoPreprocessors?.ColorCorrector.ColorSpaceConversion;
  const transfer = job.transfer;
  if (conversion !== 'FORCE_709' || transfer === undefined || !HDR_TRANSFERS.has(transfer)) {
    return [];
  }
  return [
    `zscale=tin=${transfer}:pin=bt2020:min=bt2020nc:rin=tv:t=linear:npl=${REFERENCE_WHITE_NITS}:p=bt709`,
    'format=gbrpf32le',
    `tonemap=tonemap=mobius:param=0.5:peak=${HIGHLIGHT_PEAK}:desat=0`,
    'zscale=tin=linear:pin=bt709:t=bt709:m=bt709:r=tv',
    'format=yuv420p',
  ];
}

/** The output's colour tags: BT.709 when the job converts to it. */
function colourTags(output: TranscodeOutput): string[] {
  return output.VideoDescription.VideoPreprocessors?.ColorCorrector.ColorSpaceConversion ===
    'FORCE_709'
    ? ['-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709']
    : [];
}

function ffmpegArguments(job: JobInput, target: string, output: TranscodeOutput): string[] {
  const common = [
    ...['-hide_banner', '-nostdin', '-y'],
    ...(job.autorotate ? [] : ['-noautorotate']),
    ...['-i', job.source, '-map_metadata', '-1'],
    // DEGREE_0 ignores the source's rotation: the output carries none either.
    ...(job.autorotate ? [] : ['-metadata:s:v:0', 'rotate=0']),
  ];
  const codec = output.VideoDescription.CodecSettings;
  if (codec.Codec === 'FRAME_CAPTURE') {
    const { Quality, FramerateNumerator, FramerateDenominator, MaxCaptures } =
      codec.FrameCaptureSettings;
    const qscale = Math.max(2, Math.min(31, Math.round(((100 - Quality) / 100) * 31)));
    // MediaConvert captures the first frame, then one every Denominator/Numerator seconds.
    const interval = FramerateDenominator / FramerateNumerator;
    const every = `select=isnan(prev_selected_t)+gte(t-prev_selected_t\\,${interval})`;
    const filters = [...toneMapFilter(job, output), every, ...scaleFilter(output)];
    return [
      ...common,
      ...['-map', '0:v:0', '-vf', filters.join(','), '-vsync', 'vfr'],
      ...['-frames:v', String(MaxCaptures), '-q:v', String(qscale)],
      ...['-start_number', '0', '-f', 'image2', target],
    ];
  }
  const h264 = codec.H264Settings;
  const audio = output.AudioDescriptions?.[0]?.CodecSettings.AacSettings;
  const filters = [...toneMapFilter(job, output), ...scaleFilter(output)];
  return [
    ...common,
    ...['-map', '0:v:0', '-map', '0:a:0?'],
    ...['-c:v', 'libx264', '-preset', job.preset, '-profile:v', h264.CodecProfile.toLowerCase()],
    ...(h264.SceneChangeDetect === 'DISABLED' ? ['-sc_threshold', '0'] : []),
    ...rateControl(h264.QvbrSettings.QvbrQualityLevel, h264.MaxBitrate),
    ...['-pix_fmt', 'yuv420p'],
    ...(filters.length > 0 ? ['-vf', filters.join(',')] : []),
    ...colourTags(output),
    ...(audio === undefined
      ? ['-an']
      : [
          '-c:a',
          'aac',
          '-b:a',
          String(audio.Bitrate),
          '-ac',
          '2',
          '-ar',
          String(audio.SampleRate),
        ]),
    ...['-movflags', '+faststart', '-f', 'mp4', target],
  ];
}

/**
 * QVBR as x264 can approximate it: a constant quality (CRF `51 - 4q`: level 7 → 23) whose peaks
 * are capped at `MaxBitrate` by a one-second VBV buffer that starts nearly empty, so that even a
 * few seconds of the hardest picture average under the cap, as MediaConvert's do (a two-second
 * buffer, starting 90 % full, let a 1080×1920 clip average 5.1 Mbps over a 5 Mbps cap, and 2 s of
 * noise 1.4 times it).
 */
function rateControl(qualityLevel: number, maxBitrate: number): string[] {
  return [
    ...['-crf', String(51 - 4 * qualityLevel)],
    ...['-maxrate', String(maxBitrate), '-bufsize', String(maxBitrate)],
    ...['-x264-params', 'vbv-init=0.1'],
  ];
}
