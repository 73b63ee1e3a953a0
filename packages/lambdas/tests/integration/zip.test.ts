import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ZipResult, parse, renditionKey, zipKey } from '@toq/contracts';
import { S3ObjectStore } from '../../src/adapters/s3-object-store.ts';
import { ZipperArchiveWriter } from '../../src/adapters/zipper-archive-writer.ts';
import { bundleListing } from '../../src/domain/zip.ts';
import type { ObjectStore } from '../../src/ports/object-store.ts';
import { createTestBucket, localS3Client, s3FunctionEnv, useLocalhostDns } from '../setup/aws.ts';
import { silentLogger } from '../setup/fixtures.ts';
import { unzip } from '../setup/unzip.ts';

const listingId = '8df491da-9a8f-4f01-9c29-e1ef0cf02498';
const ctx = { listingId, requestId: 'req-zip', executionName: `${listingId}_req-zip` };
const ids = ['b1000000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000002'];

async function putRendition(
  store: ObjectStore,
  mediaType: 'photo' | 'video',
  size: 'thumbnail' | 'large',
  mediaId: string,
  ext: 'jpg' | 'mp4',
  body: Buffer,
) {
  const key = renditionKey({ listingId, mediaType, size, mediaId, ext });
  await store.put(key, body, { contentType: ext === 'mp4' ? 'video/mp4' : 'image/jpeg' });
  return body;
}

describe('zip handler on S3 (fauxqs, SDK defaults)', () => {
  let store: S3ObjectStore;
  let handler: (event: unknown) => Promise<unknown>;

  // The Lambda module with the SDK's defaults, as on AWS: virtual-hosted-style requests to
  // `<bucket>.s3.localhost`, which resolves to 127.0.0.1 while this file runs.
  useLocalhostDns();

  beforeAll(async () => {
    const client = localS3Client();
    const bucket = await createTestBucket(client);
    store = new S3ObjectStore(client, bucket);
    for (const [name, value] of Object.entries(s3FunctionEnv(bucket))) vi.stubEnv(name, value);
    vi.stubEnv('LOG_LEVEL', 'SILENT');
    ({ handler } = await import('../../src/handlers/zip.ts'));
  });

  afterAll(() => {
    vi.unstubAllEnvs();
  });

  it('returns null and writes nothing when the listing has no processed media', async () => {
    expect(await handler({ ctx })).toBeNull();
    expect(await store.head(zipKey(listingId))).toBeUndefined();
  });

  it('bundles every rendition under clean, sorted paths, leaving out the zip itself and stray objects', async () => {
    // Prepare
    const expected = new Map<string, Buffer>([
      [
        `video/large/${ids[0]}.mp4`,
        await putRendition(store, 'video', 'large', ids[0] ?? '', 'mp4', randomBytes(3000)),
      ],
      [
        `photo/thumbnail/${ids[1]}.jpg`,
        await putRendition(store, 'photo', 'thumbnail', ids[1] ?? '', 'jpg', randomBytes(100)),
      ],
      [
        `photo/large/${ids[1]}.jpg`,
        await putRendition(store, 'photo', 'large', ids[1] ?? '', 'jpg', randomBytes(2000)),
      ],
    ]);
    await store.put(zipKey(listingId), Buffer.from('an older zip'), {
      contentType: 'application/zip',
    });
    await store.put(`${listingId}/processed/notes.txt`, 'not a rendition', {
      contentType: 'text/plain',
    });

    // Act
    const result = parse(ZipResult, await handler({ ctx }));

    // Assess
    const zip = await store.getBuffer(zipKey(listingId));
    expect(result).toEqual({ key: zipKey(listingId), bytes: zip.length, entries: 3 });
    const entries = await unzip(zip);
    expect([...entries.keys()]).toEqual([...expected.keys()].sort());
    for (const [path, bytes] of expected) expect(entries.get(path)?.equals(bytes)).toBe(true);
    expect((await store.head(zipKey(listingId)))?.contentType).toBe('application/zip');
  });

  it('writes the same bytes when run again on the same objects', async () => {
    const first = await store.getBuffer(zipKey(listingId));

    await handler({ ctx });

    expect((await store.getBuffer(zipKey(listingId))).equals(first)).toBe(true);
  });
});

describe('bundleListing on S3 (fauxqs, default checksums)', () => {
  it('streams a zip larger than one part through a multipart upload', async () => {
    // Prepare: 12 MiB of incompressible media, 5 MiB parts
    const client = localS3Client();
    const bucket = await createTestBucket(client);
    const store = new S3ObjectStore(client, bucket, { partSize: 5 * 1024 * 1024, queueSize: 2 });
    const big = [randomBytes(6 * 1024 * 1024), randomBytes(6 * 1024 * 1024)];
    await putRendition(store, 'video', 'large', ids[0] ?? '', 'mp4', big[0] ?? Buffer.alloc(0));
    await putRendition(store, 'video', 'large', ids[1] ?? '', 'mp4', big[1] ?? Buffer.alloc(0));

    // Act
    const result = await bundleListing(
      { ctx },
      { store, archive: new ZipperArchiveWriter(), logger: silentLogger },
    );

    // Assess
    const head = await store.head(zipKey(listingId));
    expect(result).toEqual({ key: zipKey(listingId), bytes: head?.size, entries: 2 });
    expect(head?.etag).toMatch(/-3"?$/);
    const entries = await unzip(await store.getBuffer(zipKey(listingId)));
    expect(entries.get(`video/large/${ids[1]}.mp4`)?.equals(big[1] ?? Buffer.alloc(0))).toBe(true);
    expect(entries.get(`video/large/${ids[0]}.mp4`)?.equals(big[0] ?? Buffer.alloc(0))).toBe(true);
  });
});
