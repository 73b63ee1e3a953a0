import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoOutputsResult, parse, rawKey } from '@toq/contracts';
import {
  FsObjectStore,
  RENDITION_CACHE_CONTROL,
  SET_HEADERS_MAX_BYTES,
  createThumbnailsHandler,
  createTranscodeHandler,
  itemStateKey,
  type Logger,
  type TranscodeSettings,
} from '@toq/lambdas';
import { ThumbnailsRenderer } from '@toq/lambdas/renderer';
import { locateFfmpeg } from '../../src/ffmpeg-binaries.ts';
import { FfmpegTranscoder } from '../../src/ffmpeg-transcoder.ts';
import { unhonouredSettings } from '../../src/honoured-settings.ts';

/**
 * The video branch as a local run wires it: PrepareTranscode (the `transcode` function), the
 * ffmpeg stand-in for MediaConvert on the job it built, then FinishVideo (the `thumbnails`
 * function) on the job's result.
 */

const BUCKET = 'toq-listing-medias';
const ctx = {
  listingId: '4f8a2c1e-9b7d-4e3a-8c6f-1a2b3c4d5e6f',
  requestId: 'req-1',
  executionName: '4f8a2c1e-9b7d-4e3a-8c6f-1a2b3c4d5e6f_req-1',
};
const videoId = '2d9e3c74-3a2f-4e9a-9c73-8b8f4c9dbe32';
const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

type Handler = (event: unknown) => Promise<unknown>;
const { ffmpeg, ffprobe } = locateFfmpeg();
let root: string;
let store: FsObjectStore;
let thumbnails: Handler;
let transcode: Handler;

