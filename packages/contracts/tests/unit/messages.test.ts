import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import {
  CallbackTarget,
  ContractError,
  MAX_MEDIA_PER_REQUEST,
  MediaItem,
  ProcessingRequest,
  parse,
  safeParse,
} from '@toq/contracts';
import { badPhotoId, clone, listingId, mediaOf, photoId, request } from '../support/examples';

/** Parses `input`, which must fail, and returns the error's issues as `path: message` lines. */
function issuesOf(input: unknown, schema = ProcessingRequest): string[] {
  const result = safeParse(schema, input);
  expect(result.ok).toBe(false);
  if (result.ok) return [];
  return result.error.issues.map((issue) => `${issue.path}: ${issue.message}`);
}

describe('ProcessingRequest', () => {
  it('accepts a request and normalises ids and extensions to lowercase', () => {
    const input = request();
    input.listingId = listingId.toUpperCase();
    input.media[0] = { mediaId: photoId.toUpperCase(), mediaType: 'photo', ext: 'JPEG' };

    const parsed = parse(ProcessingRequest, input);

    expect(parsed).toEqual({
      ...request(),
      media: [{ mediaId: photoId, mediaType: 'photo', ext: 'jpeg' }, ...request().media.slice(1)],
    });
  });

  it('accepts the largest manifest allowed', () => {
    const input = request();
    input.media = Array.from({ length: MAX_MEDIA_PER_REQUEST }, (_, i) => ({
      mediaId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      mediaType: 'photo' as const,
      ext: 'png',
    }));
    expect(parse(ProcessingRequest, input).media).toHaveLength(MAX_MEDIA_PER_REQUEST);
  });

  it.each([
    ['http on loopback (local development)', 'http://127.0.0.1:8080/hooks'],
    ['a port and a query', 'https://backend.example.com:8443/hooks/media?tenant=br'],
    ['an upper-case scheme', 'HTTPS://backend.example.com/hooks'],
    ['a punycode host', 'https://xn--bcher-kva.example/hooks'],
  ])('accepts a callback URL with %s', (_label, url) => {
    expect(parse(CallbackTarget, { url })).toEqual({ url });
  });

  const mutations: readonly (readonly [string, (r: Record<string, unknown>) => void, RegExp])[] = [
    ['schemaVersion 2', (r) => (r.schemaVersion = 2), /^schemaVersion: .*1/],
    ['schemaVersion "1"', (r) => (r.schemaVersion = '1'), /^schemaVersion: /],
    ['no schemaVersion', (r) => delete r.schemaVersion, /^schemaVersion: /],
    [
      'an empty requestId',
      (r) => (r.requestId = ''),
      /^requestId: must be 1-40 characters.*received ""/,
    ],
    ['a 41-character requestId', (r) => (r.requestId = 'r'.repeat(41)), /^requestId: must be 1-40/],
    ['a requestId with a space', (r) => (r.requestId = 'req 1'), /^requestId: .*received "req 1"/],
    ['a requestId with a slash', (r) => (r.requestId = 'a/b'), /^requestId: /],
    ['no requestId', (r) => delete r.requestId, /^requestId: /],
    [
      'a listingId with a dot',
      (r) => (r.listingId = 'listing.42'),
      /^listingId: must be 1-128 characters .*received "listing\.42", which has "\." at position 8$/,
    ],
    [
      'a numeric listingId (a number, not a string)',
      (r) => (r.listingId = 42),
      /^listingId: must be 1-128 characters .*received 42$/,
    ],
    ['no media', (r) => (r.media = []), /^media: must list at least one media item/],
    ['media not an array', (r) => (r.media = {}), /^media: /],
    [
      'too many media',
      (r) =>
        (r.media = Array.from(
          { length: MAX_MEDIA_PER_REQUEST + 1 },
          () => (r.media as unknown[])[0],
        )),
      /^media: must list at most 2000 media items/,
    ],
    ['a media item without mediaId', (r) => delete mediaOf(r, 1).mediaId, /^media\[1\]\.mediaId: /],
    [
      'a media item with a bad mediaId',
      (r) => (mediaOf(r, 1).mediaId = '..'),
      /^media\[1\]\.mediaId: must be a UUID.*received "\.\."/,
    ],
    ['an audio media item', (r) => (mediaOf(r, 1).mediaType = 'audio'), /^media\[1\]\.mediaType: /],
    [
      'an unknown extension',
      (r) => (mediaOf(r, 0).ext = 'exe'),
      /^media\[0\]\.ext: must be one of jpg, .*received "exe"/,
    ],
    [
      'a photo with a video extension',
      (r) => (mediaOf(r, 0).ext = 'MOV'),
      /^media\[0\]\.ext: must be a photo extension \(jpg, .*received "mov"/,
    ],
    [
      'a video with a photo extension',
      (r) => (mediaOf(r, 1).ext = 'png'),
      /^media\[1\]\.ext: must be a video extension/,
    ],
    ['zero bytes', (r) => (mediaOf(r, 0).bytes = 0), /^media\[0\]\.bytes: /],
    ['fractional bytes', (r) => (mediaOf(r, 0).bytes = 1.5), /^media\[0\]\.bytes: /],
    ['bytes as a string', (r) => (mediaOf(r, 0).bytes = '100'), /^media\[0\]\.bytes: /],
    [
      'an unknown media item field',
      (r) => (mediaOf(r, 0).path = '/etc/passwd'),
      /^media\[0\]: Unrecognized key: "path"/,
    ],
    [
      'a duplicate mediaId in another case',
      (r) => (mediaOf(r, 2).mediaId = photoId.toUpperCase()),
      new RegExp(
        `^media\\[2\\]\\.mediaId: duplicate mediaId ${photoId} \\(also at media\\[0\\]\\)`,
      ),
    ],
    ['no callback', (r) => delete r.callback, /^callback: /],
    ['a callback without url', (r) => (r.callback = {}), /^callback\.url: /],
    [
      'an ftp callback',
      (r) => (r.callback = { url: 'ftp://backend.example.com/x' }),
      /^callback\.url: must be an absolute http\(s\) URL/,
    ],
    [
      'a javascript: callback',
      (r) => (r.callback = { url: 'javascript:alert(1)' }),
      /^callback\.url: must be an absolute http\(s\) URL/,
    ],
    [
      'a callback with spaces around it',
      (r) => (r.callback = { url: ' https://backend.example.com/x ' }),
      /^callback\.url: /,
    ],
    [
      'a callback with a newline inside',
      (r) => (r.callback = { url: 'https://backend.exa\nmple.com/x' }),
      /^callback\.url: .*\\u\{a\}/,
    ],
    [
      'a callback with a non-ASCII host',
      (r) => (r.callback = { url: 'https://bücher.example/hooks' }),
      /^callback\.url: .*printable ASCII/,
    ],
    [
      'an unparseable callback',
      (r) => (r.callback = { url: 'https://exa[mple.com/x' }),
      /^callback\.url: must be a valid URL/,
    ],
    [
      'a 2049-character callback',
      (r) => (r.callback = { url: `https://backend.example.com/${'a'.repeat(2021)}` }),
      /^callback\.url: must be at most 2048 characters/,
    ],
    [
      'an unknown callback field',
      (r) => (r.callback = { url: 'https://a.example/x', secret: 's' }),
      /^callback: Unrecognized key: "secret"/,
    ],
    [
      'an unknown top-level field',
      (r) => (r.priority = 'high'),
      /^\(root\): Unrecognized key: "priority"/,
    ],
  ];

  it.each(mutations)('rejects a request with %s', (_label, mutate, expected) => {
    const input = clone(request()) as unknown as Record<string, unknown>;
    mutate(input);
    const issues = issuesOf(input);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(expected);
  });

  it.each([null, undefined, 'a string', 42, [], true])('rejects %s as a request', (input) => {
    expect(issuesOf(input)).toEqual([expect.stringMatching(/^\(root\): .*expected object/)]);
  });

  it('lists every problem in one ContractError, with paths, never a bare ZodError', () => {
    const input = {
      schemaVersion: 2,
      requestId: 'bad id',
      listingId: '../x',
      media: [
        { mediaId: 'nope', mediaType: 'photo', ext: 'jpg' },
        { mediaId: photoId, mediaType: 'audio', ext: 'mp3' },
      ],
      callback: { url: 'ftp://x' },
      extra: true,
    };

    let thrown: unknown;
    try {
      parse(ProcessingRequest, input);
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(ContractError);
    expect(thrown).not.toBeInstanceOf(ZodError);
    const error = thrown as ContractError;
    expect(error).toMatchObject({ name: 'ContractError', code: 'INVALID_INPUT' });
    expect(error.cause).toBeInstanceOf(ZodError);
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'schemaVersion',
      'requestId',
      'listingId',
      'media[0].mediaId',
      'media[1].mediaType',
      'media[1].ext',
      'callback.url',
      '(root)',
    ]);
    expect(error.message).toMatch(/^Invalid ProcessingRequest: schemaVersion: .*; requestId: /);
    for (const issue of error.issues) expect(error.message).toContain(issue.message);
  });

  it('spells out ten problems in the message and keeps all of them in issues', () => {
    const input = request();
    input.media = Array.from({ length: 25 }, (_, i) => ({
      mediaId: `bad-${i}`,
      mediaType: 'photo' as const,
      ext: 'jpg',
    }));

    const result = safeParse(ProcessingRequest, input);

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.issues).toHaveLength(25);
    expect(result.error.message).toContain('media[9].mediaId');
    expect(result.error.message).not.toContain('media[10].mediaId');
    expect(result.error.message).toMatch(/and 15 more \(see \.issues\)$/);
  });

  it('escapes invisible characters of the input in paths and messages', () => {
    const input = { ...request(), ['x\u202Egpj.exe']: 1, requestId: 'a\u202Eb' };

    const error = (safeParse(ProcessingRequest, input) as { error: ContractError }).error;

    expect(error.message).not.toMatch(/[\p{Cc}\p{Cf}]/u);
    expect(error.message).toContain('x\\u{202e}gpj.exe');
    expect(error.message).toContain('received "a\\u{202e}b"');
  });

  it('cuts a long received value to 40 characters and says how long it was', () => {
    const [issue] = issuesOf({ ...request(), requestId: 'x'.repeat(10_240) });
    expect(issue).toContain(`received "${'x'.repeat(40)}…" (10240 characters)`);
  });
});

describe('MediaItem', () => {
  it('accepts an item without bytes', () => {
    expect(parse(MediaItem, { mediaId: badPhotoId, mediaType: 'photo', ext: 'HEIF' })).toEqual({
      mediaId: badPhotoId,
      mediaType: 'photo',
      ext: 'heif',
    });
  });
});
