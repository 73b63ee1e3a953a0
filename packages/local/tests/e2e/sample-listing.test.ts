import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ListingMediaResult,
  RENDITION_SIZES,
  RENDITION_WIDTHS,
  WebhookPayload,
  parse,
  processedPrefix,
  rawPrefix,
  zipKey,
  type MediaOutcome,
} from '@toq/contracts';
import { FsObjectStore } from '@toq/lambdas';
import { locateFfmpeg } from '../../src/ffmpeg-binaries.ts';
import { SAMPLE_LISTING, runListing, type LocalRunReport } from '../../src/run-listing.ts';
import { launchChromium } from '../../../../tools/testing/browser.ts';
import { EXIF_ORIENTATION_DIR as FIXTURES } from '../../../../tools/testing/fixtures.ts';
import { sevenZipTest } from '../../../../tools/testing/seven-zip.ts';
import { at, hashTree, pictureDistance, scratchDir, sha256, unzip } from './support.ts';

/** The screenshot is kept with the test reports. */
const SCREENSHOT = join(import.meta.dirname, '../../../../reports/e2e/contact-sheet.png');
const REQUEST_ID = 'e2e-sample-1';
const CLEAN_ENTRY = /^(photo|video)\/(thumbnail|small|medium|large)\/[0-9a-f-]{36}\.(jpg|png|mp4)$/;

let out: string;
let store: FsObjectStore;
let report: LocalRunReport;
let result: ListingMediaResult;

const byFile = (name: string): MediaOutcome => {
  const file = report.files.find((f) => f.fileName === name);
  const item = result.media.find((m) => m.mediaId === file?.mediaId);
  if (!item) throw new Error(`no outcome for ${name}`);
  return item;
};

beforeAll(async () => {
  out = await scratchDir('sample');
  report = await runListing({
    out,
    requestId: REQUEST_ID,
    timeScale: 0,
    ffmpegPreset: 'ultrafast',
  });
  store = new FsObjectStore(report.paths.bucket);
  result = parse(ListingMediaResult, JSON.parse(await readFile(report.paths.result, 'utf8')));
}, 180_000);

