import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ListingMediaResult, executionName, type ProcessingRequest } from '@toq/contracts';
import {
  DeliveryRecord,
  deliveryStateKey,
  readJsonRecordIfPresent,
  resultStateKey,
} from '@toq/lambdas';
import { contactSheet, type ZipListing } from './contact-sheet.ts';
import {
  buildRequest,
  readListingFolder,
  stableUuid,
  uploadRawFiles,
  type ListingFile,
} from './listing-folder.ts';
import type { LocalExecution } from './local-step-functions.ts';
import { LocalPipeline, type LocalPipelineOptions, type StoreChoice } from './local-pipeline.ts';
import type { ReceivedWebhook } from '@toq/lambdas/webhook-receiver';

/** The sample listing committed at the repository's root. */
export const SAMPLE_LISTING = resolve(import.meta.dirname, '../../../samples/listing');
/** The sample listing's id (any other folder gets one derived from its path). */
export const SAMPLE_LISTING_ID = '5a3f0c1e-8d2b-4c6a-9e7f-0b1c2d3e4f50';

/** Options of {@link runListing}. */
export interface RunListingOptions extends Omit<
  LocalPipelineOptions,
  'store' | 'onLog' | 'receiverStatuses'
> {
  /** The folder of photos and videos. Default {@link SAMPLE_LISTING}. */
  readonly folder?: string;
  readonly listingId?: string;
  /** Default: `local-` and 12 random hex digits ({@link localRequestId}), a new request each run. */
  readonly requestId?: string;
  /** Where everything goes: the bucket (fs store), result.json, the contact sheet, run.log. */
  readonly out: string;
  /** Default: the filesystem store under `{out}/bucket`. */
  readonly store?: 'fs' | Extract<StoreChoice, { kind: 's3' }>;
  /** Progress lines of the runner itself (uploads, queue, outputs). */
  readonly onStep?: (message: string) => void;
  /** Called once the folder is read, before anything is uploaded. */
  readonly onListing?: (files: readonly ListingFile[]) => void;
  /** Answers of the local receiver (tests). */
  readonly receiverStatuses?: readonly number[];
}

/** What a run produced and where it is. */
export interface LocalRunReport {
  readonly listingId: string;
  readonly requestId: string;
  readonly executionName: string;
  readonly request: ProcessingRequest;
  readonly files: readonly ListingFile[];
  readonly skipped: readonly string[];
  readonly rawKeys: readonly string[];
  readonly execution: LocalExecution | undefined;
  /** The consolidated result, when the execution got as far as writing it. */
  readonly result: ListingMediaResult | undefined;
  readonly delivery: DeliveryRecord | undefined;
  /** The POSTs the local receiver got (empty with a callback URL of your own). */
  readonly webhooks: readonly ReceivedWebhook[];
  readonly zip: ZipListing | undefined;
  /** The media bucket, in words (a directory, or `s3://…` on its endpoint). */
  readonly bucket: string;
  readonly paths: {
    readonly out: string;
    /** The filesystem bucket, or the local copy of the renditions the sheet shows (S3). */
    readonly bucket: string;
    readonly result: string;
    readonly contactSheet: string;
    readonly log: string;
  };
  /** False only when the listing failed as a whole (no result, or status `failed`). */
  readonly ok: boolean;
}

/**
 * `local-3f9a0c1be27d`: a request id that is new each run. Random, not a timestamp: the request id
 * is a segment of the state keys, and the key layout has no dates (spec §2).
 */
export function localRequestId(): string {
  return `local-${randomBytes(6).toString('hex')}`;
}

/**
 * The main command: processes a folder as a listing through the whole pipeline on this machine.
 * Uploads the files to their raw keys, sends one `ProcessingRequest` to the queue, lets the event
 * source mapping deliver it to `start`, waits for the execution, then writes `result.json`
 * (the `ListingMediaResult`) and `contact-sheet.html` to `out` and checks the webhook.
 *
 * @example
 * const report = await runListing({ out: '.local/run' });
 * console.log(report.result?.status, report.paths.contactSheet);
 */
