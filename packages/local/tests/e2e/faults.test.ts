import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processedPrefix, rawPrefix, zipKey } from '@toq/contracts';
import { TransientError, type ObjectStore } from '@toq/lambdas';
import { buildRequest, readListingFolder, uploadRawFiles } from '../../src/listing-folder.ts';
import { LocalPipeline } from '../../src/local-pipeline.ts';
import type { LogEntry } from '../../src/local-logger.ts';
import { SAMPLE_LISTING, runListing } from '../../src/run-listing.ts';
import { closedPort } from './npm-start.ts';
import { at, hashTree, scratchDir, writeTinyPhotos } from './support.ts';

const LISTING_ID = '0d6f4a52-3b1c-4e8d-9f7a-2c5b8e1d4a60';
const open: LocalPipeline[] = [];

afterEach(async () => {
  for (const pipeline of open.splice(0)) await pipeline.close();
});

/** A folder of `photos` tiny photos, and the sample video when `video` is set. */
async function folderWith(photos: number, video = false): Promise<string> {
  const dir = await scratchDir('folder');
  await writeTinyPhotos(dir, photos);
  if (video) await copyFile(join(SAMPLE_LISTING, 'walkthrough.mp4'), join(dir, 'walkthrough.mp4'));
  return dir;
}

/**
 * A pipeline on a fresh filesystem bucket, with `photos` tiny photos of which the first
 * `uploaded` (default all) are uploaded to their raw keys.
 */
async function pipelineWith(photos: number, uploaded = photos) {
  const pipeline = await LocalPipeline.create({
    store: { kind: 'fs', root: await scratchDir('bucket') },
    timeScale: 0,
  });
  open.push(pipeline);
  const { files } = await readListingFolder(await folderWith(photos), LISTING_ID);
  await uploadRawFiles(pipeline.rawStore, LISTING_ID, files.slice(0, uploaded));
  const request = (requestId: string) =>
    JSON.stringify(buildRequest(LISTING_ID, requestId, files, pipeline.callbackUrl));
  return { pipeline, request };
}

/** The store, failing `times` reads of the objects whose key contains `needle`. */
function flaky(store: ObjectStore, needle: string, times: number): ObjectStore {
  let left = times;
  const fail = (key: string) => {
    if (key.includes(needle) && left > 0) {
      left -= 1;
      throw new TransientError(
        `S3 GetObject of "${key}" failed (InternalError: 500); worth retrying`,
      );
    }
  };
  return {
    head: (key) => store.head(key),
    getRange: (key, start, end) => store.getRange(key, start, end),
    getStream: async (key) => {
      fail(key);
      return store.getStream(key);
    },
    getBuffer: (key) => store.getBuffer(key),
    put: (key, body, options) => store.put(key, body, options),
    putIfAbsent: (key, body, options) => store.putIfAbsent(key, body, options),
    putStream: (key, body, options) => store.putStream(key, body, options),
    setHeaders: (key, options) => store.setHeaders(key, options),
    addTags: (key, tags) => store.addTags(key, tags),
    list: (prefix) => store.list(prefix),
  };
}

