import { describe, expect, it } from 'vitest';
import { ContractError, executionName } from '@toq/contracts';

const listingId = '4f8c1d2e-7b3a-4c5d-9e8f-0a1b2c3d4e5f';

describe('executionName', () => {
  it('joins the canonical listing id and the request id', () => {
    expect(executionName(listingId.toUpperCase(), 'req_42')).toBe(`${listingId}_req_42`);
  });

  it('stays within the 80 characters Step Functions allows', () => {
    expect(executionName(listingId, 'r'.repeat(40))).toHaveLength(77);
  });

  it('rejects a request id with characters Step Functions refuses, listing both bad parts', () => {
    const act = () => executionName('not-a-uuid', 'a b');
    expect(act).toThrow(ContractError);
    expect(act).toThrow(/listingId: must be a UUID.*requestId: must be 1-40 characters/);
  });
});
