import type { ListingMediaResult, ProcessingRequestInput } from '@toq/contracts';
import type { Context } from 'aws-lambda';
import type { Logger } from '../../src/ports/logger.ts';

/** Ids shared by the tests. */
export const LISTING_ID = '4f8e2d3c-1b2a-4c5d-8e9f-0a1b2c3d4e5f';
export const REQUEST_ID = 'req-2026-11-01';
export const PHOTO_ID = '0b7c1a52-1f0e-4c7e-9a51-6f6d2a7b9c10';
export const PHOTO_2_ID = '1c8d2b63-2a1f-4d8f-8b62-7a7e3b8cad21';
export const VIDEO_ID = '2d9e3c74-3b2a-4e9a-9c73-8b8f4c9dbe32';

/** The `ctx` of every task payload of the sample execution. */
export const SCOPE = {
  listingId: LISTING_ID,
  requestId: REQUEST_ID,
  executionName: `${LISTING_ID}_${REQUEST_ID}`,
};

/** A logger that drops everything (the port, not a mock: nothing asserts on it). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A valid request for the sample listing: two photos and a video. */
export function sampleRequest(
  overrides: Partial<ProcessingRequestInput> = {},
): ProcessingRequestInput {
  return {
    schemaVersion: 1,
    requestId: REQUEST_ID,
    listingId: LISTING_ID,
    media: [
      { mediaId: PHOTO_ID, mediaType: 'photo', ext: 'jpg' },
      { mediaId: PHOTO_2_ID, mediaType: 'photo', ext: 'png' },
      { mediaId: VIDEO_ID, mediaType: 'video', ext: 'mp4' },
    ],
    callback: { url: 'https://api.example.com/hooks/media' },
    ...overrides,
  };
}

/** The thumbnail rendition of a photo of the sample listing. */
export function thumbnailRendition(mediaId: string, mediaType: 'photo' | 'video' = 'photo') {
  return {
    size: 'thumbnail' as const,
    key: `${LISTING_ID}/processed/${mediaType}/thumbnail/${mediaId}.jpg`,
    ext: 'jpg' as const,
    contentType: 'image/jpeg',
    width: 200,
    height: 133,
    bytes: 8123,
  };
}

/** A consolidated result: one photo succeeded, one failed, no zip. */
export function sampleResult(): ListingMediaResult {
  return {
    schemaVersion: 1,
    listingId: LISTING_ID,
    requestId: REQUEST_ID,
    status: 'partially_failed',
    summary: { total: 2, succeeded: 1, failed: 1 },
    media: [
      {
        status: 'succeeded',
        mediaId: PHOTO_ID,
        mediaType: 'photo',
        renditions: [thumbnailRendition(PHOTO_ID)],
      },
      {
        status: 'failed',
        mediaId: PHOTO_2_ID,
        mediaType: 'photo',
        error: { code: 'CORRUPT_IMAGE', message: 'The photo cannot be decoded' },
      },
    ],
    zip: null,
    errors: [],
    completedAt: '2026-11-01T12:00:00.000Z',
  };
}

/**
 * The Lambda context of one invocation of `functionName`, as the runtime passes it (a new
 * `awsRequestId` each time; `requestId` makes it recognisable in assertions).
 */
export function lambdaContext(functionName: string, requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:058264253741:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/01/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
