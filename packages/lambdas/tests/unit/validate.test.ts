import { ProcessingRequest, parse, rawKey, type MediaItem } from '@toq/contracts';
import { describe, expect, it } from 'vitest';
import { requestStateKey, validationStateKey } from '../../src/domain/state-keys.ts';
import { ValidateInput, validateListing } from '../../src/domain/validate.ts';
import type { ObjectInfo } from '../../src/ports/object-store.ts';
import { LISTING_ID, SCOPE, sampleRequest, silentLogger } from '../setup/fixtures.ts';
import { MemoryObjectStore } from '../setup/memory-store.ts';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const LIMITS = { photo: 50 * 1024 * 1024, video: 5 * 1024 ** 3 };

/** A store that counts the HEADs in flight, each one answering a little later. */
class SlowHeadStore extends MemoryObjectStore {
  inFlight = 0;
  mostInFlight = 0;

  override async head(key: string): Promise<ObjectInfo | undefined> {
    this.inFlight += 1;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 2));
    this.inFlight -= 1;
    return super.head(key);
  }
}

function photos(count: number): MediaItem[] {
  return Array.from({ length: count }, (_, i) => ({
    mediaId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    mediaType: 'photo',
    ext: 'jpg',
  }));
}

describe('validate (validateListing)', () => {
  it('checks at most 16 items at once, reports them in request order and records request.json and validation.json', async () => {
    // Prepare
    const store = new SlowHeadStore();
    const media = photos(40);
    for (const item of media.slice(0, 39)) {
      store.seed(rawKey({ listingId: LISTING_ID, ...item }), JPEG, 'image/jpeg');
    }
    const request = parse(ProcessingRequest, sampleRequest({ media }));
    const input = parse(ValidateInput, { request, executionName: SCOPE.executionName });

    // Act
    const result = await validateListing(input, { store, limits: LIMITS, logger: silentLogger });

    // Assess
    expect(store.mostInFlight).toBe(16);
    expect(result.ctx).toEqual(SCOPE);
    expect(result.photos.map((p) => p.mediaId)).toEqual(media.slice(0, 39).map((m) => m.mediaId));
    expect(store.json(requestStateKey(SCOPE))).toEqual(request);
    expect(store.json(validationStateKey(SCOPE))).toMatchObject({
      rejected: [{ mediaId: media[39]?.mediaId, error: { code: 'OBJECT_NOT_FOUND' } }],
    });
  });

  it('reads the request a pointer points at from request.json, leaving the record as start wrote it', async () => {
    // Prepare
    const store = new MemoryObjectStore();
    const [photo] = photos(1);
    if (photo === undefined) throw new Error('no photo');
    store.seed(rawKey({ listingId: LISTING_ID, ...photo }), JPEG, 'image/jpeg');
    const request = parse(ProcessingRequest, sampleRequest({ media: [photo] }));
    const recorded = JSON.stringify(request, null, 2);
    store.seed(requestStateKey(SCOPE), recorded, 'application/json');
    const pointer = { storedRequest: { listingId: LISTING_ID, requestId: SCOPE.requestId } };

    // Act
    const input = parse(ValidateInput, { request: pointer, executionName: SCOPE.executionName });
    const result = await validateListing(input, { store, limits: LIMITS, logger: silentLogger });

    // Assess
    expect(result).toEqual({
      ctx: SCOPE,
      photos: [{ mediaId: photo.mediaId, ext: 'jpg' }],
      videos: [],
    });
    expect(store.objects.get(requestStateKey(SCOPE))?.body.toString('utf8')).toBe(recorded);
    expect(store.json(validationStateKey(SCOPE))).toMatchObject({ rejected: [] });
  });

  it.each([
    [
      'there is no request.json',
      () => undefined,
      `The execution's input points at the stored request ${requestStateKey(SCOPE)}, and there is none`,
    ],
    [
      'request.json is another request',
      (store: MemoryObjectStore) =>
        store.seed(
          requestStateKey(SCOPE),
          JSON.stringify(sampleRequest({ requestId: 'req-other' })),
          'application/json',
        ),
      `The stored request ${requestStateKey(SCOPE)} is for ${LISTING_ID}/req-other: expected ${LISTING_ID}/${SCOPE.requestId}`,
    ],
    [
      'request.json is not a request',
      (store: MemoryObjectStore) => store.seed(requestStateKey(SCOPE), '{"schemaVersion":1}'),
      `The stored request is not a ProcessingRequest: Invalid record at "${requestStateKey(SCOPE)}"`,
    ],
  ])(
    'refuses a pointer when %s, as an invalid request (never retried)',
    async (_, given, message) => {
      // Prepare
      const store = new MemoryObjectStore();
      given(store);
      const input = parse(ValidateInput, {
        request: { storedRequest: { listingId: LISTING_ID, requestId: SCOPE.requestId } },
        executionName: SCOPE.executionName,
      });

      // Act
      const error = await validateListing(input, {
        store,
        limits: LIMITS,
        logger: silentLogger,
      }).catch((e: unknown) => e);

      // Assess
      expect(error).toMatchObject({ name: 'InvalidRequestError' });
      expect((error as Error).message).toContain(message);
      expect(store.objects.has(validationStateKey(SCOPE))).toBe(false);
    },
  );

  it('refuses a malformed pointer while the payload is parsed, naming it', () => {
    const parsed = ValidateInput.safeParse.bind(ValidateInput);

    expect(() =>
      parsed({
        request: { storedRequest: { listingId: '../x', requestId: SCOPE.requestId }, media: [] },
        executionName: 'x',
      }),
    ).toThrow(
      /^Invalid stored request pointer: storedRequest\.listingId: .*; \(root\): Unrecognized key: "media"$/,
    );
  });

  it('is given a parsed request: an invalid one is refused while the payload is parsed, named as a ProcessingRequest', () => {
    const parsed = ValidateInput.safeParse.bind(ValidateInput);

    expect(() =>
      parsed({ request: { ...sampleRequest(), media: [] }, executionName: 'x' }),
    ).toThrow('Invalid ProcessingRequest: media: must list at least one media item');
  });
});
