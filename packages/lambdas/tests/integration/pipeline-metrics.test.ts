import { readFile } from 'node:fs/promises';
import { rawKey } from '@toq/contracts';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { S3ObjectStore } from '../../src/adapters/s3-object-store.ts';
import {
  deliveryStateKey,
  itemStateKey,
  requestStateKey,
  resultStateKey,
  validationStateKey,
} from '../../src/domain/state-keys.ts';
import { METRICS_NAMESPACE } from '../../src/pipeline/metrics.ts';
import { createTestBucket, localS3Client, s3FunctionEnv, useLocalhostDns } from '../setup/aws.ts';
import {
  LISTING_ID,
  PHOTO_2_ID,
  PHOTO_ID,
  SCOPE,
  VIDEO_ID,
  sampleRequest,
  thumbnailRendition,
} from '../setup/fixtures.ts';
import { linesOf } from '../setup/log-lines.ts';
import { fixturePath } from '../../../../tools/testing/fixtures.ts';
import type * as CallbackModule from '../../src/handlers/callback.ts';
import type * as ConsolidateModule from '../../src/handlers/consolidate.ts';
import type * as ThumbnailsModule from '../../src/handlers/thumbnails.ts';

const PHOTO_3_ID = '3eaf4d85-4c3b-4fab-8d84-9c9a5dadcf43';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:058264253741:secret:toq-webhook-AbCdEf';

let store: S3ObjectStore;
let bucket: string;

/** Imports a handler module afresh, as a cold start does. */
async function coldStart<T>(path: string): Promise<T> {
  vi.resetModules();
  return (await import(path)) as T;
}

/** The embedded-metric-format lines among what `run` wrote to stdout and stderr. */
async function emfLinesOf(run: () => unknown): Promise<Record<string, unknown>[]> {
  return (await linesOf(run)).filter((line) => '_aws' in line);
}

/** An EMF line as CloudWatch reads it: one metric, its dimension sets, its value. */
function emf(
  name: string,
  unit: 'Count' | 'Milliseconds',
  dimensions: string[][],
  values: Record<string, unknown>,
) {
  return {
    _aws: {
      Timestamp: expect.any(Number),
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: dimensions,
          Metrics: [{ Name: name, Unit: unit }],
        },
      ],
    },
    Stage: 'qa',
    ...values,
  };
}

async function putJson(key: string, value: unknown): Promise<void> {
  await store.put(key, JSON.stringify(value), { contentType: 'application/json' });
}

// The Lambda modules on a fauxqs bucket with the SDK's defaults, as on AWS.
useLocalhostDns();

beforeAll(async () => {
  const client = localS3Client();
  bucket = await createTestBucket(client);
  store = new S3ObjectStore(client, bucket);
});

beforeEach(() => {
  vi.unstubAllEnvs();
  for (const [name, value] of Object.entries({
    ...s3FunctionEnv(bucket),
    STAGE: 'qa',
    POWERTOOLS_METRICS_DISABLED: 'false',
    LOG_LEVEL: 'SILENT',
    WEBHOOK_SECRET_ARN: SECRET_ARN,
    CALLBACK_ALLOWED_HOSTS: 'api.example.com',
  })) {
    vi.stubEnv(name, value);
  }
});
afterAll(() => {
  vi.unstubAllEnvs();
});

describe('consolidate handler metrics', () => {
  const request = sampleRequest({
    media: [...sampleRequest().media, { mediaId: PHOTO_3_ID, mediaType: 'photo', ext: 'png' }],
  });
  const state = {
    ctx: SCOPE,
    photos: [{ mediaId: PHOTO_ID, status: 'succeeded' }],
    videos: [{ mediaId: VIDEO_ID, status: 'failed' }],
    zip: null,
  };

  beforeAll(async () => {
    // Prepare: a photo rendered, two "png"s rejected as JPEGs, a video whose transcode failed
    const typeMismatch = (mediaId: string) => ({
      mediaId,
      mediaType: 'photo',
      error: { code: 'TYPE_MISMATCH', message: 'Declared a photo .png: received jpeg content' },
    });
    await putJson(requestStateKey(SCOPE), request);
    await putJson(validationStateKey(SCOPE), {
      listingId: LISTING_ID,
      requestId: SCOPE.requestId,
      accepted: [request.media[0], request.media[2]],
      rejected: [typeMismatch(PHOTO_2_ID), typeMismatch(PHOTO_3_ID)],
    });
    await putJson(itemStateKey(SCOPE, PHOTO_ID), {
      mediaId: PHOTO_ID,
      mediaType: 'photo',
      source: { format: 'jpeg', width: 1800, height: 1200 },
      renditions: [thumbnailRendition(PHOTO_ID)],
    });
    await putJson(itemStateKey(SCOPE, VIDEO_ID), {
      mediaId: VIDEO_ID,
      mediaType: 'video',
      error: { code: 'TRANSCODE_FAILED', message: 'The video transcode failed' },
    });
  });

  it('publishes every item outcome by media type and error code, and the listing status, each under [Stage] and its breakdown', async () => {
    const { handler } = await coldStart<typeof ConsolidateModule>(
      '../../src/handlers/consolidate.ts',
    );

    const lines = await emfLinesOf(() => handler({ state, executionName: SCOPE.executionName }));

    expect(lines).toEqual([
      emf('ItemSucceeded', 'Count', [['Stage'], ['Stage', 'MediaType']], {
        MediaType: 'photo',
        ItemSucceeded: 1,
      }),
      emf('ItemFailed', 'Count', [['Stage'], ['Stage', 'MediaType', 'ErrorCode']], {
        MediaType: 'photo',
        ErrorCode: 'TYPE_MISMATCH',
        ItemFailed: 2,
      }),
      emf('ItemFailed', 'Count', [['Stage'], ['Stage', 'MediaType', 'ErrorCode']], {
        MediaType: 'video',
        ErrorCode: 'TRANSCODE_FAILED',
        ItemFailed: 1,
      }),
      emf('ListingCompleted', 'Count', [['Stage'], ['Stage', 'Status']], {
        Status: 'partially_failed',
        ListingCompleted: 1,
      }),
    ]);
  });

  it('publishes nothing with POWERTOOLS_METRICS_DISABLED=true, and still consolidates', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    const { handler } = await coldStart<typeof ConsolidateModule>(
      '../../src/handlers/consolidate.ts',
    );

    let output: unknown;
    const lines = await emfLinesOf(async () => {
      output = await handler({ state, executionName: SCOPE.executionName });
    });

    expect(lines).toEqual([]);
    expect(output).toMatchObject({ status: 'partially_failed', resultKey: resultStateKey(SCOPE) });
  });
});

