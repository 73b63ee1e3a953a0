import { afterEach, describe, expect, it } from 'vitest';
import {
  ContractError,
  parseMediaKey,
  processedPrefix,
  rawKey,
  rawPrefix,
  renditionKey,
  zipEntryPath,
  zipKey,
} from '@toq/contracts';

const listingId = '4f8c1d2e-7b3a-4c5d-9e8f-0a1b2c3d4e5f';
const mediaId = '0b7c1a52-1f0e-4c7e-9a51-6f6d2a7b9c10';

/**
 * Inputs seen in path traversal, spoofing and parser-confusion attacks. None is a valid part, but
 * for the few a listing id may be (see {@link isListingId}).
 */
const HOSTILE: readonly (readonly [string, string])[] = [
  ['empty', ''],
  ['dot', '.'],
  ['dot dot', '..'],
  ['traversal', '../../etc/passwd'],
  ['percent-encoded dots', '%2e%2e'],
  ['percent-encoded slash', '%2F'],
  ['double-encoded dots', '%252e%252e'],
  ['slash', '/'],
  ['backslash traversal', '..\\..\\windows'],
  ['division slash U+2215', '\u2215'],
  ['fullwidth solidus U+FF0F', '\uFF0F'],
  ['fraction slash U+2044', '\u2044'],
  ['big solidus U+29F8', '\u29F8'],
  ['fullwidth full stop U+FF0E', '\uFF0E\uFF0E'],
  ['one dot leader U+2024', '\u2024\u2024'],
  ['NUL', '\0'],
  ['NUL-terminated extension', 'jpg\0.exe'],
  ['trailing newline', `${mediaId}\n`],
  ['CRLF', `${mediaId}\r\n`],
  ['leading space', ` ${mediaId}`],
  ['tab', 'jp\tg'],
  ['RTL override', `${mediaId.slice(0, 30)}\u202Egpj`],
  ['zero-width space', `jp\u200Bg`],
  ['BOM', `\uFEFF${mediaId}`],
  ['line separator U+2028', `${mediaId}\u2028`],
  ['next line U+0085', `jpg\u0085`],
  ['Kelvin sign (lowercases to k)', '\u212A'],
  ['dotted capital I (lowercases to 2 code points)', '\u0130'],
  ['Cyrillic look-alike extension', 'j\u0440g'],
  ['fullwidth digits in a UUID', mediaId.replace('0', '\uFF10')],
  ['lone surrogate', '\uD800'],
  ['emoji', '\u{1F4F7}'],
  ['10 kB string', 'a'.repeat(10_240)],
  ['10 kB of slashes and dots', '../'.repeat(3_414)],
  ['__proto__', '__proto__'],
  ['constructor', 'constructor'],
  ['prototype', 'prototype'],
  ['toString', 'toString'],
  ['hasOwnProperty', 'hasOwnProperty'],
  ['UUID with braces', `{${mediaId}}`],
  ['UUID without dashes', mediaId.replaceAll('-', '')],
  ['UUID with a path', `${mediaId}/../${mediaId}`],
  ['double extension', 'jpg.exe'],
  ['extension with a dot', '.jpg'],
  ['URL', 'https://evil.example/x.jpg'],
  ['Windows drive', 'C:\\x'],
  ['glob', '*'],
  ['template', '${listingId}'],
];

/**
 * Whether `value` is a valid listing id (1-128 of `A-Z a-z 0-9 _ -`, starting with a letter or
 * digit): `constructor`, `toString` or a UUID without dashes are, as a slug would be.
 */
const isListingId = (value: string) => /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(value);
const HOSTILE_LISTING_IDS = HOSTILE.filter(([, value]) => !isListingId(value));

/** Runs `act`, which must throw a ContractError with `code`, and returns it. */
function contractErrorOf(act: () => unknown, code: ContractError['code']): ContractError {
  let thrown: unknown;
  try {
    act();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ContractError);
  const error = thrown as ContractError;
  expect(error.name).toBe('ContractError');
  expect(error.code).toBe(code);
  return error;
}

/** The message must quote the input without any invisible or layout-changing character. */
function expectPrintableMessage(error: ContractError): void {
  expect(error.message).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u);
  expect(error.message.length).toBeLessThan(2_000);
}

const rawParts = { listingId, mediaType: 'photo', mediaId, ext: 'jpg' } as const;
const renditionParts = {
  listingId,
  mediaType: 'photo',
  size: 'large',
  mediaId,
  ext: 'jpg',
} as const;
const entryParts = { mediaType: 'photo', size: 'large', mediaId, ext: 'jpg' } as const;

const BUILDERS = [
  ['rawKey', rawParts, (p: object) => rawKey(p as never)],
  ['renditionKey', renditionParts, (p: object) => renditionKey(p as never)],
  ['zipEntryPath', entryParts, (p: object) => zipEntryPath(p as never)],
] as const;

const ID_BUILDERS = [
  ['zipKey', zipKey],
  ['rawPrefix', rawPrefix],
  ['processedPrefix', processedPrefix],
] as const;

