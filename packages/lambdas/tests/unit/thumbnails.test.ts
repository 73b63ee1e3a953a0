import type { Readable } from 'node:stream';
import {
  ItemFailure,
  PhotoRenditionsResult,
  VideoOutputsResult,
  parse,
  rawKey,
  renditionKey,
  type RenditionSize,
} from '@toq/contracts';
import { describe, expect, it } from 'vitest';
import { TransientError } from '../../src/domain/errors.ts';
import { frameStateKey, itemStateKey } from '../../src/domain/state-keys.ts';
import {
  RENDITION_CACHE_CONTROL,
  finishVideo,
  renderItem,
  renderPhoto,
  type FinishVideoInput,
} from '../../src/domain/thumbnails.ts';
import { createThumbnailsHandler } from '../../src/functions/thumbnails.ts';
import {
  UnrenderableImageError,
  type ImageRenderer,
  type RenderResult,
} from '../../src/ports/image-renderer.ts';
import { LISTING_ID, PHOTO_ID, SCOPE, VIDEO_ID, silentLogger } from '../setup/fixtures.ts';
import { MemoryObjectStore } from '../setup/memory-store.ts';

/** The sizes as a renderer returns them: widest first. */
const WIDEST_FIRST: readonly [RenditionSize, number, number][] = [
  ['large', 1200, 800],
  ['medium', 800, 533],
  ['small', 400, 267],
  ['thumbnail', 200, 133],
];

/**
 * The renderer port, faked: it reads its whole input (so a test sees which object was rendered)
 * and answers with four small JPEG "renditions" whose bytes name their size, or throws `fails`.
 */
class FakeRenderer implements ImageRenderer {
  readonly inputs: string[] = [];
  constructor(private readonly fails?: Error) {}

  async render(input: Readable | Buffer): Promise<RenderResult> {
    const chunks: Buffer[] = [];
    if (Buffer.isBuffer(input)) chunks.push(input);
    else for await (const chunk of input) chunks.push(Buffer.from(chunk as Uint8Array));
    this.inputs.push(Buffer.concat(chunks).toString('utf8'));
    if (this.fails) throw this.fails;
    return {
      source: { format: 'jpeg', width: 3000, height: 2000 },
      renditions: WIDEST_FIRST.map(([size, width, height]) => ({
        size,
        width,
        height,
        ext: 'jpg',
        data: Buffer.from(`${size} bytes`),
      })),
      placeholder: 'YTkGJwaRhWUIt4lbgnhZl3ath2BUBGYA',
    };
  }
}

const photo = { ctx: SCOPE, mediaType: 'photo', mediaId: PHOTO_ID, ext: 'png' } as const;
const photoRaw = rawKey({
  listingId: LISTING_ID,
  mediaType: 'photo',
  mediaId: PHOTO_ID,
  ext: 'png',
});
const mp4Key = renditionKey({
  listingId: LISTING_ID,
  mediaType: 'video',
  size: 'large',
  mediaId: VIDEO_ID,
  ext: 'mp4',
});
const video: FinishVideoInput = {
  ctx: SCOPE,
  mediaType: 'video',
  mediaId: VIDEO_ID,
  ext: 'mov',
  transcode: {
    jobId: '1730462400000-abc123',
    outputGroupDetails: [
      {
        OutputDetails: [{ DurationInMs: 4000, VideoDetails: { WidthInPx: 1200, HeightInPx: 676 } }],
      },
      { OutputDetails: [{ VideoDetails: { WidthInPx: 1920, HeightInPx: 1080 } }] },
    ],
  },
};

function setup(renderer = new FakeRenderer()) {
  const store = new MemoryObjectStore();
  return { store, renderer, deps: { store, renderer, logger: silentLogger } };
}

