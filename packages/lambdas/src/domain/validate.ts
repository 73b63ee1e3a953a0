import {
  RAW_UPLOAD_TAG,
  ValidationReport,
  parse,
  rawKey,
  type ItemFailure,
  type MediaErrorCode,
  type MediaItem,
  type ProcessingRequest,
} from '@toq/contracts';
import pLimit from 'p-limit';
import * as z from 'zod';
import type { Logger } from '../ports/logger.ts';
import {
  ObjectArchivedError,
  ObjectNotFoundError,
  type ObjectStore,
} from '../ports/object-store.ts';
import { TransientError } from './errors.ts';
import { validationStateKey, type TaskContext } from './state-keys.ts';
import {
  parseExecutionInput,
  readStoredRequest,
  recordRequest,
  type ExecutionInput,
} from './stored-request.ts';
import { SNIFF_BYTES, sniffMedia } from './validate-signatures.ts';
import { declaredDurationSeconds } from './video-duration.ts';

/**
 * The `Validate` state's payload: the execution's input and its name (docs/pipeline.md). The
 * input is a pointer to the request `start` stored, or the request itself (a backend starting the
 * execution directly): {@link parseExecutionInput}. An invalid request is reported as "Invalid
 * ProcessingRequest: …", an invalid pointer as "Invalid stored request pointer: …".
 */
export const ValidateInput = z.object({
  request: z.unknown().transform((value) => parseExecutionInput(value)),
  executionName: z.string().min(1).max(80),
});
export type ValidateInput = z.output<typeof ValidateInput>;

/** An accepted item as the Map states receive it. */
export interface MediaRef {
  readonly mediaId: string;
  readonly ext: string;
}

/** What `Validate` returns: the state the rest of the execution carries. */
export interface ValidateResult {
  readonly ctx: TaskContext;
  readonly photos: MediaRef[];
  readonly videos: MediaRef[];
}

/** The largest raw object accepted, per media type, in bytes. */
export interface SizeLimits {
  readonly photo: number;
  readonly video: number;
}

/** What validating needs from the outside world. */
export interface ValidateDeps {
  readonly store: ObjectStore;
  readonly logger: Logger;
  readonly limits: SizeLimits;
}

/** Objects checked at once: each check is a HEAD, a small ranged GET and the tagging calls. */
const CONCURRENCY = 16;

/**
 * The tag the media bucket's lifecycle rule moves raw uploads to Glacier by (`RAW_UPLOAD_TAG`).
 * The backend sets it on upload; validate sets it too, on every raw upload it accepts, so a
 * forgotten tag never keeps a raw upload in S3 Standard for good.
 */
export const RAW_UPLOAD_TAGS = { [RAW_UPLOAD_TAG.key]: RAW_UPLOAD_TAG.value };

const MiB = 1024 * 1024;
function formatBytes(bytes: number): string {
  return bytes >= MiB ? `${bytes} bytes (${(bytes / MiB).toFixed(1)} MiB)` : `${bytes} bytes`;
}

function reject(item: MediaItem, code: MediaErrorCode, message: string): ItemFailure {
  return { mediaId: item.mediaId, mediaType: item.mediaType, error: { code, message } };
}

function rawKeyOf(listingId: string, item: MediaItem): string {
  return rawKey({ listingId, mediaType: item.mediaType, mediaId: item.mediaId, ext: item.ext });
}

/** An archived raw upload's failure, with the way out: restore it, then send the request again. */
function archived(item: MediaItem, key: string, archive = 'an archive storage class'): ItemFailure {
  return reject(
    item,
    'OBJECT_ARCHIVED',
    `The raw upload at ${key} is archived (${archive}) and cannot be read: restore it (S3 RestoreObject, e.g. aws s3api restore-object --restore-request Days=7), wait until the restore completes (minutes to 48 hours, by retrieval tier), then send the request again`,
  );
}

/**
 * Checks one manifest item against its raw object: present, not empty, within the size limit of
 * its media type, as large as declared, not archived (Glacier, unrestored), and its first bytes
 * (a ranged GET, never the whole object) of the declared media type and extension. Resolves
 * undefined when the item is valid.
 */
