import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateFfmpeg } from '../../src/ffmpeg-binaries.ts';
import { runListing, type LocalRunReport } from '../../src/run-listing.ts';

/**
 * Videos through the whole local pipeline (`runListing`: queue, start, the deployed definition,
 * the ffmpeg stand-in for MediaConvert): what a fitted one measures.
 */

const LISTING_ID = '7c2e9a14-5d3b-4f6e-8a1c-9b0d2e4f6a81';
const { ffmpeg, ffprobe } = locateFfmpeg();
let root: string;
let report: LocalRunReport;

/**
 * A generated clip (testsrc and a tone, H.264/AAC); `moov` last, as ffmpeg writes by default,
 * unless `extra` says otherwise (`-movflags +faststart`).
 */
function makeClip(file: string, size: string, seconds: number, extra: string[] = []): void {
  execFileSync(ffmpeg.path, [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc=size=${size}:rate=25:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ...['-c:a', 'aac', '-shortest', ...extra, file],
  ]);
}

/**
 * A colourful SDR reference (testsrc2, BT.709-tagged H.264) and the same content mastered as HDR
 * the way a phone records it: HEVC 10-bit, BT.2020, HLG or PQ, diffuse white at 203 cd/m².
 */
/**
 * A whole clip (`moov` first, its duration declared) whose sample descriptions (`stsd`) are
 * overwritten: validate accepts it, and the decoder cannot even read its header.
 */
async function makeDamagedIndex(file: string): Promise<void> {
  makeClip(file, '320x240', 1, ['-movflags', '+faststart']);
  const bytes = await readFile(file);
  const stsd = bytes.indexOf('stsd', 0, 'latin1');
  bytes.fill(0xff, stsd + 4, stsd + 68);
  await writeFile(file, bytes);
}

function makeSdrReference(file: string): void {
  execFileSync(ffmpeg.path, [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=2'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ...['-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', file],
  ]);
}

function makeHdr(reference: string, file: string, transfer: 'arib-std-b67' | 'smpte2084'): void {
  execFileSync(ffmpeg.path, [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-i', reference],
    '-vf',
    `zscale=tin=bt709:pin=bt709:min=bt709:rin=tv:t=${transfer}:p=bt2020:m=bt2020nc:r=tv:npl=203,format=yuv420p10le`,
    ...['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error'],
    ...['-color_primaries', 'bt2020', '-color_trc', transfer, '-colorspace', 'bt2020nc'],
    ...['-tag:v', 'hvc1', file],
  ]);
}

/** A clip that fades in from black over its first second, as listing videos often open. */
function makeFadeIn(file: string): void {
  execFileSync(ffmpeg.path, [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=4'],
    ...['-vf', 'fade=t=in:st=0:d=1', '-c:v', 'libx264', '-preset', 'ultrafast'],
    ...['-pix_fmt', 'yuv420p', file],
  ]);
}

/** Mean luma (0–255) and saturation over every frame of a video (ffmpeg's signalstats). */
function pictureStats(file: string): { brightness: number; saturation: number } {
  const lines = execFileSync(
    ffmpeg.path,
    [
      '-hide_banner',
      '-nostats',
      '-i',
      file,
      '-vf',
      'signalstats,metadata=print:file=-',
      '-f',
      'null',
      '-',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  ).split('\n');
  const mean = (name: string) => {
    const values = lines
      .filter((line) => line.startsWith(`lavfi.signalstats.${name}=`))
      .map((line) => Number(line.split('=')[1]));
    return values.reduce((sum, value) => sum + value, 0) / values.length;
  };
  return { brightness: mean('YAVG'), saturation: mean('SATAVG') };
}

/** The first video stream's `entries` (ffprobe's `-show_entries stream=…`) in `file`. */
function probedVideoStream(file: string, entries: string): Record<string, string | number> {
  const json = execFileSync(
    ffprobe.path,
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      `stream=${entries}`,
      '-of',
      'json',
      file,
    ],
    { encoding: 'utf8' },
  );
  const [stream] = (JSON.parse(json) as { streams: Record<string, string | number>[] }).streams;
  if (stream === undefined) throw new Error(`ffprobe found no video stream in ${file}`);
  return stream;
}