describe('thumbnails: RenderPhoto', () => {
  it('renders the raw photo and writes each rendition at its key with its Content-Type and immutable Cache-Control', async () => {
    // Prepare
    const { store, renderer, deps } = setup();
    store.seed(photoRaw, 'the raw photo', 'image/png');

    // Act
    const outcome = await renderPhoto(photo, deps);

    // Assess
    expect(outcome).toEqual({ mediaId: PHOTO_ID, status: 'succeeded' });
    expect(renderer.inputs).toEqual(['the raw photo']);
    for (const [size] of WIDEST_FIRST) {
      const key = `${LISTING_ID}/processed/photo/${size}/${PHOTO_ID}.jpg`;
      expect(store.objects.get(key)).toEqual({
        body: Buffer.from(`${size} bytes`),
        contentType: 'image/jpeg',
        cacheControl: RENDITION_CACHE_CONTROL,
      });
    }
    expect(store.objects.get(photoRaw)?.body.toString()).toBe('the raw photo');
  });

  it('records the PhotoRenditionsResult at items/{mediaId}.json, renditions smallest first', async () => {
    // Prepare
    const { store, deps } = setup();
    store.seed(photoRaw, 'the raw photo', 'image/png');

    // Act
    await renderPhoto(photo, deps);

    // Assess
    const record = parse(PhotoRenditionsResult, store.json(itemStateKey(SCOPE, PHOTO_ID)));
    expect(record.source).toEqual({ format: 'jpeg', width: 3000, height: 2000 });
    expect(record.placeholder).toBe('YTkGJwaRhWUIt4lbgnhZl3ath2BUBGYA');
    expect(record.renditions.map((r) => [r.size, r.width, r.height, r.bytes])).toEqual([
      ['thumbnail', 200, 133, 'thumbnail bytes'.length],
      ['small', 400, 267, 'small bytes'.length],
      ['medium', 800, 533, 'medium bytes'.length],
      ['large', 1200, 800, 'large bytes'.length],
    ]);
    expect(record.renditions[0]).toMatchObject({
      key: `${LISTING_ID}/processed/photo/thumbnail/${PHOTO_ID}.jpg`,
      ext: 'jpg',
      contentType: 'image/jpeg',
    });
  });

  it.each([
    ['CORRUPT_IMAGE', 'Corrupt image: premature end of JPEG'],
    ['UNSUPPORTED_FORMAT', 'Unsupported format: gif'],
    ['IMAGE_TOO_LARGE', 'Image too large: 30000 × 30000'],
  ] as const)(
    'records an image the renderer cannot render (%s) as a failed item, writes no rendition and returns normally',
    async (code, message) => {
      // Prepare
      const { store, deps } = setup(new FakeRenderer(new UnrenderableImageError(code, message)));
      store.seed(photoRaw, 'broken bytes', 'image/png');

      // Act
      const outcome = await renderPhoto(photo, deps);

      // Assess
      expect(outcome).toEqual({ mediaId: PHOTO_ID, status: 'failed' });
      expect(parse(ItemFailure, store.json(itemStateKey(SCOPE, PHOTO_ID)))).toEqual({
        mediaId: PHOTO_ID,
        mediaType: 'photo',
        error: { code, message },
      });
      expect([...store.objects.keys()].filter((key) => key.includes('/processed/'))).toEqual([]);
    },
  );

  it('records a missing raw photo as OBJECT_NOT_FOUND without calling the renderer', async () => {
    // Prepare
    const { store, renderer, deps } = setup();

    // Act
    const outcome = await renderPhoto(photo, deps);

    // Assess
    expect(outcome).toEqual({ mediaId: PHOTO_ID, status: 'failed' });
    expect(renderer.inputs).toEqual([]);
    expect(store.json(itemStateKey(SCOPE, PHOTO_ID))).toEqual({
      mediaId: PHOTO_ID,
      mediaType: 'photo',
      error: { code: 'OBJECT_NOT_FOUND', message: `No raw photo at "${photoRaw}"` },
    });
  });

  it('throws storage trouble (TransientError) for Step Functions to retry, recording nothing', async () => {
    // Prepare
    class UnwritableStore extends MemoryObjectStore {
      override put(): Promise<void> {
        return Promise.reject(new TransientError('S3 answered 503'));
      }
    }
    const store = new UnwritableStore();
    store.seed(photoRaw, 'the raw photo', 'image/png');

    // Act
    const error = await renderPhoto(photo, { ...setup().deps, store }).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'TransientError', message: 'S3 answered 503' });
    expect(await store.head(itemStateKey(SCOPE, PHOTO_ID))).toBeUndefined();
  });

  it('refuses a video with InvalidRequestError', async () => {
    const { deps } = setup();

    const error = await renderPhoto({ ...photo, mediaType: 'video', ext: 'mp4' }, deps).catch(
      (e: unknown) => e,
    );

    expect(error).toMatchObject({
      name: 'InvalidRequestError',
      message: 'RenderPhoto takes photos, received a video',
    });
  });
});

