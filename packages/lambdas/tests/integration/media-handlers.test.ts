import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ItemFailure,
  PhotoRenditionsResult,
  VideoOutputsResult,
  parse,
  rawKey,
} from '@toq/contracts';
import { FsObjectStore } from '../../src/adapters/fs-object-store.ts';
import { locateFfmpeg } from '../../src/adapters/ffmpeg-binaries.ts';
import { FfmpegTranscoder } from '../../src/adapters/ffmpeg-transcoder.ts';
import { S3ObjectStore } from '../../src/adapters/s3-object-store.ts';
import { ThumbnailsRenderer } from '../../src/adapters/thumbnails-renderer.ts';
import { RENDITION_CACHE_CONTROL, renderPhoto } from '../../src/domain/render-media.ts';
import { createTestBucket, localS3Client } from '../setup/aws.ts';
import { silentLogger } from '../setup/fixtures.ts';
import { itemStateKey } from '../../src/domain/state-keys.ts';
import type { ItemOutcome } from '../../src/domain/render-media.ts';
import type { TranscodeSettings } from '../../src/ports/video-transcoder.ts';
import { SET_HEADERS_MAX_BYTES } from '../../src/ports/object-store.ts';
import { fixturePath } from '../../../../tools/testing/fixtures.ts';

const BUCKET = 'toq-listing-medias';
const ctx = {
  listingId: '4f8a2c1e-9b7d-4e3a-8c6f-1a2b3c4d5e6f',
  requestId: 'req-1',
  executionName: '4f8a2c1e-9b7d-4e3a-8c6f-1a2b3c4d5e6f_req-1',
};
const photoId = '0b7c1a52-1f0e-4c7e-9a51-6f6d2a7b9c10';
const brokenId = '1c8d2b63-2f1e-4d8f-8b62-7a7e3b8cad21';
const videoId = '2d9e3c74-3a2f-4e9a-9c73-8b8f4c9dbe32';

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
  root = await mkdtemp(join(tmpdir(), 'toq-media-handlers-'));
  store = new FsObjectStore(root);
  vi.stubEnv('MEDIA_BUCKET', BUCKET);
  vi.stubEnv('LOCAL_MEDIA_ROOT', root);
  vi.stubEnv('LOG_LEVEL', 'SILENT');
  ({ handler: thumbnails } = await import('../../src/handlers/thumbnails.ts'));
  ({ handler: transcode } = await import('../../src/handlers/transcode.ts'));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(root, { recursive: true, force: true });
});

