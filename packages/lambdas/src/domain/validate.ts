import {
  ProcessingRequest,
  ValidationReport,
  parse,
  rawKey,
  type ItemFailure,
  type MediaErrorCode,
  type MediaItem,
} from '@toq/contracts';
import pLimit from 'p-limit';
import * as z from 'zod';
import type { Logger } from '../ports/logger.ts';
import { ObjectNotFoundError, type ObjectStore } from '../ports/object-store.ts';
import { reportedAs } from './errors.ts';
import { requestStateKey, validationStateKey, type TaskContext } from './state-keys.ts';
import { SNIFF_BYTES, sniffMedia } from './validate-signatures.ts';

/**
 * The `Validate` state's payload: the execution's input and its name (docs/pipeline.md). An
 * invalid request is reported as "Invalid ProcessingRequest: …".
 */
export const ValidateInput = z.object({
  request: reportedAs(ProcessingRequest, 'ProcessingRequest'),
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

/** Objects checked at once: each check is a HEAD and a small ranged GET. */
const CONCURRENCY = 16;

const MiB = 1024 * 1024;
function formatBytes(bytes: number): string {
  return bytes >= MiB ? `${bytes} bytes (${(bytes / MiB).toFixed(1)} MiB)` : `${bytes} bytes`;
}

function reject(item: MediaItem, code: MediaErrorCode, message: string): ItemFailure {
  return { mediaId: item.mediaId, mediaType: item.mediaType, error: { code, message } };
}

/**
 * Checks one manifest item against its raw object: present, not empty, within the size limit of
 * its media type, as large as declared, and its first bytes (a ranged GET, never the whole
 * object) of the declared media type and extension. Resolves undefined when the item is valid.
 */
export async function checkItem(
  listingId: string,
  item: MediaItem,
  deps: Pick<ValidateDeps, 'store' | 'limits'>,
): Promise<ItemFailure | undefined> {
  const key = rawKey({
    listingId,
    mediaType: item.mediaType,
    mediaId: item.mediaId,
    ext: item.ext,
  });
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
  let first: Buffer;
  try {
    first = await deps.store.getRange(key, 0, SNIFF_BYTES - 1);
  } catch (error) {
    if (error instanceof ObjectNotFoundError) {
      return reject(item, 'OBJECT_NOT_FOUND', `No raw upload at ${key}`);
    }
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
  return undefined;
}

/**
 * The `validate` function: checks every manifest item against the bucket ({@link checkItem}),
 * writes `request.json` and `validation.json` under the execution's state prefix, and returns the
 * accepted items for the Map states. Invalid items are reported, never fatal to the rest.
 *
 * @throws {TransientError} on storage trouble (retried).
 */
export async function validateListing(
  input: ValidateInput,
  deps: ValidateDeps,
): Promise<ValidateResult> {
  const { request } = input;
  const ctx: TaskContext = {
    listingId: request.listingId,
    requestId: request.requestId,
    executionName: input.executionName,
  };
  await deps.store.put(requestStateKey(ctx), JSON.stringify(request, null, 2), {
    contentType: 'application/json',
  });

  const failures = await pLimit(CONCURRENCY).map(request.media, (item) =>
    checkItem(request.listingId, item, deps),
  );
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