export async function checkItem(
  listingId: string,
  item: MediaItem,
  deps: Pick<ValidateDeps, 'store' | 'limits'>,
): Promise<ItemFailure | undefined> {
  const key = rawKeyOf(listingId, item);
  const head = await deps.store.head(key);
  if (!head) return reject(item, 'OBJECT_NOT_FOUND', `No raw upload at ${key}`);
  if (head.size === 0) return reject(item, 'OBJECT_EMPTY', `The raw upload at ${key} is empty`);
  const limit = deps.limits[item.mediaType];
  if (head.size > limit) {
    return reject(
      item,
      'OBJECT_TOO_LARGE',
      `The ${item.mediaType} is ${formatBytes(head.size)}: expected at most ${formatBytes(limit)}`,
    );
  }
  if (item.bytes !== undefined && item.bytes !== head.size) {
    return reject(
      item,
      'SIZE_MISMATCH',
      `The raw upload has ${head.size} bytes: expected ${item.bytes} as declared`,
    );
  }
  if (head.archivedIn !== undefined) return archived(item, key, head.archivedIn);
  let first: Buffer;
  try {
    first = await deps.store.getRange(key, 0, SNIFF_BYTES - 1);
  } catch (error) {
    if (error instanceof ObjectNotFoundError) {
      return reject(item, 'OBJECT_NOT_FOUND', `No raw upload at ${key}`);
    }
    if (error instanceof ObjectArchivedError) return archived(item, key);
    throw error;
  }
  const detected = sniffMedia(first);
  if (!detected) {
    return reject(
      item,
      'UNSUPPORTED_FORMAT',
      `The content of ${key} is not a supported ${item.mediaType} format: expected .${item.ext}, received unrecognised bytes`,
    );
  }
  if (
    detected.mediaType !== item.mediaType ||
    !(detected.extensions as readonly string[]).includes(item.ext)
  ) {
    return reject(
      item,
      'TYPE_MISMATCH',
      `Declared a ${item.mediaType} .${item.ext}: received ${detected.format} content (a ${detected.mediaType})`,
    );
  }
  if (DECLARES_DURATION.has(detected.format)) {
    const seconds = await declaredDurationSeconds(deps.store, key);
    if (seconds === undefined) {
      return reject(
        item,
        'VIDEO_TRUNCATED',
        `The ${detected.format} video at ${key} declares no duration: its header has no moov/mvhd box, which an upload cut short before its end lacks (a camera writes it last)`,
      );
    }
  }
  return undefined;
}

/**
 * The containers whose header declares a duration (`mvhd`): one without it cannot be played or
 * transcoded, so it fails here rather than as a MediaConvert job.
 */
const DECLARES_DURATION: ReadonlySet<string> = new Set(['mp4', 'm4v', 'quicktime']);

/**
 * Tags an accepted raw upload with {@link RAW_UPLOAD_TAGS}, keeping its other tags and every
 * byte. Only storage trouble worth retrying fails the task: a refusal (a missing permission, an
 * object that already has S3's 10 tags, a server without tagging) leaves the upload untagged and
 * says so in a warning, as the listing's processing does not depend on it.
 */
async function tagRawUpload(key: string, deps: ValidateDeps): Promise<void> {
  try {
    await deps.store.addTags(key, RAW_UPLOAD_TAGS);
  } catch (error) {
    if (error instanceof TransientError) throw error;
    deps.logger.warn('Raw upload not tagged: the lifecycle rule will not archive it', {
      key,
      reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
}

/**
 * The request an execution works on: read from `request.json` when its input is a pointer
 * (`start` stored it), else the input itself, then recorded in `request.json` for the steps after.
 */
async function requestOf(input: ExecutionInput, store: ObjectStore): Promise<ProcessingRequest> {
  if ('pointer' in input) return readStoredRequest(store, input.pointer);
  await recordRequest(store, input.request);
  return input.request;
}

/**
 * The `validate` function: checks every manifest item against the bucket ({@link checkItem}),
 * tags every accepted raw upload `media-class=raw` (the Glacier lifecycle's filter), writes
 * `validation.json` (and `request.json`, when the execution's input is the request itself) under
 * the execution's state prefix, and returns the accepted items for the Map states. Invalid items
 * are reported, never fatal to the rest.
 *
 * @throws {InvalidRequestError} when the stored request a pointer points at is missing, not a
 *   request, or another request's (never retried).
 * @throws {TransientError} on storage trouble (retried).
 */
export async function validateListing(
  input: ValidateInput,
  deps: ValidateDeps,
): Promise<ValidateResult> {
  const request = await requestOf(input.request, deps.store);
  const ctx: TaskContext = {
    listingId: request.listingId,
    requestId: request.requestId,
    executionName: input.executionName,
  };

  const failures = await pLimit(CONCURRENCY).map(request.media, async (item) => {
    const failure = await checkItem(request.listingId, item, deps);
    if (failure === undefined) await tagRawUpload(rawKeyOf(request.listingId, item), deps);
    return failure;
  });
  const report = parse(ValidationReport, {
    listingId: request.listingId,
    requestId: request.requestId,
    accepted: request.media.filter((_, i) => failures[i] === undefined),
    rejected: failures.filter((failure) => failure !== undefined),
  });
  await deps.store.put(validationStateKey(ctx), JSON.stringify(report, null, 2), {
    contentType: 'application/json',
  });
  for (const rejected of report.rejected) {
    deps.logger.warn('Media item rejected', { mediaId: rejected.mediaId, ...rejected.error });
  }
  deps.logger.info('Validated', {
    accepted: report.accepted.length,
    rejected: report.rejected.length,
  });

  const refs = (type: 'photo' | 'video') =>
    report.accepted
      .filter((item) => item.mediaType === type)
      .map((item) => ({ mediaId: item.mediaId, ext: item.ext }));
  return { ctx, photos: refs('photo'), videos: refs('video') };
}