describe('thumbnails handler, RenderPhoto', () => {
  it('writes four upright, metadata-free JPEG renditions and records them', async () => {
    // Prepare: a landscape photo stored with EXIF orientation 6 (rotated 90°)
    const raw = rawKey({
      listingId: ctx.listingId,
      mediaType: 'photo',
      mediaId: photoId,
      ext: 'jpg',
    });
    await store.put(raw, await readFile(fixturePath('exif-orientation', 'Landscape_6.jpg')), {
      contentType: 'image/jpeg',
    });

    // Act
    const outcome = await thumbnails({ ctx, mediaType: 'photo', mediaId: photoId, ext: 'jpg' });

    // Assess
    expect(outcome).toEqual({ mediaId: photoId, status: 'succeeded' });
    const result = parse(PhotoRenditionsResult, await record(photoId));
    expect(result.source).toMatchObject({ width: 1800, height: 1200 });
    expect(result.renditions.map((r) => [r.size, r.width, r.height, r.key])).toEqual(
      (
        [
          ['thumbnail', 200, 133],
          ['small', 400, 267],
          ['medium', 800, 533],
          ['large', 1200, 800],
        ] as const
      ).map(([size, w, h]) => [
        size,
        w,
        h,
        `${ctx.listingId}/processed/photo/${size}/${photoId}.jpg`,
      ]),
    );
    for (const rendition of result.renditions) {
      const bytes = await store.getBuffer(rendition.key);
      const meta = await sharp(bytes).metadata();
      expect([meta.format, meta.width, meta.height, meta.orientation, meta.exif]).toEqual([
        'jpeg',
        rendition.width,
        rendition.height,
        undefined,
        undefined,
      ]);
      expect(rendition.bytes).toBe(bytes.length);
      expect((await store.head(rendition.key))?.contentType).toBe('image/jpeg');
    }
  });

  it('records a photo that cannot be decoded as a failed item and returns normally', async () => {
    // Prepare: a truncated JPEG
    const whole = await readFile(fixturePath('exif-orientation', 'Landscape_1.jpg'));
    const raw = rawKey({
      listingId: ctx.listingId,
      mediaType: 'photo',
      mediaId: brokenId,
      ext: 'jpg',
    });
    await store.put(raw, whole.subarray(0, 400), { contentType: 'image/jpeg' });

    // Act
    const outcome = await thumbnails({ ctx, mediaType: 'photo', mediaId: brokenId, ext: 'jpg' });

    // Assess
    expect(outcome).toEqual({ mediaId: brokenId, status: 'failed' });
    const failure = parse(ItemFailure, await record(brokenId));
    expect(failure.error.code).toBe('CORRUPT_IMAGE');
    expect(
      await store.head(`${ctx.listingId}/processed/photo/large/${brokenId}.jpg`),
    ).toBeUndefined();
  });

  it('records a missing raw object as OBJECT_NOT_FOUND', async () => {
    const missingId = '3eaf4d85-4b3a-4fab-8d84-9c9a5dadcf43';

    const outcome = await thumbnails({ ctx, mediaType: 'photo', mediaId: missingId, ext: 'png' });

    expect(outcome).toEqual({ mediaId: missingId, status: 'failed' });
    expect(parse(ItemFailure, await record(missingId)).error.code).toBe('OBJECT_NOT_FOUND');
  });

  it('rejects a malformed payload with InvalidRequestError (never retried)', async () => {
    await expect(
      thumbnails({ ctx, mediaType: 'photo', mediaId: '../etc', ext: 'jpg' }),
    ).rejects.toMatchObject({
      name: 'InvalidRequestError',
      message: expect.stringMatching(/mediaId/),
    });
  });
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
    })) as ItemOutcome;

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
    await import('node:fs/promises').then(async (fs) =>
      fs.writeFile(written, await store.getBuffer(mp4?.key ?? '')),
    );
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

    // Assess: the MP4 is 1200 wide, the frame capture full size
    const [mp4, frame] = Job.OutputGroupDetails.map(
      (group) => group.OutputDetails?.[0]?.VideoDetails,
    );
    expect(mp4).toEqual({ WidthInPx: 1200, HeightInPx: 674 });
    expect(frame).toEqual({ WidthInPx: 1600, HeightInPx: 900 });
  });

  it('fails with TranscoderUnavailableError when ffmpeg is not installed', async () => {
    const settings = await prepareTranscode(videoId, 'mp4');
    const transcoder = new FfmpegTranscoder(store, {
      bucket: BUCKET,
      ffmpegPath: join(root, 'no-ffmpeg'),
    });

    await expect(transcoder.transcode(settings)).rejects.toMatchObject({
      name: 'TranscoderUnavailableError',
      message: expect.stringContaining('no-ffmpeg was not found'),
    });
  });

  it('fails with TranscodeFailedError when the input is not a video', async () => {
    const junkId = '5ac16fa7-6d5c-4bcd-8fa6-bebc7fcfe165';
    const settings = await prepareTranscode(junkId, 'mov', Buffer.from('not a video at all'));

    await expect(
      new FfmpegTranscoder(store, { bucket: BUCKET }).transcode(settings),
    ).rejects.toMatchObject({ name: 'TranscodeFailedError' });
  });
});

describe('renderPhoto on S3 (fauxqs, default checksums)', () => {
  it('writes each rendition with its Content-Type and an immutable, year-long Cache-Control', async () => {
    // Prepare
    const client = localS3Client();
    const bucket = await createTestBucket(client);
    const s3 = new S3ObjectStore(client, bucket);
    const raw = rawKey({
      listingId: ctx.listingId,
      mediaType: 'photo',
      mediaId: photoId,
      ext: 'png',
    });
    const png = await sharp({
      create: {
        width: 500,
        height: 300,
        channels: 4,
        background: { r: 0, g: 128, b: 255, alpha: 0.5 },
      },
    })
      .png()
      .toBuffer();
    await s3.put(raw, png, { contentType: 'image/png' });

    // Act
    const outcome = await renderPhoto(
      { ctx, mediaType: 'photo', mediaId: photoId, ext: 'png' },
      { store: s3, renderer: new ThumbnailsRenderer(), logger: silentLogger },
    );

    // Assess: a transparent PNG keeps PNG renditions
    expect(outcome.status).toBe('succeeded');
    const heads = await Promise.all(
      (['thumbnail', 'small', 'medium', 'large'] as const).map((size) =>
        client.send(
          new HeadObjectCommand({
            Bucket: bucket,
            Key: `${ctx.listingId}/processed/photo/${size}/${photoId}.png`,
          }),
        ),
      ),
    );
    for (const head of heads) {
      expect([head.ContentType, head.CacheControl]).toEqual([
        'image/png',
        'public, max-age=31536000, immutable',
      ]);
    }
  });
});