export async function runListing(options: RunListingOptions): Promise<LocalRunReport> {
  const out = resolve(options.out);
  const folder = resolve(options.folder ?? SAMPLE_LISTING);
  const listingId =
    options.listingId ??
    (folder === SAMPLE_LISTING ? SAMPLE_LISTING_ID : stableUuid('listing', folder));
  const requestId = options.requestId ?? localRequestId();
  const bucketDir = join(out, 'bucket');
  const paths = {
    out,
    bucket: bucketDir,
    result: join(out, 'result.json'),
    contactSheet: join(out, 'contact-sheet.html'),
    log: join(out, 'run.log'),
  };
  await mkdir(out, { recursive: true });
  const logFile = createWriteStream(paths.log, { flags: 'w' });
  const step = options.onStep ?? (() => undefined);
  const pipeline = await LocalPipeline.create({
    ...options,
    store:
      options.store === undefined || options.store === 'fs'
        ? { kind: 'fs', root: bucketDir }
        : options.store,
    onLog: (entry) => logFile.write(`${JSON.stringify(entry)}\n`),
  });
  try {
    const { files, skipped } = await readListingFolder(folder, listingId);
    if (files.length === 0) {
      throw new Error(`No photo or video in ${folder}: expected files such as .jpg, .png, .mp4`);
    }
    options.onListing?.(files);
    step(
      `Listing ${listingId}: ${files.length} media from ${folder}${skipped.length ? ` (skipped ${skipped.join(', ')})` : ''}`,
    );
    const rawKeys = await uploadRawFiles(pipeline.rawStore, listingId, files);
    step(`Uploaded ${rawKeys.length} raw objects to ${pipeline.bucket}`);
    const request = buildRequest(listingId, requestId, files, pipeline.callbackUrl);
    await pipeline.queue.send(JSON.stringify(request));
    step(`Sent the ProcessingRequest ${requestId} to the queue`);
    const name = executionName(listingId, requestId);
    await pipeline.drain();
    const execution = pipeline.stepFunctions.executions.get(name);
    const scope = { listingId, requestId };
    const store = pipeline.rawStore;
    const result = await readJsonRecordIfPresent(store, resultStateKey(scope), ListingMediaResult);
    const delivery = await readJsonRecordIfPresent(store, deliveryStateKey(scope), DeliveryRecord);
    const zip = result?.zip ? await pipeline.readZip(result.zip.key) : undefined;
    if (result) {
      await writeFile(paths.result, `${JSON.stringify(result, null, 2)}\n`);
      if (options.store !== undefined && options.store !== 'fs') {
        await mirrorRenditions(pipeline, result, bucketDir);
      }
      const fileNames = new Map(files.map((f) => [f.mediaId, f.fileName]));
      await writeFile(
        paths.contactSheet,
        contactSheet({
          result,
          fileNames,
          src: (key) => `bucket/${key}`,
          ...(zip ? { zip } : {}),
          delivery: describeDelivery(delivery),
        }),
      );
    }
    return {
      listingId,
      requestId,
      executionName: name,
      request,
      files,
      skipped,
      rawKeys,
      execution,
      result,
      delivery,
      webhooks: [...(pipeline.receiver?.received ?? [])],
      zip,
      bucket: pipeline.location,
      paths,
      ok: result !== undefined && result.status !== 'failed',
    };
  } finally {
    await pipeline.close();
    await new Promise<void>((done) => logFile.end(done));
  }
}

/** A line on the webhook: delivered (status, attempts) or not (why). */
export function describeDelivery(delivery: DeliveryRecord | undefined): string {
  if (delivery === undefined) return 'not sent';
  const last = delivery.attempts.at(-1);
  if (delivery.delivered) {
    return `delivered to ${delivery.url} (HTTP ${delivery.statusCode}, ${delivery.attempts.length} attempt(s))`;
  }
  const why =
    last === undefined
      ? 'no attempt'
      : last.outcome === 'response'
        ? `HTTP ${last.statusCode}`
        : last.outcome === 'network-error'
          ? last.message
          : last.outcome === 'refused'
            ? `refused: ${last.reason}`
            : 'timeout';
  return `NOT delivered to ${delivery.url} after ${delivery.attempts.length} attempt(s): ${why}`;
}

/** Copies every rendition the result names into `dir/{key}` (the sheet's images, from S3). */
async function mirrorRenditions(
  pipeline: LocalPipeline,
  result: ListingMediaResult,
  dir: string,
): Promise<void> {
  for (const item of result.media) {
    if (item.status !== 'succeeded') continue;
    for (const rendition of item.renditions) {
      const file = join(dir, ...rendition.key.split('/'));
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, await pipeline.rawStore.getBuffer(rendition.key));
    }
  }
}
