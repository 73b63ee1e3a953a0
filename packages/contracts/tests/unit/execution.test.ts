import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ContractError, executionName } from '@toq/contracts';

const uuid = '4f8c1d2e-7b3a-4c5d-9e8f-0a1b2c3d4e5f';

/** What Step Functions accepts as a name (and what CloudWatch can log): 1-80 of A-Z a-z 0-9 _ -. */
const STEP_FUNCTIONS_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** A listing id as parsing gives it: lowercase when UUID-shaped. */
const canonical = (id: string) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
    ? id.toLowerCase()
    : id;

const listingId = fc.oneof(
  fc.uuid(),
  fc.nat().map(String),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/),
  // Short ids made of few characters, "_" among them, so that pairs often read alike.
  fc.stringMatching(/^[a1][a1_-]{0,6}$/),
);
const requestId = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
  fc.stringMatching(/^[a1_-]{1,6}$/),
);

describe('executionName', () => {
  it('is {listingId}_{requestId} for a UUID listing, lowercased, even with the longest request id', () => {
    expect(executionName(uuid.toUpperCase(), 'req_42')).toBe(`${uuid}_req_42`);
    expect(executionName(uuid, 'r'.repeat(40))).toBe(`${uuid}_${'r'.repeat(40)}`);
  });

  it('is {listingId}_{requestId} for an integer or a slug without "_" that fits', () => {
    expect(executionName('12345', 'req-1')).toBe('12345_req-1');
    expect(executionName('maison-rue-1', 'req-1')).toBe('maison-rue-1_req-1');
    expect(executionName('ABC-12', 'req-1')).toBe('ABC-12_req-1');
  });

  it('is "_", the start of both ids and a hash when the listing id has "_" or the name is too long', () => {
    const slug = executionName('maison-rue-1_b', 'req-1');
    expect(slug).toMatch(/^_maison-rue-1_b_req-1_[0-9a-f]{24}$/);
    const long = executionName('x'.repeat(128), 'r'.repeat(40));
    expect(long).toMatch(new RegExp(`^_${'x'.repeat(54)}_[0-9a-f]{24}$`));
  });

  it('tells apart the pairs that would read alike joined by "_"', () => {
    const names = [
      executionName('a_b', 'c'),
      executionName('a', 'b_c'),
      executionName('a_b_c', 'd'),
      executionName('a_b', 'c_d'),
      executionName('a', 'b_c_d'),
    ];
    expect(new Set(names).size).toBe(names.length);
  });

  it('is always a name Step Functions accepts, the same for the same pair, and starts readable', () => {
    fc.assert(
      fc.property(listingId, requestId, (listing, request) => {
        const name = executionName(listing, request);
        expect(name).toMatch(STEP_FUNCTIONS_NAME);
        expect(executionName(listing, request)).toBe(name);
        const joined = `${canonical(listing)}_${request}`;
        expect(name === joined || name.startsWith(`_${joined.slice(0, 54)}_`)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('never gives two different pairs the same name', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(listingId, requestId), {
          minLength: 2,
          maxLength: 60,
          selector: ([listing, request]) => `${canonical(listing)}/${request}`,
        }),
        (pairs) => {
          const names = pairs.map(([listing, request]) => executionName(listing, request));
          expect(new Set(names).size).toBe(pairs.length);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('splits one string at every "_" into pairs that all get different names', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a1][a1_-]{2,30}$/), (text) => {
        const pairs = [...text.matchAll(/_/g)]
          .map((match) => [text.slice(0, match.index), text.slice(match.index + 1)] as const)
          .filter(([listing, request]) => /^[a1]/.test(listing) && request.length > 0);
        const names = pairs.map(([listing, request]) => executionName(listing, request));
        expect(new Set(names).size).toBe(pairs.length);
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects invalid ids, listing both bad parts', () => {
    const act = () => executionName('not/a-listing', 'a b');
    expect(act).toThrow(ContractError);
    expect(act).toThrow(/listingId: must be 1-128 characters.*requestId: must be 1-40 characters/);
  });
});
