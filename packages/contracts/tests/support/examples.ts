/**
 * Valid messages built with the package's own key builders, for the tests to start from (each
 * test changes one thing and says what).
 */
import {
  renditionKey,
  zipKey,
  type ListingMediaResult,
  type ProcessingRequestInput,
  type Rendition,
  type WebhookPayload,
} from '@toq/contracts';

export const listingId = '4f8c1d2e-7b3a-4c5d-9e8f-0a1b2c3d4e5f';
export const photoId = '0b7c1a52-1f0e-4c7e-9a51-6f6d2a7b9c10';
export const videoId = '7d3f5e21-9a4b-4c8d-8e1f-2a3b4c5d6e7f';
export const badPhotoId = 'c2a9e7d4-3b1f-4e6a-b8c0-d5e4f3a2b1c0';

export function request(): ProcessingRequestInput {
  return {
    schemaVersion: 1,
    requestId: 'req-2026-11-18_01',
    listingId,
    media: [
      { mediaId: photoId, mediaType: 'photo', ext: 'jpg', bytes: 2_345_678 },
      { mediaId: videoId, mediaType: 'video', ext: 'mov' },
      { mediaId: badPhotoId, mediaType: 'photo', ext: 'heic' },
    ],
    callback: { url: 'https://backend.example.com/hooks/listing-media' },
  };
}

export function rendition(
  mediaType: 'photo' | 'video',
  mediaId: string,
  size: Rendition['size'],
  ext: Rendition['ext'] = 'jpg',
): Rendition {
  const contentType = {
    jpg: 'image/jpeg',
    png: 'image/png',
    webp: 'image/webp',
    avif: 'image/avif',
    mp4: 'video/mp4',
  }[ext];
  const width = { thumbnail: 200, small: 400, medium: 800, large: 1200 }[size];
  return {
    size,
    key: renditionKey({ listingId, mediaType, size, mediaId, ext }),
    ext,
    contentType,
    width,
    height: Math.round((width * 2) / 3),
    bytes: width * 40,
  };
}

export function photoRenditions(mediaId = photoId): Rendition[] {
  return (['thumbnail', 'small', 'medium', 'large'] as const).map((size) =>
    rendition('photo', mediaId, size),
  );
}

export function videoRenditions(mediaId = videoId): Rendition[] {
  return [
    rendition('video', mediaId, 'large', 'mp4'),
    ...(['thumbnail', 'small', 'medium', 'large'] as const).map((size) =>
      rendition('video', mediaId, size),
    ),
  ];
}

/** A partially failed listing: the photo and the video succeeded, the HEIC was corrupt. */
export function result(): ListingMediaResult {
  return {
    schemaVersion: 1,
    listingId,
    requestId: 'req-2026-11-18_01',
    status: 'partially_failed',
    summary: { total: 3, succeeded: 2, failed: 1 },
    media: [
      {
        status: 'succeeded',
        mediaId: photoId,
        mediaType: 'photo',
        renditions: photoRenditions(),
        placeholder: 'HBkSHYSIeHiPiHh8eJd4eTN0EEQG',
      },
      {
        status: 'succeeded',
        mediaId: videoId,
        mediaType: 'video',
        renditions: videoRenditions(),
        durationSeconds: 31.5,
      },
      {
        status: 'failed',
        mediaId: badPhotoId,
        mediaType: 'photo',
        error: { code: 'CORRUPT_IMAGE', message: 'The HEIC file cannot be decoded: bad box size' },
      },
    ],
    zip: { key: zipKey(listingId), bytes: 9_876_543, entries: 9 },
    errors: [],
    completedAt: '2026-11-18T12:34:56.789Z',
  };
}

export function webhook(): WebhookPayload {
  return { type: 'listing.media.processed', timestamp: '2026-11-18T12:35:00Z', data: result() };
}

/** A deep copy to change one thing in. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** `list[index]`, which must be there (a test fixture's item). */
export function at<T>(list: readonly T[], index: number): T {
  const item = list[index];
  if (item === undefined) throw new Error(`the fixture has no item ${index}`);
  return item;
}

/** A request's media item as a plain record, to break in a test. */
export function mediaOf(request: Record<string, unknown>, index: number): Record<string, unknown> {
  return at(request.media as Record<string, unknown>[], index);
}
