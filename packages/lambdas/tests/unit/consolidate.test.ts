import {
  ProcessingRequest,
  parse,
  type PhotoRenditionsResult,
  type ValidationReport,
} from '@toq/contracts';
import { describe, expect, it } from 'vitest';
import {
  ConsolidateInput,
  consolidate,
  consolidateResult,
  describeCaught,
  type ConsolidationFacts,
  type ItemRecord,
} from '../../src/domain/consolidate.ts';
import { requestStateKey, resultStateKey } from '../../src/domain/state-keys.ts';
import {
  LISTING_ID,
  PHOTO_2_ID,
  PHOTO_ID,
  REQUEST_ID,
  VIDEO_ID,
  SCOPE,
  sampleRequest,
  silentLogger,
  thumbnailRendition,
} from '../setup/fixtures.ts';
import { FakeClock } from '../setup/fake-clock.ts';
import { MemoryObjectStore } from '../setup/memory-store.ts';

const request = parse(ProcessingRequest, sampleRequest());
const completedAt = new Date('2026-11-01T12:00:00Z');

function photoRecord(mediaId: string): PhotoRenditionsResult {
  return {
    mediaId,
    mediaType: 'photo',
    source: { format: 'jpeg', width: 1800, height: 1200 },
    renditions: [thumbnailRendition(mediaId)],
    placeholder: 'YTkGJwaRhWUIt4lbgnhZl3ath2BUBGYA',
  };
}

function report(rejectedIds: string[] = []): ValidationReport {
  return {
    listingId: LISTING_ID,
    requestId: REQUEST_ID,
    accepted: request.media.filter((m) => !rejectedIds.includes(m.mediaId)),
    rejected: request.media
      .filter((m) => rejectedIds.includes(m.mediaId))
      .map((m) => ({
        mediaId: m.mediaId,
        mediaType: m.mediaType,
        error: { code: 'OBJECT_NOT_FOUND' as const, message: 'No raw upload' },
      })),
  };
}

function facts(overrides: Partial<ConsolidationFacts>): ConsolidationFacts {
  return {
    request,
    report: report(),
    outcomes: [],
    records: new Map(),
    zip: null,
    completedAt,
    ...overrides,
  };
}