/** Runs ffmpeg quietly with `args`. */
function ffmpegRun(...args: string[]): void {
  execFileSync(ffmpeg.path, ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

/**
 * The other kinds of video agents upload, small: an iPhone-style `.mov` with a 90° rotation in
 * its header and a GPS location, a silent half-second clip, a WebM (VP9), a variable frame rate
 * clip, a JPEG named `.mp4`.
 */
function makeKinds(folder: string): void {
  const upright = join(folder, '..', 'upright.mp4');
  makeClip(upright, '320x240', 1);
  ffmpegRun(
    ...['-i', upright, '-c', 'copy', '-metadata:s:v:0', 'rotate=90'],
    ...['-metadata', 'location=+48.8584+002.2945/', '-f', 'mov', join(folder, 'iphone.mov')],
  );
  ffmpegRun(
    ...['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=0.5'],
    ...[
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      join(folder, 'silent-short.mp4'),
    ],
  );
  ffmpegRun(
    ...['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=1'],
    ...['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', join(folder, 'vp9.webm')],
  );
  // 4K at 60 fps, half a second of it: what a recent phone records at its highest setting.
  ffmpegRun(
    ...['-f', 'lavfi', '-i', 'testsrc2=size=3840x2160:rate=60:duration=0.5'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', join(folder, '4k60.mp4')],
  );
  // Variable frame rate: every frame of the first 10, then one in three (gaps of 120 ms).
  ffmpegRun(
    ...['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=3'],
    ...['-vf', 'select=lt(n\\,10)+not(mod(n\\,3))', '-vsync', 'vfr'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', join(folder, 'vfr.mp4')],
  );
  ffmpegRun(
    ...['-f', 'lavfi', '-i', 'testsrc=size=320x240', '-frames:v', '1', '-f', 'image2'],
    join(folder, 'photo-named.mp4'),
  );
}

function streamsOf(file: string) {
  const json = execFileSync(
    ffprobe.path,
    ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file],
    { encoding: 'utf8' },
  );
  return JSON.parse(json) as {
    streams: { codec_type: string; width?: number; height?: number; r_frame_rate?: string }[];
    format: { duration?: string; tags?: Record<string, string> };
  };
}

/** The file a succeeded item's rendition of `ext` (and `size`) was written to. */
function renditionFile(fileName: string, ext: string, size = 'large'): string {
  const { media } = item(fileName);
  const rendition =
    media.status === 'succeeded'
      ? media.renditions.find((r) => r.ext === ext && r.size === size)
      : undefined;
  if (rendition === undefined)
    throw new Error(`${fileName} has no ${size} ${ext}: ${JSON.stringify(media)}`);
  return join(report.paths.bucket, ...rendition.key.split('/'));
}

/** Keeps the first half of a file's bytes: an upload cut short. */
async function cutInHalf(file: string): Promise<void> {
  const bytes = await readFile(file);
  await writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
}

function item(fileName: string) {
  const file = report.files.find((f) => f.fileName === fileName);
  const media = report.result?.media.find((m) => m.mediaId === file?.mediaId);
  if (file === undefined || media === undefined) throw new Error(`${fileName} has no result`);
  return { file, media };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'toq-video-results-'));
  const folder = join(root, 'listing');
  await mkdir(folder);
  // 16:9 whose height at 1200 px wide is odd (675): the MP4 needs an even one.
  makeClip(join(folder, 'wide.mp4'), '1600x900', 1);
  // Cut in half: with `moov` first the half still decodes (2 s of a declared 4 s); with `moov`
  // last it declares no duration at all (validate refuses it before any transcode).
  makeClip(join(folder, 'cut-moov-first.mp4'), '320x240', 4, ['-movflags', '+faststart']);
  await cutInHalf(join(folder, 'cut-moov-first.mp4'));
  makeClip(join(folder, 'cut-moov-last.mp4'), '320x240', 2);
  await cutInHalf(join(folder, 'cut-moov-last.mp4'));
  await makeDamagedIndex(join(folder, 'damaged-index.mp4'));
  makeSdrReference(join(folder, 'sdr.mp4'));
  makeHdr(join(folder, 'sdr.mp4'), join(folder, 'hlg.mov'), 'arib-std-b67');
  makeHdr(join(folder, 'sdr.mp4'), join(folder, 'pq.mov'), 'smpte2084');
  makeFadeIn(join(folder, 'fade-in.mp4'));
  makeKinds(folder);
  report = await runListing({
    folder,
    out: join(root, 'out'),
    listingId: LISTING_ID,
    requestId: 'video-results-1',
    ffmpegPreset: 'ultrafast',
    timeScale: 0,
  });
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('videos through the local pipeline', () => {
  it("gives the large poster the MP4's size when the fitted height is odd", async () => {
    // Act: the run in beforeAll
    const { media } = item('wide.mp4');

    // Assess: the result's two `large` renditions, and the files themselves
    expect(media.status).toBe('succeeded');
    const renditions = media.status === 'succeeded' ? media.renditions : [];
    const large = (ext: string) => renditions.find((r) => r.size === 'large' && r.ext === ext);
    const [poster, mp4] = [large('jpg'), large('mp4')];
    expect([mp4?.width, mp4?.height]).toEqual([1200, 674]);
    expect([poster?.width, poster?.height]).toEqual([mp4?.width, mp4?.height]);
    const bucket = (key = '') => join(report.paths.bucket, ...key.split('/'));
    expect(probedVideoStream(bucket(mp4?.key), 'width,height')).toEqual({
      width: 1200,
      height: 674,
    });
    const decoded = await sharp(await readFile(bucket(poster?.key))).metadata();
    expect({ width: decoded.width, height: decoded.height }).toEqual(
      probedVideoStream(bucket(mp4?.key), 'width,height'),
    );
  });

  it('fails an upload cut short that still decodes as VIDEO_TRUNCATED, saying by how much', () => {
    const { media } = item('cut-moov-first.mp4');

    expect(media).toMatchObject({
      status: 'failed',
      error: {
        code: 'VIDEO_TRUNCATED',
        message: expect.stringMatching(
          /^The MP4 lasts [0-2]\.\d\d s but the upload declares 4\.0\d s: the upload is truncated/,
        ),
      },
    });
  });

  it('refuses an upload cut before its moov (no declared duration) in validate, as VIDEO_TRUNCATED', () => {
    const { media } = item('cut-moov-last.mp4');

    expect(media).toMatchObject({
      status: 'failed',
      error: {
        code: 'VIDEO_TRUNCATED',
        message: expect.stringMatching(/declares no duration: its header has no moov\/mvhd box/),
      },
    });
  });

  it("keeps the decoder's own words when a video cannot be read, with keys and no local paths", () => {
    const { media } = item('damaged-index.mp4');

    expect(media).toMatchObject({
      status: 'failed',
      error: {
        code: 'TRANSCODE_FAILED',
        message: expect.stringContaining('Invalid data found when processing input'),
      },
    });
    const message = media.status === 'failed' ? media.error.message : '';
    expect(message).toContain(`${LISTING_ID}/raw/video/`);
    expect(message).not.toContain(tmpdir());
    expect(message).not.toMatch(/\n/);
    // The signed webhook the backend received carries the same reason.
    const [webhook] = report.webhooks;
    expect(webhook?.rawBody).toContain(JSON.stringify(message).slice(1, -1));
  });

  it.each(['hlg.mov', 'pq.mov'])(
    'tone-maps %s to BT.709 SDR: tagged so, as bright and nearly as saturated as the SDR reference',
    (fileName) => {
      const mp4Of = (name: string) => renditionFile(name, 'mp4');
      const reference = pictureStats(mp4Of('sdr.mp4'));

      const converted = pictureStats(mp4Of(fileName));

      expect(
        probedVideoStream(mp4Of(fileName), 'color_transfer,color_primaries,color_space'),
      ).toEqual({
        color_space: 'bt709',
        color_transfer: 'bt709',
        color_primaries: 'bt709',
      });
      // Untouched, HLG kept a third of the saturation (37 of 108) and PQ a fifth.
      expect(converted.brightness).toBeGreaterThan(0.9 * reference.brightness);
      expect(converted.brightness).toBeLessThan(1.1 * reference.brightness);
      expect(converted.saturation).toBeGreaterThan(0.7 * reference.saturation);
      expect(converted.saturation).toBeLessThan(1.1 * reference.saturation);
    },
  );

  it('gives a video that fades in from black bright posters, not its first black frame', async () => {
    const { media } = item('fade-in.mp4');
    const posters =
      media.status === 'succeeded' ? media.renditions.filter((r) => r.ext === 'jpg') : [];

    expect(posters).toHaveLength(4);
    for (const poster of posters) {
      const { channels } = await sharp(
        await readFile(join(report.paths.bucket, ...poster.key.split('/'))),
      ).stats();
      const mean = channels.slice(0, 3).reduce((sum, c) => sum + c.mean, 0) / 3;
      expect(mean, poster.size).toBeGreaterThan(60);
    }
  });

  it('turns an iPhone .mov with a 90° rotation upright (VideoSelector.Rotate AUTO) and drops its location', async () => {
    const mp4 = streamsOf(renditionFile('iphone.mov', 'mp4'));
    const poster = await sharp(await readFile(renditionFile('iphone.mov', 'jpg'))).metadata();

    expect(mp4.streams.find((s) => s.codec_type === 'video')).toMatchObject({
      width: 240,
      height: 320,
    });
    expect({ width: poster.width, height: poster.height }).toEqual({ width: 240, height: 320 });
    expect(JSON.stringify(mp4.format.tags ?? {})).not.toMatch(/location|48\.8584/);
  });

  it('transcodes a silent half-second clip and a WebM (VP9) to MP4', () => {
    const silent = streamsOf(renditionFile('silent-short.mp4', 'mp4'));

    expect(silent.streams.map((s) => s.codec_type)).toEqual(['video']);
    expect(item('silent-short.mp4').media).toMatchObject({
      durationSeconds: expect.closeTo(0.5, 1),
    });
    expect(item('vp9.webm').media.status).toBe('succeeded');
  });

  it('fits a 4K 60 fps clip into the 1200 px box at its own frame rate, posters alike', () => {
    const [video] = streamsOf(renditionFile('4k60.mp4', 'mp4')).streams;
    const { media } = item('4k60.mp4');
    const poster =
      media.status === 'succeeded'
        ? media.renditions.find((r) => r.size === 'large' && r.ext === 'jpg')
        : undefined;

    expect(video).toMatchObject({ width: 1200, height: 674, r_frame_rate: '60/1' });
    expect([poster?.width, poster?.height]).toEqual([1200, 674]);
    expect(media).toMatchObject({ status: 'succeeded', durationSeconds: expect.closeTo(0.5, 1) });
  });

  it('takes a variable frame rate clip as whole: its duration check does not misfire', () => {
    expect(item('vfr.mp4').media).toMatchObject({
      status: 'succeeded',
      durationSeconds: expect.closeTo(3, 0),
    });
  });

  it('rejects a JPEG named .mp4 before transcoding it', () => {
    expect(item('photo-named.mp4').media).toMatchObject({
      status: 'failed',
      error: { code: 'TYPE_MISMATCH' },
    });
  });
});
