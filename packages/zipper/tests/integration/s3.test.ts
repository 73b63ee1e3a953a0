import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { renditionKey, zipKey } from '@toq/contracts';
import { ZipperError } from '@toq/zipper';
import { startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleListing, uploadZip } from '../../examples/s3.ts';
import {
  SourceTracker,
  pseudoRandomBytes,
  readZip,
  rejectionOf,
  sha256,
  stallingAfter,
  sevenZipTestBuffer,
} from '../support/zip.ts';

const bucket = 'toq-listing-medias';
const listingId = '4f8c1d2e-7b3a-4c5d-9e8f-0a1b2c3d4e5f';
const photoId = '0b7c1a52-1f0e-4c7e-9a51-6f6d2a7b9c10';
const videoId = '5d2e8f10-3a4b-4c6d-8e9f-1a2b3c4d5e6f';

/** The listing's renditions in S3: four photo sizes, a video of 9 MB (so the zip takes two 8 MiB parts) and its poster. */
const renditions = [
  { parts: { mediaType: 'photo', size: 'thumbnail', mediaId: photoId, ext: 'jpg' }, bytes: 20_000 },
  { parts: { mediaType: 'photo', size: 'small', mediaId: photoId, ext: 'jpg' }, bytes: 60_000 },
  { parts: { mediaType: 'photo', size: 'medium', mediaId: photoId, ext: 'jpg' }, bytes: 200_000 },
  { parts: { mediaType: 'photo', size: 'large', mediaId: photoId, ext: 'jpg' }, bytes: 400_000 },
  { parts: { mediaType: 'video', size: 'large', mediaId: videoId, ext: 'mp4' }, bytes: 9_000_000 },
  { parts: { mediaType: 'video', size: 'large', mediaId: videoId, ext: 'jpg' }, bytes: 300_000 },
] as const;

describe('the README S3 example (fauxqs, an S3-compatible server, SDK defaults)', () => {
  let server: Awaited<ReturnType<typeof startFauxqs>>;
  let s3: S3Client;

  beforeAll(async () => {
    server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
    s3 = new S3Client({
      region: 'us-east-1',
      endpoint: server.address,
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const [i, { parts, bytes }] of renditions.entries()) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: renditionKey({ listingId, ...parts }),
          Body: pseudoRandomBytes(bytes, i + 1),
        }),
      );
    }
  });
  afterAll(async () => {
    s3?.destroy();
    await server?.stop();
  });

  async function getZip(): Promise<{ body: Buffer; etag: string | undefined }> {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: zipKey(listingId) }));
    const bytes = await object.Body?.transformToByteArray();
    return { body: Buffer.from(bytes ?? []), etag: object.ETag };
  }

  it('streams the renditions into {listingId}/processed/zip/{listingId}.zip with clean paths', async () => {
    // Act
    const summary = await bundleListing(s3, bucket, listingId);

    // Assess
    const { body, etag } = await getZip();
    expect(summary).toEqual({ entries: renditions.length, bytes: body.length });
    expect(etag).toMatch(/-2"$/); // a multipart upload of two parts
    const entries = await readZip(body);
    expect(entries.map((e) => [e.path, e.size, sha256(e.data)]).sort()).toEqual(
      renditions
        .map(({ parts, bytes }, i) => [
          `${parts.mediaType}/${parts.size}/${parts.mediaId}.${parts.ext}`,
          bytes,
          sha256(pseudoRandomBytes(bytes, i + 1)),
        ])
        .sort(),
    );
    expect(await sevenZipTestBuffer(body)).toMatchObject({ files: renditions.length });
  });

  it('gives the same object and ETag when run again (the previous zip is left out)', async () => {
    await bundleListing(s3, bucket, listingId);
    const first = await getZip();

    await bundleListing(s3, bucket, listingId);
    const second = await getZip();

    expect(second.etag).toBe(first.etag);
    expect(sha256(second.body)).toBe(sha256(first.body));
  });

  it('leaves no object behind when a source fails: the multipart upload is aborted', async () => {
    const key = `${listingId}/processed/zip/failed.zip`;
    const missing = new GetObjectCommand({
      Bucket: bucket,
      Key: `${listingId}/processed/nope.jpg`,
    });

    const error = await rejectionOf(
      uploadZip(s3, bucket, key, [
        { path: 'a.jpg', source: Buffer.from(pseudoRandomBytes(9_000_000, 9)) },
        { path: 'b.jpg', source: async () => (await s3.send(missing)).Body as never },
      ]),
    );

    expect(error).toBeInstanceOf(ZipperError);
    expect(error).toMatchObject({ code: 'SOURCE_FAILED', entryPath: 'b.jpg' });
    await expect(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).rejects.toThrow(
      expect.objectContaining({ name: 'NotFound' }),
    );
  });

  it('stops reading sources and rejects when the upload fails (no such bucket)', async () => {
    const sources = new SourceTracker();
    const video = pseudoRandomBytes(30_000_000, 10);
    const stalled = (data: Buffer) => stallingAfter(data, 20_000_000, () => undefined);

    const error = await rejectionOf(
      uploadZip(s3, 'no-such-bucket', 'x.zip', [
        { path: 'video/large/v.mp4', source: sources.lazy('v', video, stalled) },
        { path: 'photo/large/p.jpg', source: sources.lazy('p', video) },
      ]),
    );

    expect(error).toMatchObject({ name: 'NoSuchBucket' });
    expect(sources.events).toEqual(['open v']);
    expect(sources.opened.every((stream) => stream.destroyed)).toBe(true);
  });
});