describe('thumbnails: FinishVideo', () => {
  it('renders the posters from the captured frame, gives the MP4 its headers and records the VideoOutputsResult', async () => {
    // Prepare
    const { store, renderer, deps } = setup();
    store.seed(frameStateKey(SCOPE, VIDEO_ID), 'the captured frame', 'image/jpeg');
    store.seed(mp4Key, 'the mp4 bytes', 'application/octet-stream');

    // Act
    const outcome = await finishVideo(video, deps);

    // Assess
    expect(outcome).toEqual({ mediaId: VIDEO_ID, status: 'succeeded' });
    expect(renderer.inputs).toEqual(['the captured frame']);
    expect(store.objects.get(mp4Key)).toEqual({
      body: Buffer.from('the mp4 bytes'),
      contentType: 'video/mp4',
      cacheControl: RENDITION_CACHE_CONTROL,
    });
    const record = parse(VideoOutputsResult, store.json(itemStateKey(SCOPE, VIDEO_ID)));
    expect(record.durationSeconds).toBe(4);
    expect(record.renditions.map((r) => [r.size, r.ext, r.width, r.height, r.key])).toEqual([
      ['thumbnail', 'jpg', 200, 133, `${LISTING_ID}/processed/video/thumbnail/${VIDEO_ID}.jpg`],
      ['small', 'jpg', 400, 267, `${LISTING_ID}/processed/video/small/${VIDEO_ID}.jpg`],
      ['medium', 'jpg', 800, 533, `${LISTING_ID}/processed/video/medium/${VIDEO_ID}.jpg`],
      ['large', 'jpg', 1200, 800, `${LISTING_ID}/processed/video/large/${VIDEO_ID}.jpg`],
      ['large', 'mp4', 1200, 676, mp4Key],
    ]);
    expect(record.renditions.at(-1)?.bytes).toBe('the mp4 bytes'.length);
  });

  it.each([
    [
      'no MP4 where the transcode writes it',
      video,
      false,
      `The transcode wrote no MP4 at "${mp4Key}"`,
    ],
    [
      'a job that reported no video size',
      { ...video, transcode: { jobId: 'job-1', outputGroupDetails: [] } },
      true,
      'Job job-1 reported no video size for its MP4 output group',
    ],
  ])('records %s as TRANSCODE_FAILED', async (_name, payload, mp4, message) => {
    // Prepare
    const { store, deps } = setup();
    store.seed(frameStateKey(SCOPE, VIDEO_ID), 'the captured frame', 'image/jpeg');
    if (mp4) store.seed(mp4Key, 'the mp4 bytes', 'video/mp4');

    // Act
    const outcome = await finishVideo(payload, deps);

    // Assess
    expect(outcome).toEqual({ mediaId: VIDEO_ID, status: 'failed' });
    expect(store.json(itemStateKey(SCOPE, VIDEO_ID))).toEqual({
      mediaId: VIDEO_ID,
      mediaType: 'video',
      error: { code: 'TRANSCODE_FAILED', message },
    });
  });

  it('records a missing frame as OBJECT_NOT_FOUND', async () => {
    const { store, deps } = setup();

    const outcome = await finishVideo(video, deps);

    expect(outcome).toEqual({ mediaId: VIDEO_ID, status: 'failed' });
    expect(store.json(itemStateKey(SCOPE, VIDEO_ID))).toMatchObject({
      error: { code: 'OBJECT_NOT_FOUND' },
    });
  });
});

describe('the thumbnails function', () => {
  it('runs FinishVideo for a payload carrying the transcode, RenderPhoto otherwise', async () => {
    // Prepare
    const { store, renderer, deps } = setup();
    store.seed(photoRaw, 'the raw photo', 'image/png');
    store.seed(frameStateKey(SCOPE, VIDEO_ID), 'the captured frame', 'image/jpeg');
    store.seed(mp4Key, 'the mp4 bytes', 'video/mp4');

    // Act
    const outcomes = [await renderItem(photo, deps), await renderItem(video, deps)];

    // Assess
    expect(outcomes.map((o) => o.status)).toEqual(['succeeded', 'succeeded']);
    expect(renderer.inputs).toEqual(['the raw photo', 'the captured frame']);
  });

  it.each([
    ['RenderPhoto', { ...photo, mediaId: '../etc' }, /^Invalid RenderPhoto payload: mediaId: /],
    [
      'FinishVideo',
      { ...video, transcode: { jobId: '' } },
      /^Invalid FinishVideo payload: transcode\.jobId: /,
    ],
  ])(
    'names a bad %s payload in its InvalidRequestError, rendering nothing',
    async (_n, event, message) => {
      // Prepare
      const { store, renderer } = setup();
      const handler = createThumbnailsHandler({ store, renderer, logger: () => silentLogger });

      // Act
      const error = await handler(event).catch((e: unknown) => e);

      // Assess
      expect(error).toMatchObject({ name: 'InvalidRequestError' });
      expect((error as Error).message).toMatch(message);
      expect(renderer.inputs).toEqual([]);
      expect(store.objects.size).toBe(0);
    },
  );
});
