import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ContractError,
  MEDIA_EXTENSIONS,
  RENDITION_EXTENSIONS,
  RENDITION_SIZES,
  parseMediaKey,
  processedPrefix,
  rawKey,
  rawPrefix,
  renditionKey,
  zipEntryPath,
  zipKey,
  type ParsedMediaKey,
} from '@toq/contracts';

const RUNS = { numRuns: 3000 };

/**
 * What a safe key looks like, checked rule by rule (so a failure names the rule) and then as a
 * whole: only ASCII letters, digits, `_`, `-`, `.` and `/` between non-empty segments that start
 * with a letter or digit (upper case and `_` come from a listing id only: the layout is checked
 * apart).
 */
function expectSafeKey(key: string, { prefix = false } = {}): void {
  const segments = key.split('/');
  if (prefix) expect(segments.pop()).toBe('');
  expect(key.startsWith('/')).toBe(false);
  expect(key).not.toContain('..');
  expect(key).not.toContain('\\');
  expect(key).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
  for (const segment of segments) {
    expect(segment).not.toBe('');
    expect(segment).not.toBe('.');
  }
  expect(key).toMatch(/^[A-Za-z0-9][\w.-]*(?:\/[A-Za-z0-9][\w.-]*)*\/?$/);
}

/** How often each outcome happened in a property, to prove both were exercised. */
const outcomes = { returned: 0, rejected: 0 };

/** Throws unless `act` returns a value or throws a ContractError with `code`. */
function resultOrContractError<T>(act: () => T, code: ContractError['code']): T | undefined {
  try {
    const value = act();
    outcomes.returned += 1;
    return value;
  } catch (error) {
    expect(error).toBeInstanceOf(ContractError);
    expect((error as ContractError).code).toBe(code);
    expect((error as ContractError).issues.length).toBeGreaterThan(0);
    outcomes.rejected += 1;
    return undefined;
  }
}

beforeEach(() => {
  outcomes.returned = 0;
  outcomes.rejected = 0;
});

/** A property over "any input" proves little unless inputs were both accepted and rejected. */
function expectBothOutcomes(): void {
  expect(outcomes.returned).toBeGreaterThan(RUNS.numRuns / 50);
  expect(outcomes.rejected).toBeGreaterThan(RUNS.numRuns / 50);
}

// ---- generators ----------------------------------------------------------------------------

/** Mixes the case of a string, letter by letter. */
const anyCase = (value: string) =>
  fc
    .array(fc.boolean(), { minLength: value.length, maxLength: value.length })
    .map((upper) =>
      [...value].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''),
    );

const uuid = fc.uuid().chain(anyCase);

/** A UUID's shape, 8-4-4-4-12 hex digits in any case, whatever its version and variant. */
const UUID_SHAPED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A listing id as parsing gives it: lowercase when UUID-shaped, else exactly as given. */
const canonicalListingId = (id: string) => (UUID_SHAPED.test(id) ? id.toLowerCase() : id);

/** Any valid listing id: a UUID or anything of its shape, an integer, a slug (in any case). */
const listingId = fc.oneof(
  uuid,
  fc.stringMatching(
    /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  ),
  fc.nat().map(String),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/),
);

/** Characters that make keys dangerous, and look-alikes of them. */
const NASTY_CHARACTERS = [
  '.',
  '/',
  '\\',
  '\0',
  '\n',
  '\r',
  '\t',
  ' ',
  '%',
  '2',
  'e',
  'E',
  'f',
  'F',
  '-',
  'a',
  'A',
  '\u2215',
  '\uFF0F',
  '\u2044',
  '\u29F8',
  '\uFF0E',
  '\u2024',
  '\u3002',
  '\u202E',
  '\u200B',
  '\uFEFF',
  '\u0085',
  '\u2028',
  '\u212A',
  '\u0130',
  '\uD800',
  '\u{1F4F7}',
];

/** Any string a caller could pass, biased towards the dangerous ones. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: fc.constantFrom(...NASTY_CHARACTERS), maxLength: 50 }),
  fc.constantFrom('', '.', '..', '%2e%2e', '%2F', '__proto__', 'constructor', 'toString'),
  fc.uuid().map((id) => `${id}/..`),
  fc.uuid().map((id) => `../${id}`),
  fc.uuid().map((id) => `${id}\n`),
);

/** A valid value with hostile text before or after it: `jpg/../x`, `..%2f{uuid}`. */
const spliced = (valid: fc.Arbitrary<string>) =>
  fc
    .tuple(valid, hostileString, fc.boolean())
    .map(([value, hostile, before]) => (before ? hostile + value : value + hostile));

