import { describe, expect, it } from 'vitest';
import { ContractError } from '@toq/contracts';
import {
  deliveryStateKey,
  frameStateKey,
  itemStateKey,
  requestStateKey,
  resultStateKey,
  statePrefix,
  validationStateKey,
} from '../../src/domain/state-keys.ts';

const listingId = '4f8e2d3c-1b2a-4c5d-8e9f-0a1b2c3d4e5f';
const mediaId = '0b7c1a52-1f0e-4c7e-9a51-6f6d2a7b9c10';
const scope = { listingId, requestId: 'req-1' };

describe('state keys', () => {
  it('builds every key of the docs/pipeline.md table under _pipeline/{listingId}/{requestId}/', () => {
    // Prepare
    const prefix = `_pipeline/${listingId}/req-1/`;

    // Act
    const keys = [
      requestStateKey(scope),
      validationStateKey(scope),
      itemStateKey(scope, mediaId),
      frameStateKey(scope, mediaId),
      resultStateKey(scope),
      deliveryStateKey(scope),
    ];

    // Assess
    expect(statePrefix(scope)).toBe(prefix);
    expect(keys).toEqual([
      `${prefix}request.json`,
      `${prefix}validation.json`,
      `${prefix}items/${mediaId}.json`,
      `${prefix}frames/${mediaId}.0000000.jpg`,
      `${prefix}result.json`,
      `${prefix}delivery.json`,
    ]);
  });

  it('lowercases ids so one request always has one prefix', () => {
    expect(statePrefix({ listingId: listingId.toUpperCase(), requestId: 'req-1' })).toBe(
      `_pipeline/${listingId}/req-1/`,
    );
  });

  it.each([
    ['a listingId containing "/"', { listingId: `${listingId}/x`, requestId: 'r' }],
    ['a requestId of ".."', { listingId, requestId: '..' }],
    ['an empty requestId', { listingId, requestId: '' }],
  ])('rejects %s', (_name, bad) => {
    expect(() => statePrefix(bad)).toThrow(ContractError);
  });

  it('rejects a mediaId that is not a UUID', () => {
    expect(() => itemStateKey(scope, '../x')).toThrow(/Invalid/);
  });
});
