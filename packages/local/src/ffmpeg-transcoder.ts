import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
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
const FIRST_CAPTURE = '.0000000';

interface Probe {
  readonly width: number;
  readonly height: number;
  readonly durationInMs?: number;
}

/**
 * The local stand-in for AWS Elemental MediaConvert: reads the same `CreateJob` `Settings` the
 * domain builds for AWS (`buildTranscodeSettings`), runs `ffmpeg` on them and writes
 * every output through the {@link ObjectStore} at the key MediaConvert would use (destination +
 * name modifier (+ `.0000000` for a frame capture) + `.` extension). Resolves with a
 * `createJob.sync`-shaped `{ Job: { Id, Status: 'COMPLETE', OutputGroupDetails } }`.
 *
 * Supported: one input; file groups of MP4 (H.264 + AAC, `FIT_NO_UPSCALE` into Width × Height)
 * and frame captures (the first frame as JPEG). QVBR level `q` maps to x264 CRF `51 - 4q`.
 *
 * @throws {TranscodeJobFailedError} when `ffmpeg` or `ffprobe` cannot be found, the input is
 *   missing, or ffmpeg cannot transcode it (the pipeline reports `TRANSCODE_FAILED`).
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
      const groups: OutputGroupDetail[] = [];
      for (const [g, group] of settings.OutputGroups.entries()) {
        const destination = group.OutputGroupSettings.FileGroupSettings.Destination;
        const outputs = [];
        for (const [o, output] of group.Outputs.entries()) {
          const file = join(dir, `output-${g}-${o}.${output.Extension}`);
          const key = outputKey(this.keyOf(destination), inputKey, output);
          // ffmpeg names the files it works on: a failure reports their keys, as MediaConvert would.
          const keys = new Map([
            [source, inputKey],
            [file, key],
          ]);
          await this.run(
            this.ffmpeg,
            ffmpegArguments(source, file, output, this.options.preset),
            keys,
          );
          const probe = await this.probe(file, keys);
          await this.store.putStream(key, createReadStream(file), {
            contentType: CONTENT_TYPES[output.Extension] ?? 'application/octet-stream',
          });
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
 * base name), the name modifier, `.0000000` for a frame capture, then the extension.
 */
export function outputKey(
  destinationKey: string,
  inputKey: string,
  output: TranscodeOutput,
): string {
  const base = destinationKey.endsWith('/')
    ? destinationKey + posix.basename(inputKey, posix.extname(inputKey))
    : destinationKey;
  const counter =
    output.VideoDescription.CodecSettings.Codec === 'FRAME_CAPTURE' ? FIRST_CAPTURE : '';
  return `${base}${output.NameModifier ?? ''}${counter}.${output.Extension}`;
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
  return ['-vf', `scale=w=${even('iw')}:h=${even('ih')}`];
}

function ffmpegArguments(
  source: string,
  target: string,
  output: TranscodeOutput,
  preset = 'veryfast',
): string[] {
  const common = ['-hide_banner', '-nostdin', '-y', '-i', source, '-map_metadata', '-1'];
  const codec = output.VideoDescription.CodecSettings;
  if (codec.Codec === 'FRAME_CAPTURE') {
    const quality = codec.FrameCaptureSettings.Quality;
    const qscale = Math.max(2, Math.min(31, Math.round(((100 - quality) / 100) * 31)));
    return [
      ...common,
      ...['-map', '0:v:0', '-frames:v', '1', '-q:v', String(qscale)],
      ...scaleFilter(output),
      ...['-f', 'image2', target],
    ];
  }
  const h264 = codec.H264Settings;
  const audio = output.AudioDescriptions?.[0]?.CodecSettings.AacSettings;
  return [
    ...common,
    ...['-map', '0:v:0', '-map', '0:a:0?'],
    ...['-c:v', 'libx264', '-preset', preset, '-profile:v', h264.CodecProfile.toLowerCase()],
    ...['-crf', String(51 - 4 * h264.QvbrSettings.QvbrQualityLevel)],
    ...['-maxrate', String(h264.MaxBitrate), '-bufsize', String(2 * h264.MaxBitrate)],
    ...['-pix_fmt', 'yuv420p'],
    ...scaleFilter(output),
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
