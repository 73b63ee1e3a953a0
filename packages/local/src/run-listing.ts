import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ListingMediaResult, executionName, type ProcessingRequest } from '@toq/contracts';
import {
  DeliveryRecord,
  deliveryStateKey,
  readJsonRecordIfPresent,
  recordRequest,
  requestStateKey,
  resultStateKey,
} from '@toq/lambdas';
import { contactSheet, type Failure, type ZipListing } from './contact-sheet.ts';
import {
  buildRequest,
  rawKeyOf,
  readListingFolder,
  stableUuid,
  uploadRawFiles,
  type ListingFile,
} from './listing-folder.ts';
import type { LocalExecution } from './local-step-functions.ts';
import { LocalPipeline, type LocalPipelineOptions, type StoreChoice } from './local-pipeline.ts';
import type { ReceivedWebhook } from '@toq/lambdas/webhook-receiver';
import { UsageError } from './usage-error.ts';

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
  /** The raw keys uploaded, in file order (an unreadable file has none). */
  readonly rawKeys: readonly string[];
  readonly execution: LocalExecution | undefined;
  /** The consolidated result, when the execution got as far as writing it. */
  readonly result: ListingMediaResult | undefined;
  /** The result's failed items and listing errors, by file name ({@link failuresOf}). */
  readonly failures: readonly Failure[];
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
 * First, before it creates anything, it reads the folder and checks that an S3 endpoint answers.
 *
 * @throws {UsageError} when the folder is missing, a file or holds no media, `out` is a file, or
 *   the `--store s3` endpoint does not answer.
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
  // What a person can get wrong is found before anything is created or uploaded.
  const { files, skipped } = await readListingFolder(folder, listingId);
  if (files.length === 0) {
    throw new UsageError(`No photo or video in ${folder}: expected files such as .jpg, .png, .mp4`);
  }
  const s3 = options.store === undefined || options.store === 'fs' ? undefined : options.store;
  if (s3?.endpoint !== undefined) await checkEndpointAnswers(s3.endpoint);
  await makeOutputFolder(out);
  const bucketDir = join(out, 'bucket');
  const paths = {
    out,
    bucket: bucketDir,
    result: join(out, 'result.json'),
    contactSheet: join(out, 'contact-sheet.html'),
    log: join(out, 'run.log'),
  };
  const logFile = createWriteStream(paths.log, { flags: 'w' });
  const step = options.onStep ?? (() => undefined);
  let pipeline: LocalPipeline | undefined;
  try {
    pipeline = await LocalPipeline.create({
      ...options,
      store: s3 ?? { kind: 'fs', root: bucketDir },
      onLog: (entry) => logFile.write(`${JSON.stringify(entry)}\n`),
    });
    options.onListing?.(files);
    step(
      `Listing ${listingId}: ${files.length} media from ${folder}${skipped.length ? ` (skipped ${skipped.join(', ')})` : ''}`,
    );
    for (const file of files) {
      if (file.unreadable) step(`✗ ${file.fileName}: ${file.unreadable}: nothing to upload`);
    }
    const request = buildRequest(listingId, requestId, files, pipeline.callbackUrl);
    const rawKeys = await uploadRawFiles(pipeline.rawStore, listingId, files);
    step(`Uploaded ${rawKeys.length} raw objects to ${pipeline.bucket}`);
    // A --request-id run before finds its request recorded, and this run's differs at least in
    // its callback URL (a receiver on a new port): `start` would send it to the DLQ as another
    // request with the same ids. Each run has its own Step Functions, so a run of a request id
    // processes the listing again: recorded anew, the request is this run's.
    if ((await pipeline.rawStore.head(requestStateKey(request))) !== undefined) {
      await recordRequest(pipeline.rawStore, request);
    }
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
    const failures = result ? failuresOf(result, listingId, files) : [];
    if (result) {
      await writeFile(paths.result, `${JSON.stringify(result, null, 2)}\n`);
      if (s3) await mirrorRenditions(pipeline, result, bucketDir);
      await writeFile(
        paths.contactSheet,
        contactSheet({
          result,
          fileNames: new Map(files.map((f) => [f.mediaId, f.fileName])),
          failures,
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
      failures,
      delivery,
      webhooks: [...(pipeline.receiver?.received ?? [])],
      zip,
      bucket: pipeline.location,
      paths,
      ok: result !== undefined && result.status !== 'failed',
    };
  } finally {
    await pipeline?.close();
    await new Promise<void>((done) => logFile.end(done));
  }
}

/**
 * The result's failed items and listing errors in the user's terms: each item by its file name,
 * and each raw key in a message replaced by the file's name. An unreadable file's item says why
 * it could not be read rather than that its upload is missing.
 */
export function failuresOf(
  result: ListingMediaResult,
  listingId: string,
  files: readonly ListingFile[],
): Failure[] {
  const byMediaId = new Map(files.map((f) => [f.mediaId, f]));
  const inFileTerms = (message: string) =>
    files.reduce(
      (text, file) => text.replaceAll(rawKeyOf(listingId, file), file.fileName),
      message,
    );
  const items = result.media.flatMap((item): Failure[] => {
    if (item.status !== 'failed') return [];
    const file = byMediaId.get(item.mediaId);
    const message = file?.unreadable
      ? `${file.unreadable}: nothing to upload`
      : inFileTerms(item.error.message);
    return [{ fileName: file?.fileName ?? item.mediaId, code: item.error.code, message }];
  });
  const listing = result.errors.map((e) => ({ code: e.code, message: inFileTerms(e.message) }));
  return [...items, ...listing];
}

/** How long an endpoint has to answer the check before a run. */
const ENDPOINT_CHECK_MS = 10_000;

/**
 * Any HTTP answer will do; none at all means the user's endpoint is wrong or down. `node:http`
 * rather than `fetch`, which refuses the ports the Fetch standard calls bad (9, 6000, …).
 */
async function checkEndpointAnswers(endpoint: string): Promise<void> {
  const send = new URL(endpoint).protocol === 'https:' ? httpsRequest : httpRequest;
  const failure = await new Promise<string | undefined>((answered) => {
    const request = send(endpoint, { method: 'HEAD', timeout: ENDPOINT_CHECK_MS }, (response) => {
      response.resume();
      answered(undefined);
    });
    request.on('timeout', () =>
      request.destroy(new Error(`no answer in ${ENDPOINT_CHECK_MS / 1000} s`)),
    );
    request.on('error', (error: NodeJS.ErrnoException) => answered(error.code ?? error.message));
    request.end();
  });
  if (failure !== undefined) {
    throw new UsageError(
      `--endpoint ${endpoint} does not answer (${failure}): start the S3/SQS server there, or leave --endpoint out to run fauxqs in process`,
    );
  }
}

/** `out`, made when missing. */
async function makeOutputFolder(out: string): Promise<void> {
  try {
    await mkdir(out, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new UsageError(`--out ${out} is a file: give a folder for the run's outputs`);
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new UsageError(`--out ${out} cannot be created: permission denied`);
    }
    throw error;
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
