import { describe, expect, it } from 'vitest';
import {
  ContractError,
  ListingId,
  ProcessingRequest,
  parseMediaKey,
  processedPrefix,
  rawKey,
  rawPrefix,
  renditionKey,
  safeParse,
  zipKey,
} from '@toq/contracts';
import { request } from '../support/examples';

const mediaId = '0b7c1a52-1f0e-4c7e-9a51-6f6d2a7b9c10';

/** The one issue message `ListingId` gives for `input`. */
function problemWith(input: unknown): string {
  const result = safeParse(ListingId, input);
  expect(result.ok).toBe(false);
  if (result.ok) return '';
  expect(result.error).toBeInstanceOf(ContractError);
  expect(result.error.issues).toHaveLength(1);
  return result.error.issues[0]?.message ?? '';
}

const EXPECTED =
  'must be 1-128 characters of A-Z a-z 0-9 _ -, starting with a letter or digit (a UUID, an integer such as 12345 or a slug such as maison-rue-1_b), received';

describe('ListingId', () => {
  it.each([
    ['an integer', '12345'],
    ['a slug', 'maison-rue-1_b'],
    ['a single digit', '7'],
    ['a slug in upper case, kept as given', 'ABC-12'],
    ['128 characters', `a${'b'.repeat(127)}`],
    ['a UUID in lowercase', '4f8c1d2e-7b3a-4c5d-9e8f-0a1b2c3d4e5f'],
    ['a longer id that starts like a UUID', '4F8C1D2E-7B3A-4C5D-9E8F-0A1B2C3D4E5F-2'],
  ])('accepts %s as it is', (_label, id) => {
    expect(safeParse(ListingId, id)).toEqual({ ok: true, value: id });
  });

  it.each([
    ['a UUID', '4F8C1D2E-7B3A-4C5D-9E8F-0A1B2C3D4E5F'],
    ['any id of a UUID’s shape (version 0 here)', 'ABCDEF01-2345-0789-ABCD-EF0123456789'],
  ])('lowercases %s', (_label, id) => {
    expect(safeParse(ListingId, id)).toEqual({ ok: true, value: id.toLowerCase() });
  });

  it('keeps ids that differ only in case apart: S3 keys are case-sensitive', () => {
    expect(rawPrefix('ABC-12')).toBe('ABC-12/raw/');
    expect(rawPrefix('abc-12')).toBe('abc-12/raw/');
  });

  it.each([
    ['a dot', 'a.b', `${EXPECTED} "a.b", which has "." at position 2`],
    ['a slash', 'a/b', `${EXPECTED} "a/b", which has "/" at position 2`],
    ['dot dot', '..', `${EXPECTED} "..", which starts with "."`],
    ['an empty string', '', `${EXPECTED} an empty string`],
    ['a space', 'maison rue', `${EXPECTED} "maison rue", which has " " at position 7`],
    [
      'a trailing newline',
      '12345\n',
      `${EXPECTED} "12345\\u{a}", which has "\\u{a}" at position 6`,
    ],
    [
      'a letter outside ASCII',
      'café',
      `${EXPECTED} "caf\\u{e9}", which has "\\u{e9}" at position 4`,
    ],
    ['an emoji', 'a📷', `${EXPECTED} "a\\u{1f4f7}", which has "\\u{1f4f7}" at position 2`],
    [
      'a leading "_" (the pipeline’s own prefix)',
      '_pipeline',
      `${EXPECTED} "_pipeline", which starts with "_"`,
    ],
    ['a leading "-"', '-1', `${EXPECTED} "-1", which starts with "-"`],
    ['129 characters', `a${'b'.repeat(128)}`, `${EXPECTED} 129 characters`],
    ['a number', 12345, `${EXPECTED} 12345`],
    ['null', null, `${EXPECTED} null`],
  ])('refuses %s with a message that says why', (_label, input, message) => {
    expect(problemWith(input)).toBe(message);
  });

  it('is what a ProcessingRequest takes, the error naming the field', () => {
    const ok = safeParse(ProcessingRequest, { ...request(), listingId: 'maison-rue-1_b' });
    expect(ok.ok && ok.value.listingId).toBe('maison-rue-1_b');
    const bad = safeParse(ProcessingRequest, { ...request(), listingId: 'a.b' });
    expect(bad.ok ? [] : bad.error.issues.map((issue) => issue.path)).toEqual(['listingId']);
  });
});

describe('keys of opaque listing ids', () => {
  it.each(['12345', 'maison-rue-1_b', 'ABC-12', `x${'9'.repeat(127)}`])(
    'build and parse back for %s',
    (listingId) => {
      const raw = rawKey({ listingId, mediaType: 'photo', mediaId, ext: 'JPG' });
      const rendition = renditionKey({
        listingId,
        mediaType: 'video',
        size: 'large',
        mediaId,
        ext: 'mp4',
      });
      expect(raw).toBe(`${listingId}/raw/photo/${mediaId}.jpg`);
      expect(rendition.startsWith(processedPrefix(listingId))).toBe(true);
      expect(zipKey(listingId)).toBe(`${listingId}/processed/zip/${listingId}.zip`);
      expect(parseMediaKey(raw)).toEqual({
        kind: 'raw',
        listingId,
        mediaType: 'photo',
        mediaId,
        ext: 'jpg',
      });
      expect(parseMediaKey(rendition)).toMatchObject({ kind: 'rendition', listingId });
      expect(parseMediaKey(zipKey(listingId))).toEqual({ kind: 'zip', listingId });
    },
  );

  it('lowercases a UUID listing id in every key, and parses only the lowercase key', () => {
    const upper = '4F8C1D2E-7B3A-4C5D-9E8F-0A1B2C3D4E5F';
    const lower = upper.toLowerCase();
    expect(zipKey(upper)).toBe(`${lower}/processed/zip/${lower}.zip`);
    expect(() => parseMediaKey(`${upper}/processed/zip/${upper}.zip`)).toThrow(
      /is not in canonical form/,
    );
  });

  it('refuses a key whose listing segment is not a listing id', () => {
    for (const key of [
      `_pipeline/raw/photo/${mediaId}.jpg`,
      `a.b/raw/photo/${mediaId}.jpg`,
      `/raw/photo/${mediaId}.jpg`,
    ]) {
      expect(() => parseMediaKey(key)).toThrow(ContractError);
    }
  });
});
