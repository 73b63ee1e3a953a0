import { ValidationReport } from '@toq/contracts';
import { describe, expect, it } from 'vitest';
import { validationStateKey } from '../../src/domain/state-keys.ts';
import {
  ObjectNotFoundError,
  readJsonRecord,
  readJsonRecordIfPresent,
} from '../../src/ports/object-store.ts';
import { LISTING_ID, REQUEST_ID, SCOPE } from '../setup/fixtures.ts';
import { MemoryObjectStore } from '../setup/memory-store.ts';

const KEY = validationStateKey(SCOPE);
const REPORT = { listingId: LISTING_ID, requestId: REQUEST_ID, accepted: [], rejected: [] };

describe('readJsonRecord', () => {
  it('reads and parses the record at a key', async () => {
    const store = new MemoryObjectStore();
    store.seed(KEY, JSON.stringify(REPORT), 'application/json');

    expect(await readJsonRecord(store, KEY, ValidationReport)).toEqual(REPORT);
    expect(await readJsonRecordIfPresent(store, KEY, ValidationReport)).toEqual(REPORT);
  });

  it.each([
    [
      'not JSON',
      '{"listingId":',
      /^Invalid record at "_pipeline\/.+\/validation\.json": not JSON \(/,
    ],
    [
      'not the record expected',
      JSON.stringify({ ...REPORT, accepted: 'all' }),
      /^Invalid record at "_pipeline\/.+\/validation\.json": accepted: /,
    ],
  ])(
    'throws InvalidRecordError naming the key when the object is %s',
    async (_name, body, message) => {
      const store = new MemoryObjectStore();
      store.seed(KEY, body, 'application/json');

      const error = await readJsonRecord(store, KEY, ValidationReport).catch((e: unknown) => e);

      expect(error).toMatchObject({ name: 'InvalidRecordError', key: KEY });
      expect((error as Error).message).toMatch(message);
    },
  );

  it('throws ObjectNotFoundError for a missing record, which readJsonRecordIfPresent reads as undefined', async () => {
    const store = new MemoryObjectStore();

    await expect(readJsonRecord(store, KEY, ValidationReport)).rejects.toBeInstanceOf(
      ObjectNotFoundError,
    );
    expect(await readJsonRecordIfPresent(store, KEY, ValidationReport)).toBeUndefined();
  });
});