/** A tiny generated clip: testsrc pattern and a sine tone, H.264/AAC, ultrafast. */
function makeClip(file: string, size: string, seconds: number): void {
  execFileSync(ffmpeg.path, [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc=size=${size}:rate=25:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`],
    ...[
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-shortest',
      file,
    ],
  ]);
}

function probe(file: string) {
  return JSON.parse(
    execFileSync(
      ffprobe.path,
      ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file],
      {
        encoding: 'utf8',
      },
    ),
  ) as {
    streams: { codec_type: string; codec_name: string; width?: number; height?: number }[];
    format: { duration: string };
  };
}

async function record(mediaId: string): Promise<unknown> {
  return JSON.parse((await store.getBuffer(itemStateKey(ctx, mediaId))).toString());
}

/**
 * Stores `body` (when given) as the raw video `mediaId` and returns what the transcode handler
 * (`PrepareTranscode`) builds for it: the MediaConvert job's settings.
 */
async function prepareTranscode(
  mediaId: string,
  ext: 'mp4' | 'mov',
  body?: Buffer,
): Promise<TranscodeSettings> {
  if (body) {
    const raw = rawKey({ listingId: ctx.listingId, mediaType: 'video', mediaId, ext });
    await store.put(raw, body, { contentType: ext === 'mp4' ? 'video/mp4' : 'video/quicktime' });
  }
  const prepared = (await transcode({ ctx, mediaType: 'video', mediaId, ext })) as {
    settings: TranscodeSettings;
  };
  return prepared.settings;
}

/**
 * A generated clip (`size`, `seconds`) uploaded as the raw video `mediaId`, through
 * PrepareTranscode and the ffmpeg stand-in: the finished job, as Step Functions passes it on.
 */
async function transcodedClip(mediaId: string, size: string, seconds: number) {
  const clip = join(root, `${mediaId}.mp4`);
  makeClip(clip, size, seconds);
  const settings = await prepareTranscode(mediaId, 'mp4', await readFile(clip));
  const transcoder = new FfmpegTranscoder(store, { bucket: BUCKET, preset: 'ultrafast' });
  return (await transcoder.transcode(settings)).Job;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'toq-video-branch-'));
  store = new FsObjectStore(root);
  const logger = () => silent;
  thumbnails = createThumbnailsHandler({ store, renderer: new ThumbnailsRenderer(), logger });
  transcode = createTranscodeHandler({ bucket: BUCKET, logger });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('video branch: PrepareTranscode → ffmpeg stand-in → FinishVideo', () => {
  it('writes the MP4 at large, four JPEG posters from the captured frame, and records them', async () => {
    // Act: a 2 s 320x240 clip uploaded as the raw video, transcoded, then finished
    const Job = await transcodedClip(videoId, '320x240', 2);
    const mp4Key = `${ctx.listingId}/processed/video/large/${videoId}.mp4`;
    const transcoded = await store.head(mp4Key);
    const outcome = (await thumbnails({
      ctx,
      mediaType: 'video',
      mediaId: videoId,
      ext: 'mp4',
      transcode: { jobId: Job.Id, outputGroupDetails: Job.OutputGroupDetails },
    })) as { mediaId: string; status: string };

    // Assess
    expect(Job.Status).toBe('COMPLETE');
    expect(outcome).toEqual({ mediaId: videoId, status: 'succeeded' });
    const result = parse(VideoOutputsResult, await record(videoId));
    expect(result.durationSeconds).toBeCloseTo(2, 0);
    expect(result.renditions.map((r) => [r.size, r.ext, r.width, r.height])).toEqual([
      ['thumbnail', 'jpg', 200, 150],
      ['small', 'jpg', 320, 240],
      ['medium', 'jpg', 320, 240],
      ['large', 'jpg', 320, 240],
      ['large', 'mp4', 320, 240],
    ]);
    const mp4 = result.renditions[4];
    expect(mp4?.key).toBe(mp4Key);
    // The transcoder wrote it without a Cache-Control (as MediaConvert does); FinishVideo set one.
    expect(transcoded?.cacheControl).toBeUndefined();
    expect(await store.head(mp4Key)).toMatchObject({
      size: transcoded?.size,
      contentType: 'video/mp4',
      cacheControl: RENDITION_CACHE_CONTROL,
    });
    const written = join(root, 'written.mp4');
    await writeFile(written, await store.getBuffer(mp4?.key ?? ''));
    const streams = probe(written).streams.map((s) => [
      s.codec_type,
      s.codec_name,
      s.width,
      s.height,
    ]);
    expect(streams).toEqual([
      ['video', 'h264', 320, 240],
      ['audio', 'aac', undefined, undefined],
    ]);
    const poster = await sharp(await store.getBuffer(result.renditions[0]?.key ?? '')).metadata();
    expect([poster.format, poster.width, poster.height]).toEqual(['jpeg', 200, 150]);
  });

  it('leaves an MP4 larger than S3 can copy in one request as written, and still records it', async () => {
    // Prepare: a transcoded clip whose MP4 then grows (sparsely) past SET_HEADERS_MAX_BYTES
    const bigId = '6bd27fb8-1e2d-4cde-9a07-cfcd8adf0277';
    const Job = await transcodedClip(bigId, '320x240', 1);
    const mp4Key = `${ctx.listingId}/processed/video/large/${bigId}.mp4`;
    await truncate(join(root, ...mp4Key.split('/')), SET_HEADERS_MAX_BYTES + 1);

    // Act
    const outcome = await thumbnails({
      ctx,
      mediaType: 'video',
      mediaId: bigId,
      ext: 'mp4',
      transcode: { jobId: Job.Id, outputGroupDetails: Job.OutputGroupDetails },
    });

    // Assess
    expect(outcome).toEqual({ mediaId: bigId, status: 'succeeded' });
    const result = parse(VideoOutputsResult, await record(bigId));
    expect(result.renditions[4]).toMatchObject({ key: mp4Key, bytes: SET_HEADERS_MAX_BYTES + 1 });
    expect((await store.head(mp4Key))?.cacheControl).toBeUndefined();
  });

  it("keeps a tall video's own width: the height bound is MediaConvert's portrait limit, not 2 × 1200", async () => {
    // Act: 1000 × 3000 (1:3), taller than a 1200 × 2400 box would let through at its width
    const Job = await transcodedClip('8d3c6a1e-5b2f-4c7d-9e8a-1f2b3c4d5e60', '1000x3000', 1);

    // Assess
    const [mp4] = Job.OutputGroupDetails.map((group) => group.OutputDetails?.[0]?.VideoDetails);
    expect(mp4).toEqual({ WidthInPx: 1000, HeightInPx: 3000 });
  });

  it('fits a wider video into 1200 px without changing its aspect ratio', async () => {
    // Act
    const Job = await transcodedClip('4fb05e96-5c4b-4abc-9e95-adab6ebed054', '1600x900', 1);

    // Assess: the MP4 is 1200 wide (675 rounded to even), the frame capture fitted alike
    const [mp4, frame] = Job.OutputGroupDetails.map(
      (group) => group.OutputDetails?.[0]?.VideoDetails,
    );
    expect(mp4).toEqual({ WidthInPx: 1200, HeightInPx: 674 });
    expect(frame).toEqual(mp4);
  });

  it('fails the job as Step Functions reports a failed one when ffmpeg is missing', async () => {
    const settings = await prepareTranscode(videoId, 'mp4');
    const transcoder = new FfmpegTranscoder(store, {
      bucket: BUCKET,
      ffmpegPath: join(root, 'no-ffmpeg'),
    });

    await expect(transcoder.transcode(settings)).rejects.toMatchObject({
      name: 'States.TaskFailed',
      message: expect.stringContaining('no-ffmpeg was not found'),
    });
  });

  it("fails the job, with ffmpeg's reason, when the input is not a video", async () => {
    const junkId = '5ac16fa7-6d5c-4bcd-8fa6-bebc7fcfe165';
    const settings = await prepareTranscode(junkId, 'mov', Buffer.from('not a video at all'));

    await expect(
      new FfmpegTranscoder(store, { bucket: BUCKET }).transcode(settings),
    ).rejects.toMatchObject({
      name: 'States.TaskFailed',
      message: expect.stringMatching(/ffmpeg exited/),
    });
  });
});

describe('the ffmpeg stand-in honours the job, or refuses it', () => {
  const transcoder = () => new FfmpegTranscoder(store, { bucket: BUCKET, preset: 'ultrafast' });
  const mp4Size = (settings: TranscodeSettings) => {
    const destination = settings.OutputGroups[0]?.OutputGroupSettings.FileGroupSettings.Destination;
    return probe(
      join(root, ...`${destination?.slice(`s3://${BUCKET}/`.length)}.mp4`.split('/')),
    ).streams.find((stream) => stream.codec_type === 'video');
  };

  it('honours every setting the pipeline puts in its job', async () => {
    const settings = await prepareTranscode('6b1f0c2e-8d4a-4b7e-9f3c-2a5d7e9b1c40', 'mov');

    expect(unhonouredSettings(settings)).toEqual([]);
  });

  it('refuses a job with a setting or value it would ignore, naming it', async () => {
    const settings = await prepareTranscode('7c2a1d3f-9e5b-4c8f-8a4d-3b6e8f0c2d51', 'mov');
    const [input] = settings.Inputs;
    const [mp4Group] = settings.OutputGroups;
    const [mp4] = mp4Group?.Outputs ?? [];
    if (input === undefined || mp4Group === undefined || mp4 === undefined)
      throw new Error('no MP4');
    const more: TranscodeSettings = {
      ...settings,
      Inputs: [{ ...input, VideoSelector: { Rotate: 'DEGREE_90' } as never }],
      OutputGroups: [
        {
          ...mp4Group,
          Outputs: [{ ...mp4, VideoDescription: { ...mp4.VideoDescription, Sharpness: 50 } }],
        },
        ...settings.OutputGroups.slice(1),
      ],
    };

    await expect(transcoder().transcode(more)).rejects.toMatchObject({
      name: 'States.TaskFailed',
      message: expect.stringContaining(
        'cannot honour Inputs[].VideoSelector.Rotate = "DEGREE_90"; OutputGroups[].Outputs[].VideoDescription.Sharpness = 50',
      ),
    });
  });

  it('follows VideoSelector.Rotate: AUTO applies the source rotation, DEGREE_0 ignores it', async () => {
    // Prepare: a 320×240 clip a phone recorded turned, with a 90° rotation in its header
    const mediaId = '8d3b2e4a-0f6c-4d9a-9b5e-4c7f9a1d3e62';
    const clip = join(root, 'upright.mp4');
    const rotated = join(root, 'rotated.mov');
    makeClip(clip, '320x240', 1);
    execFileSync(ffmpeg.path, [
      ...['-hide_banner', '-loglevel', 'error', '-y', '-i', clip],
      ...['-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated],
    ]);
    const auto = await prepareTranscode(mediaId, 'mov', await readFile(rotated));
    const [input] = auto.Inputs;
    if (input === undefined) throw new Error('no input');
    const degree0 = {
      ...auto,
      Inputs: [{ ...input, VideoSelector: { Rotate: 'DEGREE_0' as const } }],
    };

    // Act / Assess
    await transcoder().transcode(auto);
    expect(mp4Size(auto)).toMatchObject({ width: 240, height: 320 });
    await transcoder().transcode(degree0);
    expect(mp4Size(degree0)).toMatchObject({ width: 320, height: 240 });
  });

  it("caps QVBR's peaks at MaxBitrate: even noise, the hardest picture, averages under it", async () => {
    // Prepare: 2 s of full-frame noise, and a cap low enough for a small picture to hit it
    const mediaId = '9e4c3f5b-1a7d-4eab-8c6f-5d8a0b2e4f73';
    const noise = join(root, 'noise.mp4');
    execFileSync(ffmpeg.path, [
      ...['-hide_banner', '-loglevel', 'error', '-y'],
      ...['-f', 'lavfi', '-i', 'nullsrc=size=320x240:rate=25:duration=2,geq=random(1)*255:128:128'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-pix_fmt', 'yuv420p', noise],
    ]);
    const settings = await prepareTranscode(mediaId, 'mp4', await readFile(noise));
    const cap = 400_000;
    const capped = JSON.parse(
      JSON.stringify(settings).replace('"MaxBitrate":5000000', `"MaxBitrate":${cap}`),
    ) as TranscodeSettings;

    // Act
    await transcoder().transcode(capped);

    // Assess
    const video = mp4Size(capped) as { bit_rate?: string } | undefined;
    expect(Number(video?.bit_rate)).toBeGreaterThan(0.5 * cap);
    expect(Number(video?.bit_rate)).toBeLessThanOrEqual(1.05 * cap);
  });
});