describe.each(BUILDERS)('%s with a hostile part', (_name, valid, build) => {
  const cases = Object.keys(valid).flatMap((field) =>
    (field === 'listingId' ? HOSTILE_LISTING_IDS : HOSTILE).map(
      ([label, value]) => [field, label, value] as const,
    ),
  );

  it.each(cases)('rejects %s = %s, naming that part', (field, _label, value) => {
    const error = contractErrorOf(() => build({ ...valid, [field]: value }), 'INVALID_INPUT');
    expect(error.issues.map((issue) => issue.path)).toEqual([field]);
    expectPrintableMessage(error);
  });
});

describe.each(ID_BUILDERS)('%s with a hostile listing id', (_name, build) => {
  it.each(HOSTILE_LISTING_IDS)('rejects %s', (_label, value) => {
    const error = contractErrorOf(() => build(value), 'INVALID_INPUT');
    expect(error.issues).toHaveLength(1);
    expectPrintableMessage(error);
  });
});

describe('a listing id that only looks hostile', () => {
  const names = HOSTILE.filter(([, value]) => isListingId(value));

  it('is one of a few: constructor, prototype, toString, hasOwnProperty, a UUID without dashes', () => {
    expect(names.map(([label]) => label).sort()).toEqual(
      ['UUID without dashes', 'constructor', 'hasOwnProperty', 'prototype', 'toString'].sort(),
    );
  });

  it.each(names)('takes %s as the opaque id it is, kept as given', (_label, value) => {
    expect(rawKey({ ...rawParts, listingId: value })).toBe(`${value}/raw/photo/${mediaId}.jpg`);
    expect(parseMediaKey(zipKey(value))).toEqual({ kind: 'zip', listingId: value });
  });
});

describe('parseMediaKey with a hostile key', () => {
  const keys = [
    rawKey(rawParts),
    renditionKey(renditionParts),
    renditionKey({ ...renditionParts, mediaType: 'video', ext: 'mp4' }),
    zipKey(listingId),
  ];

  it.each(HOSTILE)('rejects %s as the whole key', (_label, value) => {
    expectPrintableMessage(contractErrorOf(() => parseMediaKey(value), 'INVALID_KEY'));
  });

  // A value that is a listing id makes another valid key in the listing's place (segment 0, or
  // prepended to it): those are the cases above, not hostile keys.
  const spliced = keys.flatMap((key) => {
    const segments = key.split('/');
    return HOSTILE.filter(([, value]) => value !== '').flatMap(([label, value]) => {
      const inListingPlace = isListingId(value) && !key.endsWith('.zip');
      return [
        ...segments
          .map(
            (_segment, i) =>
              [`${label} as segment ${i} of ${key}`, segments.with(i, value).join('/')] as const,
          )
          .filter((_, i) => !(i === 0 && inListingPlace)),
        [`${label} appended to ${key}`, key + value] as const,
        ...(inListingPlace ? [] : [[`${label} prepended to ${key}`, value + key] as const]),
      ];
    });
  });

  it.each(spliced)('rejects %s', (_label, key) => {
    expectPrintableMessage(contractErrorOf(() => parseMediaKey(key), 'INVALID_KEY'));
  });

  it.each([
    ['a leading slash', `/${keys[0]}`],
    ['a trailing slash', `${keys[0]}/`],
    ['an empty segment', keys[0]?.replace('/raw/', '/raw//')],
    ['upper case', keys[0]?.toUpperCase()],
    ['a date segment', keys[1]?.replace('/processed/', '/processed/2026/11/18/')],
    ['a zip named after another listing', keys[3]?.replace(/\/[^/]+\.zip$/, `/${mediaId}.zip`)],
    ['a rendition with a raw-only extension', keys[1]?.replace(/\.jpg$/, '.heic')],
    ['a photo in MP4', keys[1]?.replace(/\.jpg$/, '.mp4')],
    ['a video MP4 below large', keys[2]?.replace('/large/', '/small/')],
    ['a 2 kB key', `${keys[0]}${'a'.repeat(2_048)}`],
  ])('rejects a key with %s', (_label, key) => {
    contractErrorOf(() => parseMediaKey(key as string), 'INVALID_KEY');
  });

  it.each([null, undefined, 42, {}, [], Object.create(null), Symbol('key')])(
    'rejects a non-string (%s) without throwing anything else',
    (value) => {
      const error = contractErrorOf(() => parseMediaKey(value as never), 'INVALID_KEY');
      expect(error.message).toContain('is not a string');
    },
  );
});

describe('parts from untrusted JSON', () => {
  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>).polluted;
  });

  it('ignores an own __proto__ property and pollutes nothing', () => {
    const parts = JSON.parse(
      `{"listingId":"${listingId}","mediaType":"photo","mediaId":"${mediaId}","ext":"jpg","__proto__":{"polluted":true,"ext":"exe"}}`,
    );
    expect(rawKey(parts)).toBe(`${listingId}/raw/photo/${mediaId}.jpg`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('does not take a part from the prototype chain of a null-prototype object', () => {
    const parts = Object.assign(Object.create(null), { ...rawParts, ext: undefined });
    const error = contractErrorOf(() => rawKey(parts), 'INVALID_INPUT');
    expect(error.issues.map((issue) => issue.path)).toEqual(['ext']);
  });

  it.each([null, undefined, 'key', 42, []])('rejects %s as the parts object', (parts) => {
    const error = contractErrorOf(() => rawKey(parts as never), 'INVALID_INPUT');
    expect(error.issues[0]?.path).toBe('(root)');
  });
});
