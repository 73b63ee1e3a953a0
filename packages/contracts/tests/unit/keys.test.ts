import { describe, expect, it } from 'vitest';
import {
  ContractError,
  parseMediaKey,
  rawKey,
  renditionKey,
  zipEntryPath,
  zipKey,
} from '@toq/contracts';

const listingId = '4f8c1d2e-7b3a-4c5d-9e8f-0a1b2c3d4e5f';
const mediaId = '0b7c1a52-1f0e-4c7e-9a51-6f6d2a7b9c10';

describe('rawKey', () => {
  it('builds {listingId}/raw/{mediaType}/{uuid}.{ext} in lowercase', () => {
    expect(
      rawKey({ listingId: listingId.toUpperCase(), mediaType: 'photo', mediaId, ext: 'JPG' }),
    ).toBe(`${listingId}/raw/photo/${mediaId}.jpg`);
  });

  it('rejects a listingId containing "/" with every problem listed', () => {
    const act = () => rawKey({ listingId: '../etc', mediaType: 'photo', mediaId: 'x', ext: 'exe' });
    expect(act).toThrow(ContractError);
    try {
      act();
    } catch (error) {
      expect((error as ContractError).code).toBe('INVALID_INPUT');
      expect((error as ContractError).issues.map((i) => i.path)).toEqual([
        'listingId',
        'mediaId',
        'ext',
      ]);
    }
  });
});

describe('parseMediaKey', () => {
  it('round-trips rendition, raw and zip keys', () => {
    const rendition = renditionKey({
      listingId,
      mediaType: 'photo',
      size: 'small',
      mediaId,
      ext: 'webp',
    });
    expect(parseMediaKey(rendition)).toEqual({
      kind: 'rendition',
      listingId,
      mediaType: 'photo',
      size: 'small',
      mediaId,
      ext: 'webp',
    });
    expect(parseMediaKey(zipKey(listingId))).toEqual({ kind: 'zip', listingId });
    expect(parseMediaKey(rawKey({ listingId, mediaType: 'video', mediaId, ext: 'mov' })).kind).toBe(
      'raw',
    );
    expect(zipEntryPath({ mediaType: 'video', size: 'large', mediaId, ext: 'mp4' })).toBe(
      `video/large/${mediaId}.mp4`,
    );
  });

  it('rejects a leading slash', () => {
    expect(() => parseMediaKey(`/${zipKey(listingId)}`)).toThrow(/INVALID|not a raw/);
  });
});
