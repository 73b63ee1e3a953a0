import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaItem, ProcessingRequest, parse, rawKey } from '@toq/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../src/adapters/fs-object-store.ts';
import { S3ObjectStore } from '../../src/adapters/s3-object-store.ts';
import { TransientError } from '../../src/domain/errors.ts';
import { validationStateKey } from '../../src/domain/state-keys.ts';
import {
  RAW_UPLOAD_TAGS,
  ValidateInput,
  checkItem,
  validateListing,
} from '../../src/domain/validate.ts';
import type { Logger } from '../../src/ports/logger.ts';
import {
  ObjectArchivedError,
  ObjectNotFoundError,
  type ObjectStore,
} from '../../src/ports/object-store.ts';
import { createTestBucket, localS3Client } from '../setup/aws.ts';
import {
  LISTING_ID,
  PHOTO_2_ID,
  PHOTO_ID,
  SCOPE,
  VIDEO_ID,
  sampleRequest,
} from '../setup/fixtures.ts';
import { MemoryObjectStore } from '../setup/memory-store.ts';
import { startS3ArchiveServer, type ArchiveServerObject } from '../setup/s3-archive-server.ts';

const BUCKET = 'toq-listing-medias';
const JPEG = Buffer.concat([
  Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'),
  Buffer.alloc(600, 1),
]);
const LIMITS = { photo: 50 * 1024 * 1024, video: 5 * 1024 ** 3 };
const photoKey = rawKey({
  listingId: LISTING_ID,
  mediaType: 'photo',
  mediaId: PHOTO_ID,
  ext: 'jpg',
});
const photo = parse(MediaItem, { mediaId: PHOTO_ID, mediaType: 'photo', ext: 'jpg' });

/** A logger port that keeps its warnings, for the assertions. */
function keptWarnings(): Logger & { warnings: [string, Record<string, unknown> | undefined][] } {
  const warnings: [string, Record<string, unknown> | undefined][] = [];
  const drop = () => undefined;
  return { warnings, debug: drop, info: drop, error: drop, warn: (m, e) => warnings.push([m, e]) };
}

describe('S3ObjectStore: tags and archived objects (S3 REST stand-in: fauxqs has neither)', () => {
  let server: Awaited<ReturnType<typeof startS3ArchiveServer>>;
  let store: S3ObjectStore;

  beforeAll(async () => {
    server = await startS3ArchiveServer(BUCKET);
    store = new S3ObjectStore(server.client(), BUCKET);
  });
  afterAll(() => server.close());

  function seed(key: string, object: Partial<ArchiveServerObject> = {}): ArchiveServerObject {
    const stored = { body: JPEG, tags: [], ...object };
    server.objects.set(key, stored);
    server.calls.length = 0;
    return stored;
  }

  it('adds media-class=raw and keeps the tags already there, with no write of the object itself', async () => {
    const object = seed(photoKey, { tags: [['listing', 'abc']] });

    await store.addTags(photoKey, RAW_UPLOAD_TAGS);

    expect(object.tags).toEqual([
      ['listing', 'abc'],
      ['media-class', 'raw'],
    ]);
    expect(server.calls).toEqual([`GET ${photoKey}?tagging`, `PUT ${photoKey}?tagging`]);
    expect(object.body).toBe(JPEG);
  });

  it('writes nothing when the object already has the tag (a listing processed again)', async () => {
    const object = seed(photoKey, { tags: [['media-class', 'raw']] });

    await store.addTags(photoKey, RAW_UPLOAD_TAGS);

    expect(server.calls).toEqual([`GET ${photoKey}?tagging`]);
    expect(object.tags).toEqual([['media-class', 'raw']]);
  });

  it('replaces a different value of the tag and rejects with ObjectNotFoundError when there is no object', async () => {
    const object = seed(photoKey, { tags: [['media-class', 'rendition']] });

    await store.addTags(photoKey, RAW_UPLOAD_TAGS);
    const missing = await store.addTags('nothing/here.jpg', RAW_UPLOAD_TAGS).catch((e) => e);

    expect(object.tags).toEqual([['media-class', 'raw']]);
    expect(missing).toBeInstanceOf(ObjectNotFoundError);
  });

  it.each([
    ['Glacier Flexible Retrieval', { storageClass: 'GLACIER' }, 'GLACIER'],
    ['Deep Archive', { storageClass: 'DEEP_ARCHIVE' }, 'DEEP_ARCHIVE'],
    [
      'Glacier, its restore under way',
      { storageClass: 'GLACIER', restore: 'ongoing-request="true"' },
      'GLACIER',
    ],
    [
      'an Intelligent-Tiering archive tier',
      { storageClass: 'INTELLIGENT_TIERING', archiveStatus: 'DEEP_ARCHIVE_ACCESS' },
      'DEEP_ARCHIVE_ACCESS',
    ],
  ])(
    'reports an object in %s as archived on HEAD, and a read of it as ObjectArchivedError',
    async (_, state, archive) => {
      seed(photoKey, state);

      const head = await store.head(photoKey);
      const reads = await Promise.all([
        store.getRange(photoKey, 0, 511).catch((e: unknown) => e),
        store.getStream(photoKey).catch((e: unknown) => e),
        store.getBuffer(photoKey).catch((e: unknown) => e),
      ]);

      expect(head).toMatchObject({ key: photoKey, size: JPEG.length, archivedIn: archive });
      for (const read of reads) {
        expect(read).toBeInstanceOf(ObjectArchivedError);
        expect((read as Error).message).toBe(
          `The object at key "${photoKey}" is archived and must be restored before it can be read`,
        );
      }
    },
  );

  it.each([
    ['in S3 Standard', {}],
    ['in Glacier Instant Retrieval', { storageClass: 'GLACIER_IR' }],
    [
      'restored from Glacier',
      {
        storageClass: 'GLACIER',
        restore: 'ongoing-request="false", expiry-date="Fri, 11 Dec 2026 00:00:00 GMT"',
      },
    ],
  ])('reads an object %s as any other', async (_, state) => {
    seed(photoKey, state);

    const head = await store.head(photoKey);
    const first = await store.getRange(photoKey, 0, 3);

    expect(head).not.toHaveProperty('archivedIn');
    expect(first).toEqual(JPEG.subarray(0, 4));
  });

  it('validate rejects an archived raw upload with OBJECT_ARCHIVED, saying how to restore it, without reading it', async () => {
    seed(photoKey, { storageClass: 'DEEP_ARCHIVE' });

    const failure = await checkItem(LISTING_ID, photo, { store, limits: LIMITS });

    expect(failure).toEqual({
      mediaId: PHOTO_ID,
      mediaType: 'photo',
      error: {
        code: 'OBJECT_ARCHIVED',
        message: `The raw upload at ${photoKey} is archived (DEEP_ARCHIVE) and cannot be read: restore it (S3 RestoreObject, e.g. aws s3api restore-object --restore-request Days=7), wait until the restore completes (minutes to 48 hours, by retrieval tier), then send the request again`,
      },
    });
    expect(server.calls).toEqual([`HEAD ${photoKey}`]);
  });
});

