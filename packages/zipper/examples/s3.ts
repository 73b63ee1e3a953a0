// README example: a listing's bundle streamed from its renditions in S3 into one S3 object,
// through a multipart upload, with neither the renditions nor the zip ever held whole in memory.
// Tested against an S3-compatible server in tests/integration/s3.test.ts.
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { parseMediaKey, processedPrefix, zipEntryPath, zipKey } from '@toq/contracts';
import { createZip, ZipperError, type ZipEntry, type ZipSummary } from '@toq/zipper';
import { PassThrough, type Readable } from 'node:stream';

/** Every rendition under `{listingId}/processed/`, as zip entries opened only when their turn comes. */
export async function* renditionEntries(
  s3: S3Client,
  bucket: string,
  listingId: string,
): AsyncGenerator<ZipEntry> {
  const pages = paginateListObjectsV2(
    { client: s3 },
    { Bucket: bucket, Prefix: processedPrefix(listingId) },
  );
  for await (const page of pages) {
    for (const object of page.Contents ?? []) {
      const parsed = parseMediaKey(object.Key ?? '');
      if (parsed.kind !== 'rendition') continue; // the previous zip, if any
      const { mediaType, size, mediaId, ext } = parsed;
      yield {
        path: zipEntryPath({ mediaType, size, mediaId, ext }), // photo/large/{uuid}.jpg
        size: object.Size,
        source: async () => {
          const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
          return Body as Readable;
        },
      };
    }
  }
}

/**
 * Streams `entries` into the object `key` through a multipart upload. Whatever fails, both sides
 * stop: createZip destroys the body with its error (the upload is aborted, no object appears),
 * and a failed upload destroys the body (createZip stops and closes the open source). Rejects with
 * the S3 error when the upload failed, else with createZip's ZipperError.
 */
export async function uploadZip(
  s3: S3Client,
  bucket: string,
  key: string,
  entries: AsyncIterable<ZipEntry> | Iterable<ZipEntry>,
): Promise<ZipSummary> {
  const body = new PassThrough();
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: body, ContentType: 'application/zip' },
    partSize: 8 * 1024 * 1024, // S3 allows 10,000 parts: 8 MiB parts go up to 78 GiB
    queueSize: 2, // memory ≈ partSize × (queueSize + 1)
  });
  const [zipped, uploaded] = await Promise.allSettled([
    // The next 16 renditions' GETs start while one is zipped (at most 16 MiB of them read ahead).
    createZip(entries, body, { readAhead: 16 }),
    upload.done().catch((error: unknown) => {
      body.destroy(error as Error);
      throw error;
    }),
  ]);
  // One failing makes the other fail too; throw the root cause: the upload's own error (S3's), or
  // else createZip's (the upload then failed with that same ZipperError).
  if (uploaded.status === 'rejected' && !(uploaded.reason instanceof ZipperError)) {
    throw uploaded.reason;
  }
  if (zipped.status === 'rejected') throw zipped.reason;
  return zipped.value;
}

/** The whole zip step: `{listingId}/processed/zip/{listingId}.zip` from the listing's renditions. */
export function bundleListing(s3: S3Client, bucket: string, listingId: string) {
  return uploadZip(s3, bucket, zipKey(listingId), renditionEntries(s3, bucket, listingId));
}
