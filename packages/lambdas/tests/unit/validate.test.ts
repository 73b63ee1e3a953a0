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

  it('is given a parsed request: an invalid one is refused while the payload is parsed, named as a ProcessingRequest', () => {
    const parsed = ValidateInput.safeParse.bind(ValidateInput);

    expect(() =>
      parsed({ request: { ...sampleRequest(), media: [] }, executionName: 'x' }),
    ).toThrow('Invalid ProcessingRequest: media: must list at least one media item');
  });
});
