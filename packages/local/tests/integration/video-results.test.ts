import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
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

/** A generated clip (testsrc and a tone, H.264/AAC); `moov` last, as ffmpeg writes by default. */
function makeClip(file: string, size: string, seconds: number): void {
  execFileSync(ffmpeg.path, [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc=size=${size}:rate=25:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ...['-c:a', 'aac', '-shortest', file],
  ]);
}

function probedSize(file: string): { width: number; height: number } {
  const json = execFileSync(
    ffprobe.path,
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=width,height',
      '-of',
      'json',
      file,
    ],
    { encoding: 'utf8' },
  );
  const [stream] = (JSON.parse(json) as { streams: { width: number; height: number }[] }).streams;
  if (stream === undefined) throw new Error(`ffprobe found no video stream in ${file}`);
  return { width: stream.width, height: stream.height };
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
    expect(probedSize(bucket(mp4?.key))).toEqual({ width: 1200, height: 674 });
    const decoded = await sharp(await readFile(bucket(poster?.key))).metadata();
    expect({ width: decoded.width, height: decoded.height }).toEqual(probedSize(bucket(mp4?.key)));
  });
});