describe('consolidateResult', () => {
  it('reports every item in request order and "succeeded" when every item and the zip are', () => {
    // Prepare
    const video = {
      mediaId: VIDEO_ID,
      mediaType: 'video' as const,
      durationSeconds: 3,
      renditions: [thumbnailRendition(VIDEO_ID, 'video')],
    };
    const zip = { key: `${LISTING_ID}/processed/zip/${LISTING_ID}.zip`, bytes: 1234, entries: 9 };

    // Act
    const result = consolidateResult(
      facts({
        outcomes: [
          { mediaId: VIDEO_ID, status: 'succeeded', branch: 'video' },
          { mediaId: PHOTO_2_ID, status: 'succeeded', branch: 'photo' },
          { mediaId: PHOTO_ID, status: 'succeeded', branch: 'photo' },
        ],
        records: new Map<string, PhotoRenditionsResult | typeof video>([
          [PHOTO_ID, photoRecord(PHOTO_ID)],
          [PHOTO_2_ID, photoRecord(PHOTO_2_ID)],
          [VIDEO_ID, video],
        ]),
        zip,
      }),
    );

    // Assess
    expect(result.status).toBe('succeeded');
    expect(result.summary).toEqual({ total: 3, succeeded: 3, failed: 0 });
    expect(result.media.map((m) => [m.mediaId, m.status])).toEqual([
      [PHOTO_ID, 'succeeded'],
      [PHOTO_2_ID, 'succeeded'],
      [VIDEO_ID, 'succeeded'],
    ]);
    expect(result.media[0]).toMatchObject({ placeholder: 'YTkGJwaRhWUIt4lbgnhZl3ath2BUBGYA' });
    expect(result.media[2]).toMatchObject({ durationSeconds: 3 });
    expect(result.zip).toEqual(zip);
    expect(result.errors).toEqual([]);
    expect(result.completedAt).toBe('2026-11-01T12:00:00.000Z');
  });

  it('is "partially_failed" with rejected, caught and self-reported failures', () => {
    const result = consolidateResult(
      facts({
        report: report([PHOTO_2_ID]),
        outcomes: [
          { mediaId: PHOTO_ID, status: 'succeeded', branch: 'photo' },
          { mediaId: VIDEO_ID, status: 'failed', branch: 'video' },
        ],
        records: new Map<string, ItemRecord>([
          [PHOTO_ID, photoRecord(PHOTO_ID)],
          [
            VIDEO_ID,
            {
              mediaId: VIDEO_ID,
              mediaType: 'video',
              error: {
                code: 'TRANSCODE_FAILED',
                message: 'The video transcode failed (States.TaskFailed): moov atom not found',
              },
            },
          ],
        ]),
      }),
    );

    expect(result.status).toBe('partially_failed');
    expect(result.summary).toEqual({ total: 3, succeeded: 1, failed: 2 });
    expect(result.media[1]).toEqual({
      status: 'failed',
      mediaId: PHOTO_2_ID,
      mediaType: 'photo',
      error: { code: 'OBJECT_NOT_FOUND', message: 'No raw upload' },
    });
    expect(result.media[2]).toMatchObject({
      status: 'failed',
      error: {
        code: 'TRANSCODE_FAILED',
        message: 'The video transcode failed (States.TaskFailed): moov atom not found',
      },
    });
  });

  it('fails an item whose failure could not be recorded, naming the record it lacks', () => {
    const [failed] = consolidateResult(
      facts({ outcomes: [{ mediaId: VIDEO_ID, status: 'failed', branch: 'video' }] }),
    ).media.filter((m) => m.mediaId === VIDEO_ID);

    expect(failed).toMatchObject({
      status: 'failed',
      error: {
        code: 'PROCESSING_FAILED',
        message: expect.stringMatching(
          /^The video failed and its reason could not be recorded at .*items\/.*\.json$/,
        ),
      },
    });
  });

  it('takes an item failure record over the outcome, and flags a succeeded item without a record', () => {
    const result = consolidateResult(
      facts({
        outcomes: [
          { mediaId: PHOTO_ID, status: 'failed', branch: 'photo' },
          { mediaId: PHOTO_2_ID, status: 'succeeded', branch: 'photo' },
        ],
        records: new Map([
          [
            PHOTO_ID,
            {
              mediaId: PHOTO_ID,
              mediaType: 'photo' as const,
              error: { code: 'CORRUPT_IMAGE' as const, message: 'Truncated JPEG' },
            },
          ],
        ]),
      }),
    );

    expect(result.status).toBe('failed');
    expect(result.media.map((m) => m.status === 'failed' && m.error.code)).toEqual([
      'CORRUPT_IMAGE',
      'PROCESSING_FAILED',
      'PROCESSING_FAILED',
    ]);
    expect(result.media[1]).toMatchObject({
      error: { message: expect.stringMatching(/record .*items\/.*\.json is missing/) },
    });
    expect(result.media[2]).toMatchObject({
      error: { message: 'The video has no outcome from the processing branches' },
    });
    expect(result.errors).toEqual([
      { code: 'NO_VALID_MEDIA', message: 'No media item could be processed' },
    ]);
  });

  it('reports a zip failure as ZIP_FAILED and the listing as partially failed', () => {
    const result = consolidateResult(
      facts({
        request: parse(
          ProcessingRequest,
          sampleRequest({ media: [{ mediaId: PHOTO_ID, mediaType: 'photo', ext: 'jpg' }] }),
        ),
        report: undefined,
        outcomes: [{ mediaId: PHOTO_ID, status: 'succeeded', branch: 'photo' }],
        records: new Map([[PHOTO_ID, photoRecord(PHOTO_ID)]]),
        zipError: {
          Error: 'TransientError',
          Cause: JSON.stringify({
            errorType: 'TransientError',
            errorMessage: 'S3 slow down',
            trace: [],
          }),
        },
      }),
    );

    expect(result.status).toBe('partially_failed');
    expect(result.errors).toEqual([
      {
        code: 'ZIP_FAILED',
        message: 'The zip bundle could not be written (TransientError: S3 slow down)',
      },
    ]);
  });

  it('fails every item on the failure path, naming where the pipeline failed', () => {
    const result = consolidateResult(
      facts({
        report: undefined,
        failure: { Error: 'InvalidRequestError', Cause: 'Invalid ProcessingRequest: x' },
      }),
    );

    expect(result.status).toBe('failed');
    expect(result.summary).toEqual({ total: 3, succeeded: 0, failed: 3 });
    expect(result.errors).toEqual([
      {
        code: 'PIPELINE_FAILED',
        message:
          'The pipeline failed at Validate (InvalidRequestError: Invalid ProcessingRequest: x)',
      },
    ]);
    expect(
      result.media.every((m) => m.status === 'failed' && m.error.code === 'PROCESSING_FAILED'),
    ).toBe(true);
  });

  it('clips long causes to the 1000 characters a message may have', () => {
    const result = consolidateResult(
      facts({ report: undefined, failure: { Error: 'X', Cause: 'y'.repeat(5000) } }),
    );

    expect(result.errors[0]?.message).toHaveLength(1000);
  });
});

