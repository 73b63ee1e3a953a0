import { describe, expect, it } from 'vitest';
import {
  ItemFailure,
  ListingMediaResult,
  MediaOutcome,
  PhotoRenditionsResult,
  Rendition,
  ValidationReport,
  VideoOutputsResult,
  WebhookPayload,
  ZipResult,
  parse,
  safeParse,
  zipKey,
  type ContractError,
  type ListingMediaResult as ListingMediaResultType,
} from '@toq/contracts';
import {
  at,
  badPhotoId,
  clone,
  listingId,
  photoId,
  photoRenditions,
  rendition,
  result,
  videoId,
  videoRenditions,
  webhook,
} from '../support/examples';

/** `path: message` of every issue `schema` finds in `input` (which must be invalid). */
function issuesOf(schema: Parameters<typeof safeParse>[0], input: unknown): string[] {
  const outcome = safeParse(schema, input);
  expect(outcome.ok).toBe(false);
  return outcome.ok ? [] : outcome.error.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('ValidationReport', () => {
  const report = () => ({
    listingId,
    requestId: 'req-1',
    accepted: [
      { mediaId: photoId, mediaType: 'photo', ext: 'jpg', bytes: 1000 },
      { mediaId: videoId, mediaType: 'video', ext: 'mov' },
    ],
    rejected: [
      {
        mediaId: badPhotoId,
        mediaType: 'photo',
        error: { code: 'TYPE_MISMATCH', message: 'Declared heic, but the content is a PDF' },
      },
    ],
  });

  it('accepts accepted and rejected items', () => {
    expect(parse(ValidationReport, report())).toEqual(report());
  });

  it.each([
    [
      'an unknown error code',
      (r: ReturnType<typeof report>) => (at(r.rejected, 0).error.code = 'OOPS'),
      /^rejected\[0\]\.error\.code: /,
    ],
    [
      'an empty error message',
      (r: ReturnType<typeof report>) => (at(r.rejected, 0).error.message = ''),
      /^rejected\[0\]\.error\.message: /,
    ],
    [
      'a 1001-character message',
      (r: ReturnType<typeof report>) => (at(r.rejected, 0).error.message = 'x'.repeat(1001)),
      /^rejected\[0\]\.error\.message: /,
    ],
    [
      'an accepted item with a bad extension',
      (r: ReturnType<typeof report>) => (at(r.accepted, 0).ext = 'exe'),
      /^accepted\[0\]\.ext: /,
    ],
    [
      'no rejected list',
      (r: ReturnType<typeof report>) => delete (r as Partial<typeof r>).rejected,
      /^rejected: /,
    ],
  ])('rejects a report with %s', (_label, mutate, expected) => {
    const input = report();
    mutate(input);
    expect(issuesOf(ValidationReport, input)).toEqual([expect.stringMatching(expected)]);
  });
});

describe('ItemFailure', () => {
  it('accepts every stable media error code', () => {
    for (const code of ['OBJECT_NOT_FOUND', 'CORRUPT_IMAGE', 'TRANSCODE_FAILED', 'TIMEOUT']) {
      const failure = { mediaId: photoId, mediaType: 'photo', error: { code, message: 'why' } };
      expect(parse(ItemFailure, failure)).toEqual(failure);
    }
  });
});

describe('Rendition', () => {
  it('accepts a photo rendition and a video MP4', () => {
    expect(parse(Rendition, rendition('photo', photoId, 'small', 'webp'))).toMatchObject({
      contentType: 'image/webp',
    });
    expect(parse(Rendition, rendition('video', videoId, 'large', 'mp4')).key).toMatch(/\.mp4$/);
  });

  it.each([
    [
      'a raw key',
      { key: `${listingId}/raw/photo/${photoId}.jpg` },
      /^key: must be a rendition key/,
    ],
    [
      'a key with a leading slash',
      { key: `/${rendition('photo', photoId, 'small').key}` },
      /^key: must be a rendition key/,
    ],
    [
      'an upper-case key',
      { key: rendition('photo', photoId, 'small').key.toUpperCase() },
      /^key: /,
    ],
    [
      'a key of another size',
      { key: rendition('photo', photoId, 'large').key },
      /^key: must be a small jpg key/,
    ],
    [
      'a key of another format',
      { key: rendition('photo', photoId, 'small', 'png').key },
      /^key: must be a small jpg key/,
    ],
    [
      'a content type of another format',
      { contentType: 'image/png' },
      /^contentType: must be image\/jpeg for a jpg rendition, received "image\/png"/,
    ],
    ['an unknown content type', { contentType: 'text/html' }, /^contentType: /],
    ['a zero width', { width: 0 }, /^width: /],
    ['a fractional height', { height: 1.5 }, /^height: /],
    ['negative bytes', { bytes: -1 }, /^bytes: /],
    [
      'an unknown field',
      { url: 'https://cdn.example/x.jpg' },
      /^\(root\): Unrecognized key: "url"/,
    ],
  ])('rejects a rendition with %s', (_label, change, expected) => {
    const input = { ...rendition('photo', photoId, 'small'), ...change };
    expect(issuesOf(Rendition, input)).toEqual([expect.stringMatching(expected)]);
  });

  it('rejects a photo MP4 key and a video MP4 below large', () => {
    const photoMp4 = rendition('photo', photoId, 'large').key.replace(/jpg$/, 'mp4');
    const smallMp4 = rendition('video', videoId, 'small').key.replace(/jpg$/, 'mp4');
    for (const key of [photoMp4, smallMp4]) {
      const input = { ...rendition('video', videoId, 'large', 'mp4'), key };
      expect(issuesOf(Rendition, input)[0]).toMatch(/^key: must be a rendition key/);
    }
  });
});

describe('PhotoRenditionsResult and VideoOutputsResult', () => {
  const photo = () => ({
    mediaId: photoId,
    mediaType: 'photo' as const,
    source: { format: 'heif', width: 4032, height: 3024 },
    renditions: photoRenditions(),
    placeholder: 'HBkSHYSIeHiPiHh8eJd4eTN0EEQG',
  });
  const video = () => ({
    mediaId: videoId,
    mediaType: 'video' as const,
    durationSeconds: 12.04,
    renditions: videoRenditions(),
  });

  it('accepts what Thumbnails and the video branch write', () => {
    expect(parse(PhotoRenditionsResult, photo())).toEqual(photo());
    expect(parse(VideoOutputsResult, video())).toEqual(video());
  });

  it('rejects a photo record for a video, with no renditions, or a long placeholder', () => {
    expect(issuesOf(PhotoRenditionsResult, { ...photo(), mediaType: 'video' })).toHaveLength(1);
    expect(issuesOf(PhotoRenditionsResult, { ...photo(), renditions: [] })).toEqual([
      expect.stringMatching(/^renditions: /),
    ]);
    expect(issuesOf(PhotoRenditionsResult, { ...photo(), placeholder: 'x'.repeat(201) })).toEqual([
      expect.stringMatching(/^placeholder: /),
    ]);
    expect(issuesOf(VideoOutputsResult, { ...video(), durationSeconds: -1 })).toEqual([
      expect.stringMatching(/^durationSeconds: /),
    ]);
  });
});

describe('ZipResult', () => {
  it('accepts the listing zip', () => {
    const zip = { key: zipKey(listingId), bytes: 0, entries: 0 };
    expect(parse(ZipResult, zip)).toEqual(zip);
  });

  it.each([
    ['another listing’s zip name', `${listingId}/processed/zip/${photoId}.zip`],
    ['a zip outside processed/', `${listingId}/zip/${listingId}.zip`],
    ['an upper-case key', zipKey(listingId).toUpperCase()],
    ['a trailing newline', `${zipKey(listingId)}\n`],
  ])('rejects %s as its key', (_label, key) => {
    expect(issuesOf(ZipResult, { key, bytes: 1, entries: 1 })).toEqual([
      expect.stringMatching(/^key: must be the zip key/),
    ]);
  });
});

describe('MediaOutcome', () => {
  it('tells a succeeded item from a failed one by status', () => {
    const [succeeded, , failed] = result().media;
    expect(parse(MediaOutcome, succeeded).status).toBe('succeeded');
    expect(parse(MediaOutcome, failed).status).toBe('failed');
  });

  it('rejects a failed item with renditions and a succeeded item with an error', () => {
    const [succeeded, , failed] = result().media;
    expect(issuesOf(MediaOutcome, { ...failed, renditions: photoRenditions() })).toEqual([
      '(root): Unrecognized key: "renditions"',
    ]);
    expect(
      issuesOf(MediaOutcome, { ...succeeded, error: { code: 'TIMEOUT', message: 'x' } }),
    ).toEqual(['(root): Unrecognized key: "error"']);
    expect(issuesOf(MediaOutcome, { ...succeeded, status: 'skipped' })[0]).toMatch(/^status: /);
  });
});

describe('ListingMediaResult', () => {
  it('accepts a partially failed listing', () => {
    expect(parse(ListingMediaResult, result())).toEqual(result());
  });

  it('accepts a succeeded listing and a failed one', () => {
    const succeeded = clone(result());
    succeeded.media.pop();
    Object.assign(succeeded, {
      status: 'succeeded',
      summary: { total: 2, succeeded: 2, failed: 0 },
    });
    expect(parse(ListingMediaResult, succeeded).status).toBe('succeeded');

    const failed = clone(result());
    failed.media = [at(failed.media, 2)];
    Object.assign(failed, {
      status: 'failed',
      summary: { total: 1, succeeded: 0, failed: 1 },
      zip: null,
      errors: [{ code: 'NO_VALID_MEDIA', message: 'Every item failed' }],
    });
    expect(parse(ListingMediaResult, failed).zip).toBeNull();
  });

  const contradictions: readonly (readonly [
    string,
    (r: ListingMediaResultType) => void,
    unknown[],
  ])[] = [
    [
      'a total that is not the media count',
      (r) => (r.summary.total = 4),
      ['summary.total: must be 3 (counted in media), received 4'],
    ],
    [
      'a succeeded count that is off',
      (r) => (r.summary.succeeded = 3),
      ['summary.succeeded: must be 2 (counted in media), received 3'],
    ],
    [
      'a failed count that is off',
      (r) => (r.summary.failed = 0),
      ['summary.failed: must be 1 (counted in media), received 0'],
    ],
    [
      'the same media twice',
      (r) => (r.media[1] = { ...at(r.media, 0) }),
      [`media[1].mediaId: duplicate mediaId ${photoId} (also at media[0])`],
    ],
    [
      '"succeeded" with a failed item',
      (r) => (r.status = 'succeeded'),
      [
        'status: cannot be "succeeded" with 2 succeeded, 1 failed and 0 listing errors (succeeded: some succeeded and nothing failed; partially_failed: some succeeded and something failed; failed: none succeeded)',
      ],
    ],
    [
      '"failed" with succeeded items',
      (r) => (r.status = 'failed'),
      [expect.stringMatching(/^status: cannot be "failed" with 2 succeeded/)],
    ],
  ];

  it.each(contradictions)('rejects a result with %s', (_label, mutate, expected) => {
    const input = clone(result());
    mutate(input);
    expect(issuesOf(ListingMediaResult, input)).toEqual(expected);
  });

  it('rejects "partially_failed" when nothing failed, and "succeeded" with a listing error', () => {
    const allGood = clone(result());
    allGood.media.pop();
    allGood.summary = { total: 2, succeeded: 2, failed: 0 };
    expect(issuesOf(ListingMediaResult, allGood)).toEqual([
      expect.stringMatching(
        /^status: cannot be "partially_failed" with 2 succeeded, 0 failed and 0/,
      ),
    ]);
    allGood.status = 'succeeded';
    allGood.errors = [{ code: 'ZIP_FAILED', message: 'S3 said no' }];
    allGood.zip = null;
    expect(issuesOf(ListingMediaResult, allGood)).toEqual([
      expect.stringMatching(/^status: cannot be "succeeded" .* and 1 listing errors/),
    ]);
  });

  it('rejects a completedAt with an offset or without seconds', () => {
    for (const completedAt of ['2026-11-18T12:34:56+01:00', '2026-11-18T12:34Z', '18/11/2026']) {
      expect(issuesOf(ListingMediaResult, { ...result(), completedAt })).toEqual([
        expect.stringMatching(/^completedAt: /),
      ]);
    }
  });
});

describe('WebhookPayload', () => {
  it('accepts a listing.media.processed event', () => {
    expect(parse(WebhookPayload, webhook())).toEqual(webhook());
  });

  it('reports problems inside data with their full path', () => {
    const input = clone(webhook());
    input.data.media[0] = { ...at(input.data.media, 0), mediaId: 'x' } as never;
    (input as { type: string }).type = 'listing.media.deleted';

    const error = (safeParse(WebhookPayload, input) as { error: ContractError }).error;

    expect(error.issues.map((i) => i.path)).toEqual(['type', 'data.media[0].mediaId']);
    expect(error.message).toMatch(/^Invalid WebhookPayload: type: /);
  });
});