/** A part: often a valid value, else a hostile or spliced string, or not a string at all. */
function part(valid: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 8, arbitrary: valid },
    { weight: 2, arbitrary: hostileString },
    { weight: 2, arbitrary: spliced(valid) },
    { weight: 1, arbitrary: fc.anything() },
  );
}

const mediaType = fc.constantFrom('photo' as const, 'video' as const);
const anyMediaExtension = fc.constantFrom(...MEDIA_EXTENSIONS.photo, ...MEDIA_EXTENSIONS.video);
const anyRenditionExtension = fc.constantFrom(
  ...RENDITION_EXTENSIONS.photo,
  ...RENDITION_EXTENSIONS.video,
);
const size = fc.constantFrom(...RENDITION_SIZES);

/** Valid raw-key parts, ids and extension in any case. */
const validRawParts = mediaType.chain((type) =>
  fc.record({
    listingId,
    mediaType: fc.constant(type),
    mediaId: uuid,
    ext: fc.constantFrom(...MEDIA_EXTENSIONS[type]).chain(anyCase),
  }),
);

/** Valid rendition parts: a format of the media type, a video's MP4 at `large` only. */
const validRenditionParts = mediaType.chain((type) =>
  fc
    .record({
      listingId,
      mediaType: fc.constant(type),
      size,
      mediaId: uuid,
      ext: fc.constantFrom(...RENDITION_EXTENSIONS[type]),
    })
    .map((parts) => (parts.ext === 'mp4' ? { ...parts, size: 'large' as const } : parts)),
);

/** The parts as a key holds them: the listing id canonical, every other string lowercase. */
const normalised = <T extends object>(parts: T): T =>
  Object.fromEntries(
    Object.entries(parts).map(([k, v]) => {
      if (typeof v !== 'string') return [k, v];
      return [k, k === 'listingId' ? canonicalListingId(v) : v.toLowerCase()];
    }),
  ) as T;

/** A built key of any kind. */
const builtKey = fc.oneof(
  validRawParts.map((p) => rawKey(p)),
  validRenditionParts.map((p) => renditionKey(p)),
  listingId.map((id) => zipKey(id)),
);

/** A key with one character inserted, replaced or removed, or its case changed. */
const mutatedKey = fc
  .tuple(builtKey, fc.nat(), fc.constantFrom(...NASTY_CHARACTERS), fc.integer({ min: 0, max: 3 }))
  .chain(([key, at, c, how]) => {
    const i = at % (key.length + 1);
    if (how === 0) return fc.constant(key.slice(0, i) + c + key.slice(i));
    if (how === 1) return fc.constant(key.slice(0, i) + c + key.slice(i + 1));
    if (how === 2) return fc.constant(key.slice(0, i) + key.slice(i + 1));
    return anyCase(key);
  });

function rebuild(parsed: ParsedMediaKey): string {
  if (parsed.kind === 'raw') return rawKey(parsed);
  if (parsed.kind === 'rendition') return renditionKey(parsed);
  return zipKey(parsed.listingId);
}

// ---- properties ----------------------------------------------------------------------------