describe('callback handler metrics', () => {
  const event = () => ({
    ctx: SCOPE,
    status: 'partially_failed',
    resultKey: resultStateKey(SCOPE),
    callbackUrl: 'https://127.0.0.1/hooks/media',
  });

  beforeAll(async () => {
    await putJson(resultStateKey(SCOPE), {
      schemaVersion: 1,
      listingId: LISTING_ID,
      requestId: SCOPE.requestId,
      status: 'failed',
      summary: { total: 1, succeeded: 0, failed: 1 },
      media: [
        {
          status: 'failed',
          mediaId: PHOTO_ID,
          mediaType: 'photo',
          error: { code: 'CORRUPT_IMAGE', message: 'The photo cannot be decoded' },
        },
      ],
      zip: null,
      errors: [{ code: 'NO_VALID_MEDIA', message: 'No media item could be processed' }],
      completedAt: '2026-11-01T12:00:00.000Z',
    });
  });

  it('publishes WebhookFailed and WebhookLatency under [Stage] when the delivery gives up (a refused URL)', async () => {
    const { handler } = await coldStart<typeof CallbackModule>('../../src/handlers/callback.ts');

    let error: unknown;
    const lines = await emfLinesOf(async () => {
      error = await handler(event()).catch((e: unknown) => e);
    });

    expect(error).toMatchObject({ name: 'WebhookRejectedError' });
    expect(lines).toEqual([
      emf('WebhookFailed', 'Count', [['Stage']], { WebhookFailed: 1 }),
      emf('WebhookLatency', 'Milliseconds', [['Stage']], { WebhookLatency: expect.any(Number) }),
    ]);
    expect(lines[1]?.['WebhookLatency']).toBeGreaterThanOrEqual(0);
  });

  it('publishes nothing for a webhook an earlier invocation delivered: it was counted then', async () => {
    await putJson(deliveryStateKey(SCOPE), {
      webhookId: `msg_${SCOPE.executionName}`,
      url: event().callbackUrl,
      delivered: true,
      statusCode: 204,
      attempts: [
        { outcome: 'response', statusCode: 204, attempt: 1, at: '2026-11-01T12:00:01.000Z' },
      ],
    });
    const { handler } = await coldStart<typeof CallbackModule>('../../src/handlers/callback.ts');

    let result: unknown;
    const lines = await emfLinesOf(async () => {
      result = await handler(event());
    });

    expect(result).toEqual({ delivered: true, attempts: 1, statusCode: 204 });
    expect(lines).toEqual([]);
  });
});

describe('thumbnails handler metrics', () => {
  /** Uploads `bytes` as the raw photo `mediaId`, runs the thumbnails handler on it (cold). */
  async function renderPhotoWith(mediaId: string, bytes: Buffer) {
    await store.put(
      rawKey({ listingId: LISTING_ID, mediaType: 'photo', mediaId, ext: 'jpg' }),
      bytes,
      { contentType: 'image/jpeg' },
    );
    const { handler } = await coldStart<typeof ThumbnailsModule>(
      '../../src/handlers/thumbnails.ts',
    );
    let outcome: unknown;
    const lines = await emfLinesOf(async () => {
      outcome = await handler({ ctx: SCOPE, mediaType: 'photo', mediaId, ext: 'jpg' });
    });
    return { outcome, lines };
  }

  it('publishes PhotoRenderTime under [Stage] for a photo rendered', async () => {
    // Act
    const mediaId = PHOTO_ID;
    const { outcome, lines } = await renderPhotoWith(
      mediaId,
      await readFile(fixturePath('exif-orientation', 'Landscape_1.jpg')),
    );

    // Assess
    expect(outcome).toEqual({ mediaId, status: 'succeeded' });
    expect(lines).toEqual([
      emf('PhotoRenderTime', 'Milliseconds', [['Stage']], { PhotoRenderTime: expect.any(Number) }),
    ]);
    expect(lines[0]?.['PhotoRenderTime']).toBeGreaterThan(0);
  });

  it('publishes no render time for a photo that failed (its time says nothing of rendering)', async () => {
    const mediaId = PHOTO_2_ID;
    const { outcome, lines } = await renderPhotoWith(
      mediaId,
      Buffer.from('ffd8ffe0 not really a jpeg'),
    );

    expect(outcome).toEqual({ mediaId, status: 'failed' });
    expect(lines).toEqual([]);
  });
});