describe('npm start on the sample listing (filesystem store, local queue and state machine)', () => {
  it('runs one execution of the deployed definition to the end', () => {
    expect(report.execution?.status).toBe('SUCCEEDED');
    expect(report.execution?.name).toBe(`${report.listingId}_${REQUEST_ID}`);
    expect(report.skipped).toEqual(['LICENSE']);
    expect(report.bucket).toBe(report.paths.bucket);
    expect(report.files).toHaveLength(15);
    expect(result.status).toBe('partially_failed');
    expect(result.summary).toEqual({ total: 15, succeeded: 14, failed: 1 });
    expect(report.ok).toBe(true);
  });

  it('renders every photo upright at the four widths, whatever its EXIF orientation', async () => {
    const photos = report.files.filter((f) => /^(Landscape|Portrait)_\d\.jpg$/.test(f.fileName));
    expect(photos).toHaveLength(12);
    const reference = {
      Landscape: await readFile(join(FIXTURES, 'Landscape_0.jpg')),
      Portrait: await readFile(join(FIXTURES, 'Portrait_0.jpg')),
    };
    for (const photo of photos) {
      const item = byFile(photo.fileName);
      expect(item.status, photo.fileName).toBe('succeeded');
      if (item.status !== 'succeeded') continue;
      const landscape = photo.fileName.startsWith('Landscape');
      expect(item.renditions.map((r) => [r.size, r.width, r.height, r.ext])).toEqual(
        RENDITION_SIZES.map((size) => {
          const width = RENDITION_WIDTHS[size];
          return [size, width, Math.round(landscape ? (width * 2) / 3 : width * 1.5), 'jpg'];
        }),
      );
      for (const rendition of item.renditions) {
        const bytes = await store.getBuffer(rendition.key);
        const meta = await sharp(bytes).metadata();
        expect([meta.format, meta.width, meta.height, meta.orientation]).toEqual([
          'jpeg',
          rendition.width,
          rendition.height,
          undefined,
        ]);
        expect(bytes.length).toBe(rendition.bytes);
      }
      // Upright: the large rendition looks like the untagged original, not like it turned.
      const large = await store.getBuffer(at(item.renditions, 3).key);
      const original = reference[landscape ? 'Landscape' : 'Portrait'];
      const upside = await sharp(original).rotate(180).toBuffer();
      const distance = await pictureDistance(large, original);
      expect(distance, photo.fileName).toBeLessThan(12);
      expect(await pictureDistance(large, upside), photo.fileName).toBeGreaterThan(distance * 2);
    }
  });

  it('keeps the PNG transparent and never enlarges it', async () => {
    const item = byFile('floor-plan.png');
    expect(item.status).toBe('succeeded');
    if (item.status !== 'succeeded') return;
    expect(item.renditions.map((r) => [r.size, r.width, r.height, r.ext])).toEqual([
      ['thumbnail', 200, 133, 'png'],
      ['small', 400, 267, 'png'],
      ['medium', 800, 533, 'png'],
      ['large', 960, 640, 'png'],
    ]);
    const { data, info } = await sharp(await store.getBuffer(at(item.renditions, 1).key))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    expect(data[3]).toBe(0); // the top-left corner is outside the plan: fully transparent
  });

  it('gives the video its MP4 and four JPEG posters', async () => {
    const item = byFile('walkthrough.mp4');
    expect(item.status).toBe('succeeded');
    if (item.status !== 'succeeded') return;
    expect(item.renditions.map((r) => [r.size, r.ext, r.width, r.height])).toEqual([
      ['thumbnail', 'jpg', 200, 150],
      ['small', 'jpg', 320, 240],
      ['medium', 'jpg', 320, 240],
      ['large', 'jpg', 320, 240],
      ['large', 'mp4', 320, 240],
    ]);
    expect(item.durationSeconds).toBeCloseTo(4, 0);
    const mp4 = at(item.renditions, 4);
    const probe = JSON.parse(
      execFileSync(locateFfmpeg().ffprobe.path, [
        ...['-v', 'error', '-of', 'json', '-show_entries', 'stream=codec_name,width,height'],
        join(report.paths.bucket, mp4.key),
      ]).toString(),
    ) as { streams: { codec_name: string; width?: number }[] };
    expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    for (const poster of item.renditions.slice(0, 4)) {
      const meta = await sharp(await store.getBuffer(poster.key)).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', poster.width, poster.height]);
    }
  });

  it('reports the truncated JPEG with its code and processes the rest', () => {
    const item = byFile('broken.jpg');
    expect(item).toMatchObject({ status: 'failed', error: { code: 'CORRUPT_IMAGE' } });
  });

  it('zips exactly the processed objects, with clean paths and the same bytes', async () => {
    const key = zipKey(report.listingId);
    expect(result.zip).toMatchObject({ key, entries: 57 });
    const entries = await unzip(await store.getBuffer(key));
    for (const path of entries.keys()) expect(path).toMatch(CLEAN_ENTRY);
    const processed = new Map<string, string>();
    for await (const object of store.list(processedPrefix(report.listingId))) {
      if (object.key === key) continue;
      const path = object.key.slice(processedPrefix(report.listingId).length);
      processed.set(path, sha256(await store.getBuffer(object.key)));
    }
    expect(new Map([...entries].map(([path, bytes]) => [path, sha256(bytes)]))).toEqual(processed);
    const renditions = result.media.flatMap((m) => (m.status === 'succeeded' ? m.renditions : []));
    expect(entries.size).toBe(renditions.length);
    expect(await sevenZipTest(join(report.paths.bucket, key))).toMatchObject({ files: 57 });
  });

  it('delivers one webhook with a valid signature, carrying result.json', () => {
    expect(report.webhooks).toHaveLength(1);
    const [webhook] = report.webhooks;
    expect(webhook?.verificationError).toBeUndefined();
    expect(webhook?.status).toBe(204);
    const payload = parse(WebhookPayload, webhook?.payload);
    expect(payload.type).toBe('listing.media.processed');
    expect(payload.data).toEqual(result);
    expect(report.delivery).toMatchObject({ delivered: true, statusCode: 204 });
  });

  it('leaves every raw upload byte-identical to its file, the broken one included', async () => {
    const raw = await hashTree(store, rawPrefix(report.listingId));
    expect(raw.size).toBe(15);
    for (const file of report.files) {
      const key = at(report.rawKeys, report.files.indexOf(file));
      expect(raw.get(key), file.fileName).toBe(sha256(await readFile(file.path)));
    }
    expect((await readdir(SAMPLE_LISTING)).length).toBe(16);
  });

  it('changes nothing when the finished request runs again: same renditions, same zip', async () => {
    // Prepare
    const processed = await hashTree(store, processedPrefix(report.listingId));
    const raw = await hashTree(store, rawPrefix(report.listingId));

    // Act: the same request, executed again on the same bucket.
    const again = await runListing({
      out,
      requestId: REQUEST_ID,
      timeScale: 0,
      ffmpegPreset: 'ultrafast',
    });

    // Assess
    expect(again.execution?.status).toBe('SUCCEEDED');
    expect(await hashTree(store, processedPrefix(report.listingId))).toEqual(processed);
    expect(again.zip?.sha256).toBe(report.zip?.sha256);
    expect(await hashTree(store, rawPrefix(report.listingId))).toEqual(raw);
    // The webhook of this execution was delivered already: it is not sent twice.
    expect(again.webhooks).toHaveLength(0);
    expect(again.result?.media).toEqual(result.media);
  }, 180_000);
});

