import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processedPrefix, rawPrefix, zipKey } from '@toq/contracts';
import { S3ObjectStore } from '@toq/lambdas/s3';
import { readListingFolder, uploadRawFiles } from '../../src/listing-folder.ts';
import { LocalPipeline } from '../../src/local-pipeline.ts';
import { SAMPLE_LISTING, runListing, type LocalRunReport } from '../../src/run-listing.ts';
import { hashTree, scratchDir, sha256, unzip } from './support.ts';

const BUCKET = 'toq-listing-medias-e2e';
const FILES = [
  'Landscape_6.jpg',
  'Portrait_8.jpg',
  'floor-plan.png',
  'walkthrough.mp4',
  'broken.jpg',
];

let server: FauxqsServer;
let folder: string;
let report: LocalRunReport;
let store: S3ObjectStore;

beforeAll(async () => {
  server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  folder = await scratchDir('s3-folder');
  for (const name of FILES) await copyFile(join(SAMPLE_LISTING, name), join(folder, name));
  report = await runListing({
    folder,
    out: await scratchDir('s3-out'),
    requestId: 's3-1',
    store: { kind: 's3', endpoint: server.address, bucket: BUCKET },
    timeScale: 0,
    ffmpegPreset: 'ultrafast',
  });
  store = new S3ObjectStore(
    new S3Client({
      region: 'us-east-1',
      endpoint: server.address,
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
    BUCKET,
  );
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

describe('npm start -- --store s3: the S3 adapter and an SQS queue on a local server', () => {
  it('processes the listing into the bucket through the SQS queue', async () => {
    expect(report.execution?.status).toBe('SUCCEEDED');
    expect(report.bucket).toBe(`s3://${BUCKET} on ${server.address}`);
    expect(report.result?.summary).toEqual({ total: 5, succeeded: 4, failed: 1 });
    const outcomes = new Map(report.result?.media.map((m) => [m.mediaId, m]));
    for (const file of report.files) {
      const item = outcomes.get(file.mediaId);
      if (file.fileName === 'broken.jpg') {
        expect(item).toMatchObject({ status: 'failed', error: { code: 'CORRUPT_IMAGE' } });
        continue;
      }
      expect(item?.status, file.fileName).toBe('succeeded');
      if (item?.status !== 'succeeded') continue;
      expect(item.renditions.map((r) => r.size)).toEqual(
        file.mediaType === 'video'
          ? ['thumbnail', 'small', 'medium', 'large', 'large']
          : ['thumbnail', 'small', 'medium', 'large'],
      );
      for (const rendition of item.renditions) {
        expect((await store.head(rendition.key))?.size, rendition.key).toBe(rendition.bytes);
      }
    }
  });

  it('zips exactly the processed objects of the bucket, and calls back once, signed', async () => {
    const key = zipKey(report.listingId);
    const entries = await unzip(await store.getBuffer(key));
    const processed = await hashTree(store, processedPrefix(report.listingId));
    processed.delete(key);
    const prefix = processedPrefix(report.listingId).length;
    expect(new Map([...entries].map(([path, bytes]) => [path, sha256(bytes)]))).toEqual(
      new Map([...processed].map(([k, hash]) => [k.slice(prefix), hash])),
    );
    expect(report.webhooks.map((w) => [w.status, w.verificationError])).toEqual([[204, undefined]]);
  });

  it('leaves the raw uploads in S3 byte-identical to the files, and never tags them', async () => {
    const raw = await hashTree(store, rawPrefix(report.listingId));
    expect([...raw.values()].sort()).toEqual(
      (await Promise.all(report.files.map(async (f) => sha256(await readFile(f.path))))).sort(),
    );
    // fauxqs would store a PutObjectTagging's XML as the object: local runs skip tagging
    // (LocalS3ObjectStore), so validate has no untagged upload to warn about either.
    expect(await readFile(report.paths.log, 'utf8')).not.toContain('Raw upload not tagged');
  });

  it('starts the execution with a pointer to the request it stored in the bucket first', async () => {
    const key = `_pipeline/${report.listingId}/${report.requestId}/request.json`;

    expect(report.execution?.input).toEqual({
      storedRequest: { listingId: report.listingId, requestId: report.requestId },
    });
    expect((await store.getBuffer(key)).toString('utf8')).toBe(
      JSON.stringify(report.request, null, 2),
    );
  });

  it('starts the same request again, but sends another request with its ids to the DLQ, its record untouched', async () => {
    // Prepare: a new pipeline on the same bucket (its Step Functions knows no execution yet)
    const key = `_pipeline/${report.listingId}/${report.requestId}/request.json`;
    const recorded = await store.getBuffer(key);
    const pipeline = await LocalPipeline.create({
      store: { kind: 's3', endpoint: server.address, bucket: BUCKET },
      timeScale: 0,
    });
    try {
      const other = { ...report.request, callback: { url: 'https://other.example/hooks' } };

      // Act
      await pipeline.queue.send(JSON.stringify(other));
      const refused = await pipeline.drain();
      await pipeline.queue.send(JSON.stringify(report.request));
      const again = await pipeline.drain();

      // Assess
      expect(refused.batches.map((b) => [b.received, b.failed])).toEqual([[1, 0]]);
      expect(refused.executions).toEqual([]);
      expect(await pipeline.queue.deadLetters()).toEqual([JSON.stringify(other)]);
      expect(pipeline.log.entries).toContainEqual(
        expect.objectContaining({
          level: 'error',
          function: 'start',
          message: 'Message reuses the ids of another request; sent to the DLQ',
          code: 'REQUEST_ID_REUSED',
          reason: expect.stringContaining(`already recorded at ${key}`),
        }),
      );
      expect((await store.getBuffer(key)).equals(recorded)).toBe(true);
      expect(again.executions.map((e) => [e.name, e.status])).toEqual([
        [report.executionName, 'SUCCEEDED'],
      ]);
      expect(await pipeline.queue.deadLetters()).toEqual([JSON.stringify(other)]);
    } finally {
      await pipeline.close();
    }
  });

  it('sends a message that can never parse to the DLQ at once, not after 5 receives', async () => {
    // Prepare
    const pipeline = await LocalPipeline.create({
      store: { kind: 's3', endpoint: server.address, bucket: BUCKET },
      timeScale: 0,
    });
    try {
      const { files } = await readListingFolder(folder, report.listingId);
      await uploadRawFiles(pipeline.rawStore, report.listingId, files.slice(0, 1));
      const poison = JSON.stringify({ schemaVersion: 1, listingId: report.listingId, media: [] });
      const earlier = await pipeline.queue.deadLetters(); // the DLQ is the server's, shared

      // Act
      await pipeline.queue.send(poison);
      const { batches, executions } = await pipeline.drain();

      // Assess
      expect(batches.map((b) => [b.received, b.failed])).toEqual([[1, 0]]);
      expect(await pipeline.queue.deadLetters()).toEqual([...earlier, poison]);
      expect(executions).toEqual([]);
      expect(await pipeline.queue.receive(10)).toEqual([]);
    } finally {
      await pipeline.close();
    }
  });
});