describe('faults in the local pipeline', () => {
  it('retries a photo whose raw object fails to read twice, and recovers it', async () => {
    // Prepare
    const folder = await folderWith(3);
    const { files } = await readListingFolder(folder, LISTING_ID);
    const target = at(files, 1).mediaId;

    // Act
    const report = await runListing({
      folder,
      out: await scratchDir('flaky'),
      listingId: LISTING_ID,
      requestId: 'flaky-1',
      timeScale: 0,
      wrapStore: (store) => flaky(store, `raw/photo/${target}`, 2),
    });

    // Assess
    expect(report.execution?.status).toBe('SUCCEEDED');
    expect(report.execution?.retries['RenderPhoto']).toBe(2);
    expect(report.execution?.tasks['RenderPhoto']?.invocations).toBe(5);
    expect(report.result?.status).toBe('succeeded');
    expect(report.result?.media.map((m) => m.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
  });

  it('records an undelivered webhook in the result and the logs when the endpoint is down, losing nothing', async () => {
    // Prepare
    const folder = await folderWith(2);
    const url = `http://127.0.0.1:${await closedPort()}/webhooks`;

    // Act
    const report = await runListing({
      folder,
      out: await scratchDir('down'),
      listingId: LISTING_ID,
      requestId: 'down-1',
      callbackUrl: url,
      timeScale: 0,
    });

    // Assess: Step Functions retried the Callback task 3 times, each with the function's 4 attempts.
    expect(report.execution?.status).toBe('FAILED');
    expect(report.execution?.error?.Error).toBe('WebhookDeliveryError');
    expect(report.execution?.tasks['Callback']?.invocations).toBe(4);
    expect(report.delivery).toMatchObject({ delivered: false, url, statusCode: null });
    expect(report.delivery?.attempts.map((a) => a.outcome)).toEqual(Array(4).fill('network-error'));
    // Nothing lost: the result, the renditions and the zip are all there.
    expect(report.result?.status).toBe('succeeded');
    expect(report.zip?.entries).toHaveLength(8);
    expect(report.ok).toBe(true);
    const log = (await readFile(report.paths.log, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as LogEntry & { result?: string });
    const tried = log.filter((l) => l.function === 'callback' && l.message === 'Webhook attempt');
    expect(tried).toHaveLength(16);
    expect(tried.every((l) => l.result?.startsWith('a network error'))).toBe(true);
    // Each line carries its invocation's local Lambda context and the correlation keys: four
    // invocations, four request ids, the first one cold.
    expect(new Set(tried.map((l) => l.function_request_id)).size).toBe(4);
    expect(tried.filter((l) => l.cold_start).map((l) => l.function_request_id)).toEqual(
      Array(4).fill(tried[0]?.function_request_id),
    );
    for (const line of tried) {
      expect(line).toMatchObject({
        function_name: 'listing-media-callback-local',
        listingId: LISTING_ID,
        requestId: 'down-1',
        executionName: `${LISTING_ID}_down-1`,
      });
    }
    expect(await readFile(report.paths.contactSheet, 'utf8')).toContain('NOT delivered');
  });

  it('reports an item the manifest names but nobody uploaded, and processes the rest', async () => {
    // Prepare
    const { pipeline, request } = await pipelineWith(3, 2);

    // Act
    await pipeline.queue.send(request('missing-1'));
    const { executions } = await pipeline.drain();

    // Assess
    expect(executions.map((e) => e.status)).toEqual(['SUCCEEDED']);
    const result = JSON.parse(
      (
        await pipeline.rawStore.getBuffer(`_pipeline/${LISTING_ID}/missing-1/result.json`)
      ).toString(),
    ) as { status: string; media: { status: string; error?: { code: string } }[] };
    expect(result.status).toBe('partially_failed');
    expect(result.media.map((m) => m.error?.code ?? m.status)).toEqual([
      'succeeded',
      'succeeded',
      'OBJECT_NOT_FOUND',
    ]);
    expect(pipeline.receiver?.received).toHaveLength(1);
  });

  it('fails videos with TRANSCODE_FAILED when ffmpeg is missing, as a failed MediaConvert job, and completes the rest', async () => {
    const folder = await folderWith(1, true);
    const report = await runListing({
      folder,
      out: await scratchDir('no-ffmpeg'),
      listingId: LISTING_ID,
      requestId: 'no-ffmpeg-1',
      timeScale: 0,
      ffmpegPath: join(await scratchDir('no-ffmpeg-bin'), 'ffmpeg'),
    });

    expect(report.execution?.status).toBe('SUCCEEDED');
    expect(report.result?.status).toBe('partially_failed');
    expect(
      report.result?.media.map((m) => [
        m.mediaType,
        m.status === 'failed' ? m.error.code : m.status,
      ]),
    ).toEqual([
      ['photo', 'succeeded'],
      ['video', 'TRANSCODE_FAILED'],
    ]);
    expect(report.webhooks).toHaveLength(1);
  });
});

describe('the queue in front of the pipeline', () => {
  it('starts one execution for a message delivered twice, and for a batch holding it twice', async () => {
    // Prepare
    const { pipeline, request } = await pipelineWith(2);
    const first = request('dup-1');
    const second = request('dup-2');

    // Act: the same body sent twice (two receives), then one batch with a duplicate in it.
    await pipeline.queue.send(first);
    await pipeline.queue.send(first);
    const redelivered = await pipeline.drain();
    const batch = await pipeline.start([
      { messageId: 'm-1', body: second },
      { messageId: 'm-2', body: second },
    ]);
    const executions = await pipeline.stepFunctions.settle();

    // Assess
    expect(redelivered.batches.reduce((n, b) => n + b.received, 0)).toBe(2);
    expect(batch.batchItemFailures).toEqual([]);
    expect(executions.map((e) => [e.name, e.status])).toEqual([
      [`${LISTING_ID}_dup-1`, 'SUCCEEDED'],
      [`${LISTING_ID}_dup-2`, 'SUCCEEDED'],
    ]);
    expect(pipeline.receiver?.received.map((w) => w.status)).toEqual([204, 204]);
    expect(await pipeline.queue.deadLetters()).toEqual([]);
  });

  it('sends a message that can never parse to the DLQ at once, without holding up its batch', async () => {
    // Prepare
    const { pipeline, request } = await pipelineWith(1);
    const raw = await hashTree(pipeline.rawStore, rawPrefix(LISTING_ID));

    // Act
    await pipeline.queue.send('{"schemaVersion": 1, "listingId": "not a uuid"');
    await pipeline.queue.send(request('ok-1'));
    const { executions, batches } = await pipeline.drain();

    // Assess
    expect(executions.map((e) => [e.name, e.status])).toEqual([
      [`${LISTING_ID}_ok-1`, 'SUCCEEDED'],
    ]);
    // `start` dead-letters it itself: no five redeliveries, and no batch item failure.
    expect(batches.map((b) => [b.received, b.failed])).toEqual([[2, 0]]);
    expect(await pipeline.queue.deadLetters()).toEqual([
      '{"schemaVersion": 1, "listingId": "not a uuid"',
    ]);
    expect(await hashTree(pipeline.rawStore, rawPrefix(LISTING_ID))).toEqual(raw);
    await expect(pipeline.rawStore.head(zipKey(LISTING_ID))).resolves.toBeDefined();
    expect((await hashTree(pipeline.rawStore, processedPrefix(LISTING_ID))).size).toBe(5);
  });
});