describe('key builders, for any input', () => {
  type Parts = Record<string, string>;
  /** Each builder, the valid value of each part, and the layout its key must have (spec §2). */
  const builders = [
    [
      'rawKey',
      rawKey,
      { listingId, mediaType, mediaId: uuid, ext: anyMediaExtension },
      (p: Parts) => `${p.listingId}/raw/${p.mediaType}/${p.mediaId}.${p.ext}`,
    ],
    [
      'renditionKey',
      renditionKey,
      { listingId, mediaType, size, mediaId: uuid, ext: anyRenditionExtension },
      (p: Parts) => `${p.listingId}/processed/${p.mediaType}/${p.size}/${p.mediaId}.${p.ext}`,
    ],
    [
      'zipEntryPath',
      zipEntryPath,
      { mediaType, size, mediaId: uuid, ext: anyRenditionExtension },
      (p: Parts) => `${p.mediaType}/${p.size}/${p.mediaId}.${p.ext}`,
    ],
  ] as const;

  it.each(builders)(
    '%s throws a ContractError or builds a safe key of exactly its parts',
    (_name, build, valid, layout) => {
      const parts = fc.record(
        Object.fromEntries(Object.entries(valid).map(([field, arb]) => [field, part(arb)])),
      );
      fc.assert(
        fc.property(parts, (input) => {
          const key = resultOrContractError(() => build(input as never), 'INVALID_INPUT');
          if (key === undefined) return;
          expectSafeKey(key);
          expect(key).toBe(layout(normalised(input as Parts)));
        }),
        RUNS,
      );
      expectBothOutcomes();
    },
  );

  it('zipKey, rawPrefix and processedPrefix throw a ContractError or build safe keys', () => {
    fc.assert(
      fc.property(part(listingId), (input) => {
        const key = resultOrContractError(() => zipKey(input as string), 'INVALID_INPUT');
        if (key !== undefined) {
          expectSafeKey(key);
          const id = canonicalListingId(input as string);
          expect(key).toBe(`${id}/processed/zip/${id}.zip`);
        }
        for (const prefixOf of [rawPrefix, processedPrefix]) {
          const prefix = resultOrContractError(() => prefixOf(input as string), 'INVALID_INPUT');
          if (prefix !== undefined) expectSafeKey(prefix, { prefix: true });
        }
      }),
      RUNS,
    );
    expectBothOutcomes();
  });

  it('rejects every part that is not exactly valid, and only those', () => {
    fc.assert(
      fc.property(
        validRawParts,
        fc.constantFrom('listingId', 'mediaId', 'ext'),
        fc.oneof(
          hostileString,
          uuid,
          listingId,
          anyMediaExtension.chain(anyCase),
          spliced(fc.oneof(uuid, listingId, anyMediaExtension.chain(anyCase))),
        ),
        (parts, field, value) => {
          const key = resultOrContractError(
            () => rawKey({ ...parts, [field]: value }),
            'INVALID_INPUT',
          );
          const valid = {
            ext:
              (MEDIA_EXTENSIONS[parts.mediaType] as readonly string[]).includes(
                value.toLowerCase(),
              ) && /^[a-z0-9]+$/i.test(value),
            mediaId:
              /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(
                value,
              ),
            listingId: /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(value),
          }[field];
          expect(key !== undefined).toBe(valid);
        },
      ),
      RUNS,
    );
    expectBothOutcomes();
  });
});

describe('build, then parse', () => {
  it('gives back the parts of a raw key, normalised', () => {
    fc.assert(
      fc.property(validRawParts, (parts) => {
        expect(parseMediaKey(rawKey(parts))).toEqual({ kind: 'raw', ...normalised(parts) });
      }),
      RUNS,
    );
  });

  it('gives back the parts of a rendition key, normalised', () => {
    fc.assert(
      fc.property(validRenditionParts, (parts) => {
        expect(parseMediaKey(renditionKey(parts))).toEqual({
          kind: 'rendition',
          ...normalised(parts),
        });
      }),
      RUNS,
    );
  });

  it('gives back the listing of a zip key', () => {
    fc.assert(
      fc.property(listingId, (id) => {
        expect(parseMediaKey(zipKey(id))).toEqual({
          kind: 'zip',
          listingId: canonicalListingId(id),
        });
      }),
      RUNS,
    );
  });

  it('puts a rendition in the zip at its key without the listing and processed/ prefix', () => {
    fc.assert(
      fc.property(validRenditionParts, ({ listingId, ...entry }) => {
        expect(`${processedPrefix(listingId)}${zipEntryPath(entry)}`).toBe(
          renditionKey({ listingId, ...entry }),
        );
      }),
      RUNS,
    );
  });
});

describe('parse, then build', () => {
  it('rebuilds exactly the key that parsed, for any string', () => {
    fc.assert(
      fc.property(fc.oneof(builtKey, mutatedKey, hostileString), (key) => {
        const parsed = resultOrContractError(() => parseMediaKey(key), 'INVALID_KEY');
        if (parsed !== undefined) {
          expect(rebuild(parsed)).toBe(key);
          expectSafeKey(key);
        }
      }),
      RUNS,
    );
    expectBothOutcomes();
  });

  it('never accepts a key in another case than the one built', () => {
    fc.assert(
      fc.property(builtKey, (key) => {
        fc.pre(key !== key.toUpperCase());
        expect(() => parseMediaKey(key.toUpperCase())).toThrow(ContractError);
      }),
      RUNS,
    );
  });
});