describe('raw uploads tagged by validate (validateListing)', () => {
  const request = parse(ProcessingRequest, sampleRequest());
  const input = parse(ValidateInput, { request, executionName: SCOPE.executionName });
  const key = (mediaId: string, mediaType: 'photo' | 'video', ext: string) =>
    rawKey({ listingId: LISTING_ID, mediaType, mediaId, ext });

  it('tags every accepted raw upload media-class=raw, and no rejected one', async () => {
    // Prepare: a photo, a "png" that is a JPEG (rejected), no video
    const store = new MemoryObjectStore();
    store.seed(key(PHOTO_ID, 'photo', 'jpg'), JPEG);
    store.seed(key(PHOTO_2_ID, 'photo', 'png'), JPEG);

    // Act
    await validateListing(input, { store, limits: LIMITS, logger: keptWarnings() });

    // Assess
    expect(Object.fromEntries(store.tags)).toEqual({
      [key(PHOTO_ID, 'photo', 'jpg')]: { 'media-class': 'raw' },
    });
    expect(store.json(validationStateKey(SCOPE))).toMatchObject({
      rejected: [
        { mediaId: PHOTO_2_ID, error: { code: 'TYPE_MISMATCH' } },
        { mediaId: VIDEO_ID, error: { code: 'OBJECT_NOT_FOUND' } },
      ],
    });
  });

  it('goes on with a warning when the store refuses the tag, and fails on trouble worth retrying', async () => {
    class RefusingStore extends MemoryObjectStore {
      constructor(private readonly refusal: Error) {
        super();
      }
      override async addTags(): Promise<void> {
        throw this.refusal;
      }
    }
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    const refusing = new RefusingStore(denied);
    const throttled = new RefusingStore(new TransientError('S3 SlowDown; worth retrying'));
    for (const store of [refusing, throttled]) store.seed(key(PHOTO_ID, 'photo', 'jpg'), JPEG);
    const logger = keptWarnings();

    const result = await validateListing(input, { store: refusing, limits: LIMITS, logger });
    const failure = await validateListing(input, {
      store: throttled,
      limits: LIMITS,
      logger: keptWarnings(),
    }).catch((e: unknown) => e);

    expect(result.photos).toEqual([{ mediaId: PHOTO_ID, ext: 'jpg' }]);
    expect(logger.warnings).toContainEqual([
      'Raw upload not tagged: the lifecycle rule will not archive it',
      { key: key(PHOTO_ID, 'photo', 'jpg'), reason: 'AccessDenied: Access Denied' },
    ]);
    expect(failure).toBeInstanceOf(TransientError);
  });
});

describe('addTags on the other stores', () => {
  it('FsObjectStore keeps no tag (a directory has no lifecycle) and leaves the file as it was', async () => {
    const root = await mkdtemp(join(tmpdir(), 'raw-tags-'));
    try {
      const store: ObjectStore = new FsObjectStore(root);
      await store.put(photoKey, JPEG, { contentType: 'image/jpeg' });
      const before = await store.head(photoKey);

      await store.addTags(photoKey, RAW_UPLOAD_TAGS);
      const missing = await store.addTags('nothing/here.jpg', RAW_UPLOAD_TAGS).catch((e) => e);

      expect(await store.head(photoKey)).toEqual(before);
      expect(await readFile(join(root, ...photoKey.split('/')))).toEqual(JPEG);
      expect(missing).toBeInstanceOf(ObjectNotFoundError);
    } finally {
      await rm(root, { recursive: true });
    }
  });

  it('S3ObjectStore on fauxqs (no tagging: it answers GET ?tagging with the object) fails without touching the object, so validate warns and goes on', async () => {
    const client = localS3Client();
    const store = new S3ObjectStore(client, await createTestBucket(client));
    await store.put(photoKey, JPEG, { contentType: 'image/jpeg' });
    const sha256 = async () =>
      createHash('sha256')
        .update(await store.getBuffer(photoKey))
        .digest('hex');
    const before = await sha256();

    const error = await store.addTags(photoKey, RAW_UPLOAD_TAGS).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TransientError);
    expect(await sha256()).toBe(before);
    client.destroy();
  });
});
