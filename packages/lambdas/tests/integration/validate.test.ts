import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaItem, parse, rawKey } from '@toq/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../src/adapters/fs-object-store.ts';
import { S3ObjectStore } from '../../src/adapters/s3-object-store.ts';
import { checkItem } from '../../src/domain/validate.ts';
import type { ObjectStore } from '../../src/ports/object-store.ts';
import { createTestBucket, localS3Client } from '../setup/aws.ts';
import { LISTING_ID, PHOTO_ID } from '../setup/fixtures.ts';

const JPEG_HEAD = Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex');
const PNG_HEAD = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const limits = { photo: 1000, video: 5000 };

/** Records which reads the domain makes, passing each through to the real store. */
class ReadLog implements ObjectStore {
  readonly reads: string[] = [];
  constructor(private readonly inner: ObjectStore) {}
  head: ObjectStore['head'] = (key) => this.inner.head(key);
  getRange: ObjectStore['getRange'] = (key, start, end) => {
    this.reads.push(`range ${start}-${end}`);
    return this.inner.getRange(key, start, end);
  };
  getStream: ObjectStore['getStream'] = (key) => {
    this.reads.push('stream');
    return this.inner.getStream(key);
  };
  getBuffer: ObjectStore['getBuffer'] = (key) => {
    this.reads.push('buffer');
    return this.inner.getBuffer(key);
  };
  put: ObjectStore['put'] = (key, body, options) => this.inner.put(key, body, options);
  putIfAbsent: ObjectStore['putIfAbsent'] = (key, body, options) =>
    this.inner.putIfAbsent(key, body, options);
  putStream: ObjectStore['putStream'] = (key, body, options) =>
    this.inner.putStream(key, body, options);
  setHeaders: ObjectStore['setHeaders'] = (key, options) => this.inner.setHeaders(key, options);
  list: ObjectStore['list'] = (prefix) => this.inner.list(prefix);
  addTags: ObjectStore['addTags'] = (key, tags) => this.inner.addTags(key, tags);
}

const stores: Record<string, () => Promise<{ store: ObjectStore; dispose: () => Promise<void> }>> =
  {
    S3ObjectStore: async () => {
      const client = localS3Client();
      const store = new S3ObjectStore(client, await createTestBucket(client));
      return { store, dispose: async () => client.destroy() };
    },
    FsObjectStore: async () => {
      const root = await mkdtemp(join(tmpdir(), 'validate-'));
      return { store: new FsObjectStore(root), dispose: () => rm(root, { recursive: true }) };
    },
  };

function item(ext: string, mediaType: 'photo' | 'video' = 'photo', bytes?: number): MediaItem {
  return parse(MediaItem, { mediaId: PHOTO_ID, mediaType, ext, ...(bytes ? { bytes } : {}) });
}

describe.each(Object.keys(stores))('checkItem on %s', (name) => {
  let store: ObjectStore;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    const made = await stores[name]?.();
    if (!made) throw new Error(name);
    ({ store, dispose } = made);
  });
  afterAll(async () => dispose());

  async function upload(ext: string, body: Buffer, mediaType: 'photo' | 'video' = 'photo') {
    await store.put(rawKey({ listingId: LISTING_ID, mediaType, mediaId: PHOTO_ID, ext }), body, {
      contentType: 'application/octet-stream',
    });
  }

  it('accepts a JPEG declared as .jpg, reading only its first 512 bytes', async () => {
    // Prepare
    await upload('jpg', Buffer.concat([JPEG_HEAD, Buffer.alloc(900, 1)]));
    const log = new ReadLog(store);

    // Act
    const failure = await checkItem(LISTING_ID, item('jpg', 'photo', 920), { store: log, limits });

    // Assess
    expect(failure).toBeUndefined();
    expect(log.reads).toEqual(['range 0-511']);
  });

  it.each([
    [
      'OBJECT_NOT_FOUND',
      'webp',
      undefined,
      undefined,
      `No raw upload at ${LISTING_ID}/raw/photo/${PHOTO_ID}.webp`,
    ],
    [
      'OBJECT_EMPTY',
      'tif',
      Buffer.alloc(0),
      undefined,
      `The raw upload at ${LISTING_ID}/raw/photo/${PHOTO_ID}.tif is empty`,
    ],
    [
      'OBJECT_TOO_LARGE',
      'jpeg',
      Buffer.concat([JPEG_HEAD, Buffer.alloc(1000)]),
      undefined,
      'The photo is 1020 bytes: expected at most 1000 bytes',
    ],
    ['SIZE_MISMATCH', 'png', PNG_HEAD, 17, 'The raw upload has 16 bytes: expected 17 as declared'],
    [
      'TYPE_MISMATCH',
      'heic',
      JPEG_HEAD,
      undefined,
      'Declared a photo .heic: received jpeg content (a photo)',
    ],
    [
      'UNSUPPORTED_FORMAT',
      'avif',
      Buffer.from('GIF89a'),
      undefined,
      `The content of ${LISTING_ID}/raw/photo/${PHOTO_ID}.avif is not a supported photo format: expected .avif, received unrecognised bytes`,
    ],
  ] as const)('reports %s', async (code, ext, body, declared, message) => {
    if (body) await upload(ext, body);

    const failure = await checkItem(LISTING_ID, item(ext, 'photo', declared), { store, limits });

    expect(failure).toEqual({ mediaId: PHOTO_ID, mediaType: 'photo', error: { code, message } });
  });

  it('reports a photo uploaded where a video was declared as TYPE_MISMATCH', async () => {
    await upload('mp4', JPEG_HEAD, 'video');

    const failure = await checkItem(LISTING_ID, item('mp4', 'video'), { store, limits });

    expect(failure?.error).toEqual({
      code: 'TYPE_MISMATCH',
      message: 'Declared a video .mp4: received jpeg content (a photo)',
    });
  });

  it('reports an MP4 whose header declares no duration (no moov: cut before its end) as VIDEO_TRUNCATED, and accepts one that does', async () => {
    const box = (type: string, body: Buffer) => {
      const header = Buffer.alloc(8);
      header.writeUInt32BE(8 + body.length, 0);
      header.write(type, 4, 'latin1');
      return Buffer.concat([header, body]);
    };
    const ftyp = box('ftyp', Buffer.from('mp42\0\0\0\0mp42isom', 'latin1'));
    const mvhd = Buffer.alloc(100); // version 0: timescale at 12, duration at 16
    mvhd.writeUInt32BE(600, 12);
    mvhd.writeUInt32BE(2400, 16);

    await upload('mp4', Buffer.concat([ftyp, box('mdat', Buffer.alloc(2000, 7))]), 'video');
    const cut = await checkItem(LISTING_ID, item('mp4', 'video'), { store, limits });
    await upload(
      'mp4',
      Buffer.concat([ftyp, box('mdat', Buffer.alloc(2000, 7)), box('moov', box('mvhd', mvhd))]),
      'video',
    );
    const whole = await checkItem(LISTING_ID, item('mp4', 'video'), { store, limits });

    expect(cut?.error).toEqual({
      code: 'VIDEO_TRUNCATED',
      message: `The mp4 video at ${rawKey({ listingId: LISTING_ID, mediaType: 'video', mediaId: PHOTO_ID, ext: 'mp4' })} declares no duration: its header has no moov/mvhd box, which an upload cut short before its end lacks (a camera writes it last)`,
    });
    expect(whole).toBeUndefined();
  });
});