describe('describeCaught', () => {
  it('reads the errorMessage of a Lambda JSON cause, or a plain cause as is', () => {
    expect(describeCaught({ Error: 'E', Cause: '{"errorType":"E","errorMessage":"boom"}' })).toBe(
      'E: boom',
    );
    expect(describeCaught({ Error: 'E', Cause: 'plain words' })).toBe('E: plain words');
    expect(describeCaught({ Error: 'E' })).toBe('E');
  });
});

describe('consolidate on the failure path (Validate failed)', () => {
  const failure = { Error: 'States.Timeout', Cause: 'Task timed out' };
  const pointer = { storedRequest: { listingId: LISTING_ID, requestId: REQUEST_ID } };
  const deps = (store: MemoryObjectStore) => ({
    store,
    clock: new FakeClock(),
    logger: silentLogger,
  });

  it('reads the request a pointer points at and fails every item, request.json untouched', async () => {
    // Prepare
    const store = new MemoryObjectStore();
    const recorded = JSON.stringify(request, null, 2);
    store.seed(requestStateKey(SCOPE), recorded, 'application/json');
    const input = parse(ConsolidateInput, {
      state: { ...pointer, failure },
      executionName: SCOPE.executionName,
    });

    // Act
    const out = await consolidate(input, deps(store));

    // Assess
    expect(out).toEqual({
      ctx: SCOPE,
      status: 'failed',
      resultKey: resultStateKey(SCOPE),
      callbackUrl: request.callback.url,
    });
    expect(store.json(resultStateKey(SCOPE))).toMatchObject({
      summary: { total: 3, succeeded: 0, failed: 3 },
      errors: [
        {
          code: 'PIPELINE_FAILED',
          message: 'The pipeline failed at Validate (States.Timeout: Task timed out)',
        },
      ],
    });
    expect(store.objects.get(requestStateKey(SCOPE))?.body.toString('utf8')).toBe(recorded);
  });

  it('refuses a pointer to a missing request.json as an invalid request, writing nothing', async () => {
    const store = new MemoryObjectStore();
    const input = parse(ConsolidateInput, {
      state: { ...pointer, failure },
      executionName: SCOPE.executionName,
    });

    const error = await consolidate(input, deps(store)).catch((e: unknown) => e);

    expect(error).toMatchObject({
      name: 'InvalidRequestError',
      message: expect.stringContaining(
        `points at the stored request ${requestStateKey(SCOPE)}, and there is none`,
      ),
    });
    expect(store.objects.size).toBe(0);
  });

  it('records a request given whole when request.json is missing (a direct start)', async () => {
    const store = new MemoryObjectStore();
    const input = parse(ConsolidateInput, {
      state: { ...sampleRequest(), failure },
      executionName: SCOPE.executionName,
    });

    const out = await consolidate(input, deps(store));

    expect(out.status).toBe('failed');
    expect(store.objects.get(requestStateKey(SCOPE))?.body.toString('utf8')).toBe(
      JSON.stringify(request, null, 2),
    );
  });
});