describe('the contact sheet', () => {
  it('shows the failures first, then every rendition at its true size in headless Chromium', async () => {
    // Prepare
    const renditions = new Map(
      result.media
        .flatMap((m) => (m.status === 'succeeded' ? m.renditions : []))
        .map((r) => [`bucket/${r.key}`, r]),
    );
    const browser = await launchChromium();
    try {
      // A tall viewport: the screenshot is its first 2400 pixels.
      const page = await browser.newPage({ viewport: { width: 1400, height: 2400 } });

      // Act
      await page.goto(pathToFileURL(report.paths.contactSheet).href, { waitUntil: 'load' });
      const images = await page.$$eval('img', (all) =>
        all.map((img) => ({
          src: img.getAttribute('src') ?? '',
          naturalWidth: img.naturalWidth,
          naturalHeight: img.naturalHeight,
          shownWidth: img.getBoundingClientRect().width,
          shownHeight: img.getBoundingClientRect().height,
          background: (
            globalThis as unknown as { getComputedStyle(e: unknown): { backgroundImage: string } }
          ).getComputedStyle(img).backgroundImage,
        })),
      );
      const firstSection = await page.$eval('body > section', (s) => s.id);
      const summary = await page.$$eval('#failures tr', (rows) =>
        rows.slice(1).map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent)),
      );
      const failed = await page.$$eval('section.failed', (all) =>
        all.map((s) => ({
          text: s.textContent,
          color: (
            globalThis as unknown as { getComputedStyle(e: unknown): { borderTopColor: string } }
          ).getComputedStyle(s).borderTopColor,
        })),
      );
      await mkdir(join(SCREENSHOT, '..'), { recursive: true });
      // The top of the page (the failures, the webhook, the first items at their true size): the
      // whole page, every rendition at full size, is too tall for one screenshot.
      await page.screenshot({ path: SCREENSHOT });

      // Assess: the failures come first, one row per failed item, by file name.
      expect(firstSection).toBe('failures');
      expect(summary).toEqual([
        ['broken.jpg', 'CORRUPT_IMAGE', expect.stringMatching(/^Corrupt image: /)],
      ]);
      expect(failed).toEqual([
        { text: expect.stringContaining('CORRUPT_IMAGE'), color: 'rgb(220, 38, 38)' },
      ]);
      // 13 photos × 4 sizes + 4 video posters, each decoded and shown at the size the result
      // records, pixel for pixel: small, medium and large are as large as they are.
      expect(images).toHaveLength(56);
      expect(new Set(images.map((i) => i.src))).toEqual(
        new Set(
          [...renditions.values()].filter((r) => r.ext !== 'mp4').map((r) => `bucket/${r.key}`),
        ),
      );
      for (const image of images) {
        const rendition = renditions.get(image.src);
        const sizes = [
          image.naturalWidth,
          image.shownWidth,
          image.naturalHeight,
          image.shownHeight,
        ];
        expect(sizes, image.src).toEqual([
          rendition?.width,
          rendition?.width,
          rendition?.height,
          rendition?.height,
        ]);
        // JPEGs on a plain background; a PNG, which may be transparent, on a checkerboard.
        if (rendition?.ext === 'png') expect(image.background).toContain('conic-gradient');
        else expect(image.background, image.src).toBe('none');
      }
      expect(await page.locator('#webhook').textContent()).toContain(
        'delivered to http://127.0.0.1',
      );
      expect(await page.locator('#zip tr').count()).toBe(58); // the zip's 57 entries + header
      expect(existsSync(SCREENSHOT)).toBe(true);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
