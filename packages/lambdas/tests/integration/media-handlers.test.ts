import { readFile } from 'node:fs/promises';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ItemFailure, PhotoRenditionsResult, parse, rawKey } from '@toq/contracts';
import { S3ObjectStore } from '../../src/adapters/s3-object-store.ts';
import { ThumbnailsRenderer } from '../../src/adapters/thumbnails-renderer.ts';
import { renderPhoto } from '../../src/domain/thumbnails.ts';
import { createTestBucket, localS3Client, s3FunctionEnv, useLocalhostDns } from '../setup/aws.ts';
import { silentLogger } from '../setup/fixtures.ts';
import { itemStateKey } from '../../src/domain/state-keys.ts';
import { fixturePath } from '../../../../tools/testing/fixtures.ts';

const ctx = {
  listingId: '4f8a2c1e-9b7d-4e3a-8c6f-1a2b3c4d5e6f',
  requestId: 'req-1',
  executionName: '4f8a2c1e-9b7d-4e3a-8c6f-1a2b3c4d5e6f_req-1',
};
const photoId = '0b7c1a52-1f0e-4c7e-9a51-6f6d2a7b9c10';
const brokenId = '1c8d2b63-2f1e-4d8f-8b62-7a7e3b8cad21';

type Handler = (event: unknown) => Promise<unknown>;
let store: S3ObjectStore;
let thumbnails: Handler;

async function record(mediaId: string): Promise<unknown> {
  return JSON.parse((await store.getBuffer(itemStateKey(ctx, mediaId))).toString());
}

// The Lambda module on a fauxqs bucket with the SDK's defaults, as on AWS: virtual-hosted-style
// requests to `<bucket>.s3.localhost`, which resolves to 127.0.0.1 while this file runs.
useLocalhostDns();

beforeAll(async () => {
  const client = localS3Client();
  const bucket = await createTestBucket(client);
  store = new S3ObjectStore(client, bucket);
  for (const [name, value] of Object.entries(s3FunctionEnv(bucket))) vi.stubEnv(name, value);
  vi.stubEnv('LOG_LEVEL', 'SILENT');
  ({ handler: thumbnails } = await import('../../src/handlers/thumbnails.ts'));
});

afterAll(() => {
  vi.unstubAllEnvs();
});

describe('thumbnails handler, RenderPhoto, on S3 (fauxqs, SDK defaults)', () => {
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
