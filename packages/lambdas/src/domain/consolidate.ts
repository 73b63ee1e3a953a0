import {
  ItemFailure,
  LISTING_RESULT_VERSION,
  ListingMediaResult,
  MediaId,
  PhotoRenditionsResult,
  ProcessingRequest,
  ValidationReport,
  VideoOutputsResult,
  ZipResult,
  parse,
  type ListingError,
  type ListingStatus,
  type MediaError,
  type MediaOutcome,
  type MediaType,
} from '@toq/contracts';
import pLimit from 'p-limit';
import * as z from 'zod';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import {
  InvalidRecordError,
  readJsonRecord,
  readJsonRecordIfPresent,
  type ObjectStore,
} from '../ports/object-store.ts';
import { InvalidRequestError, causeMessage, parseInput } from './errors.ts';
import { CaughtItemInput, recordCaughtFailure, type CaughtItemOutcome } from './item-failure.ts';
import {
  TaskContext,
  itemStateKey,
  requestStateKey,
  resultStateKey,
  validationStateKey,
} from './state-keys.ts';
import {
  parseExecutionInput,
  readStoredRequest,
  recordRequest,
  type ExecutionInput,
} from './stored-request.ts';

/** A Step Functions error as a `Catch` with a `ResultPath` records it. */
const CaughtError = z.object({ Error: z.string(), Cause: z.string().optional().nullable() });
type CaughtError = z.output<typeof CaughtError>;

/**
 * One Map iteration's result: `{ mediaId, status }` and nothing more (state size); a failed
 * item's reason is in its record (`RecordPhotoFailure` / `RecordVideoFailure` write it).
 */
const ItemOutcome = z.object({
  mediaId: MediaId,
  status: z.enum(['succeeded', 'failed']),
});
type ItemOutcome = z.output<typeof ItemOutcome>;

/** The normal state after `BundleZip`. */
const ProcessedState = z.object({
  ctx: TaskContext,
  photos: z.array(ItemOutcome),
  videos: z.array(ItemOutcome),
  zip: ZipResult.nullable().optional(),
  zipError: CaughtError.optional(),
});

type ProcessedState = z.output<typeof ProcessedState>;

/**
 * The failure path's state (`Validate` failed): the execution's input as received (the stored
 * request's pointer, or the request itself), and the error.
 */
export interface FailedState {
  readonly input: ExecutionInput;
  readonly failure: CaughtError;
}

/**
 * The state `Consolidate` receives: the failure path's `{ ...executionInput, failure }`, or the
 * normal state after `BundleZip`; each reported under its own name when it does not parse.
 */
const ConsolidateState = z.looseObject({}).transform((state): FailedState | ProcessedState => {
  if (!('failure' in state)) return parseInput(ProcessedState, state, 'Consolidate state');
  const { failure, ...input } = state;
  return {
    input: parseExecutionInput(input, 'ProcessingRequest (failure path)'),
    failure: parseInput(CaughtError, failure, 'failure'),
  };
});

/** The `Consolidate` state's payload (docs/pipeline.md). */
export const ConsolidateInput = z.object({
  state: ConsolidateState,
  executionName: z.string().min(1).max(80),
});
export type ConsolidateInput = z.output<typeof ConsolidateInput>;

/** What `Consolidate` returns: the state `Callback` gets. */
export interface ConsolidateOutput {
  readonly ctx: TaskContext;
  readonly status: ListingStatus;
  readonly resultKey: string;
  readonly callbackUrl: string;
}

/** What consolidating needs from the outside world. */
export interface ConsolidateDeps {
  readonly store: ObjectStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** An item's record under `items/{mediaId}.json`. */
export type ItemRecord = PhotoRenditionsResult | VideoOutputsResult | ItemFailure;
const ItemRecord = z.union([PhotoRenditionsResult, VideoOutputsResult, ItemFailure]);

/** Everything the consolidated result is made of, already read. */
export interface ConsolidationFacts {
  readonly request: ProcessingRequest;
  /** Absent on the failure path (validation never finished). */
  readonly report?: ValidationReport;
  readonly outcomes: readonly (ItemOutcome & { branch: MediaType })[];
  readonly records: ReadonlyMap<string, ItemRecord>;
  readonly zip: z.output<typeof ZipResult> | null;
  readonly zipError?: CaughtError;
  /** The error that sent the execution down the failure path. */
  readonly failure?: CaughtError;
  readonly completedAt: Date;
}

const MAX_MESSAGE = 1000;
function clip(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}

/**
 * A caught error in words. A Lambda error's `Cause` is a JSON string
 * (`{"errorType","errorMessage","trace"}`) on AWS and a plain message locally: both are read
 * ({@link causeMessage}).
 */
export function describeCaught(caught: CaughtError): string {
  const detail = causeMessage(caught.Cause);
  return detail ? `${caught.Error}: ${detail}` : caught.Error;
}

function outcomeOf(
  item: ProcessingRequest['media'][number],
  facts: ConsolidationFacts,
): MediaOutcome {
  const { mediaId, mediaType } = item;
  const failed = (error: MediaError): MediaOutcome => ({
    status: 'failed',
    mediaId,
    mediaType,
    error: { code: error.code, message: clip(error.message) },
  });
  if (facts.failure) {
    return failed({
      code: 'PROCESSING_FAILED',
      message: `The pipeline failed before processing this item (${describeCaught(facts.failure)})`,
    });
  }
  const rejected = facts.report?.rejected.find((r) => r.mediaId === mediaId);
  if (rejected) return failed(rejected.error);

  const outcome = facts.outcomes.find((o) => o.mediaId === mediaId && o.branch === mediaType);
  const record = facts.records.get(mediaId);
  if (record && 'error' in record) return failed(record.error);
  if (outcome?.status === 'succeeded' && record && record.mediaType === mediaType) {
    return {
      status: 'succeeded',
      mediaId,
      mediaType,
      renditions: record.renditions,
      ...('placeholder' in record && record.placeholder !== undefined
        ? { placeholder: record.placeholder }
        : {}),
      ...('durationSeconds' in record && record.durationSeconds !== undefined
        ? { durationSeconds: record.durationSeconds }
        : {}),
    };
  }
  if (outcome?.status === 'succeeded') {
    return failed({
      code: 'PROCESSING_FAILED',
      message: `The ${mediaType} was reported processed but its record ${itemStateKey(facts.request, mediaId)} is missing or invalid`,
    });
  }
  if (outcome) {
    return failed({
      code: 'PROCESSING_FAILED',
      message: `The ${mediaType} failed and its reason could not be recorded at ${itemStateKey(facts.request, mediaId)}`,
    });
  }
  return failed({
    code: 'PROCESSING_FAILED',
    message: `The ${mediaType} has no outcome from the processing branches`,
  });
}

/**
 * Merges validation, the branches' outcomes, the items' records and the zip into the
 * `ListingMediaResult`: every item of the request in its order, the status
 * (`succeeded` when every item and the zip are, `failed` when no item is, else
 * `partially_failed`) and listing-level errors. Pure.
 */
export function consolidateResult(facts: ConsolidationFacts): ListingMediaResult {
  const media = facts.request.media.map((item) => outcomeOf(item, facts));
  const succeeded = media.filter((m) => m.status === 'succeeded').length;
  const errors: ListingError[] = [];
  if (facts.failure) {
    errors.push({
      code: 'PIPELINE_FAILED',
      message: clip(`The pipeline failed at Validate (${describeCaught(facts.failure)})`),
    });
  } else if (succeeded === 0) {
    errors.push({ code: 'NO_VALID_MEDIA', message: 'No media item could be processed' });
  }
  if (facts.zipError) {
    errors.push({
      code: 'ZIP_FAILED',
      message: clip(`The zip bundle could not be written (${describeCaught(facts.zipError)})`),
    });
  }
  const status: ListingStatus =
    succeeded === 0
      ? 'failed'
      : succeeded < media.length || facts.zipError
        ? 'partially_failed'
        : 'succeeded';
  return parse(ListingMediaResult, {
    schemaVersion: LISTING_RESULT_VERSION,
    listingId: facts.request.listingId,
    requestId: facts.request.requestId,
    status,
    summary: { total: media.length, succeeded, failed: media.length - succeeded },
    media,
    zip: facts.zip,
    errors,
    completedAt: facts.completedAt.toISOString(),
  });
}

/** Objects read at once (item records). */
const CONCURRENCY = 16;

/**
 * The request of an execution that failed at `Validate`: the stored one its pointer points at,
 * or the request itself, recorded in `request.json` if it is missing (validate may have failed
 * before writing it).
 *
 * @throws {InvalidRequestError} when the stored request is missing, invalid or another's.
 */
async function failedRequest(
  input: ExecutionInput,
  store: ObjectStore,
): Promise<ProcessingRequest> {
  if ('pointer' in input) return readStoredRequest(store, input.pointer);
  const { request } = input;
  if ((await store.head(requestStateKey(request))) === undefined) {
    await recordRequest(store, request);
  }
  return request;
}

/**
 * The `consolidate` function: reads what the execution wrote under its state prefix, merges it
 * with the state ({@link consolidateResult}), writes `result.json` and returns what `Callback`
 * needs. On the failure path (`Validate` failed) the state is the execution's input plus
 * `failure`: a pointer's request is read from `request.json`; a request given whole is recorded
 * there if it is missing; every item is failed.
 *
 * @throws {InvalidRequestError} when `request.json` is another request's, or (failure path) a
 *   pointer's `request.json` is missing.
 * @throws {InvalidRecordError} when `request.json` or `validation.json` is not what validate wrote.
 * @throws {TransientError} on storage trouble.
 */
export async function consolidate(
  input: ConsolidateInput,
  deps: ConsolidateDeps,
): Promise<ConsolidateOutput> {
  const completedAt = deps.clock.now();
  let facts: ConsolidationFacts;

  if ('failure' in input.state) {
    const { failure } = input.state;
    const request = await failedRequest(input.state.input, deps.store);
    facts = {
      request,
      outcomes: [],
      records: new Map(),
      zip: null,
      failure,
      completedAt,
    };
  } else {
    const state = input.state;
    const request = await readJsonRecord(deps.store, requestStateKey(state.ctx), ProcessingRequest);
    if (request.listingId !== state.ctx.listingId || request.requestId !== state.ctx.requestId) {
      throw new InvalidRequestError(
        `request.json is for ${request.listingId}/${request.requestId}: expected ${state.ctx.listingId}/${state.ctx.requestId}`,
      );
    }
    const report = await readJsonRecord(
      deps.store,
      validationStateKey(state.ctx),
      ValidationReport,
    );
    const outcomes = [
      ...state.photos.map((o) => ({ ...o, branch: 'photo' as const })),
      ...state.videos.map((o) => ({ ...o, branch: 'video' as const })),
    ];
    const records = new Map<string, ItemRecord>();
    await pLimit(CONCURRENCY).map(outcomes, async ({ mediaId }) => {
      const key = itemStateKey(state.ctx, mediaId);
      const record = await readJsonRecordIfPresent(deps.store, key, ItemRecord).catch(
        (error: unknown) => {
          if (error instanceof InvalidRecordError) return null;
          throw error;
        },
      );
      if (record === undefined) return;
      if (record !== null && record.mediaId === mediaId) records.set(mediaId, record);
      else deps.logger.warn('Item record is invalid; ignored', { mediaId, key });
    });
    facts = {
      request,
      report,
      outcomes,
      records,
      zip: state.zip ?? null,
      ...(state.zipError ? { zipError: state.zipError } : {}),
      completedAt,
    };
  }

  const ctx: TaskContext = {
    listingId: facts.request.listingId,
    requestId: facts.request.requestId,
    executionName: input.executionName,
  };
  const result = consolidateResult(facts);
  const resultKey = resultStateKey(ctx);
  await deps.store.put(resultKey, JSON.stringify(result, null, 2), {
    contentType: 'application/json',
  });
  for (const item of result.media) {
    if (item.status === 'failed') {
      deps.logger.warn('Media failed', {
        mediaId: item.mediaId,
        mediaType: item.mediaType,
        code: item.error.code,
        reason: item.error.message,
      });
    }
  }
  deps.logger.info('Consolidated', { status: result.status, ...result.summary });
  return { ctx, status: result.status, resultKey, callbackUrl: facts.request.callback.url };
}

/**
 * The `consolidate` function's payload: a `RecordPhotoFailure` / `RecordVideoFailure` one when it
 * carries a `caught` error, else a `Consolidate` one; each reported under its own name when it
 * does not parse.
 */
export const ConsolidateTaskInput = z
  .unknown()
  .transform((event): CaughtItemInput | ConsolidateInput =>
    typeof event === 'object' && event !== null && 'caught' in event
      ? parseInput(CaughtItemInput, event, 'RecordFailure payload')
      : parseInput(ConsolidateInput, event, 'Consolidate payload'),
  );
export type ConsolidateTaskInput = z.output<typeof ConsolidateTaskInput>;

/**
 * The `consolidate` function: records a caught item's failure ({@link recordCaughtFailure}) or
 * consolidates the execution ({@link consolidate}). One function for both keeps the records
 * `Consolidate` reads written by the role that reads them.
 *
 * @example
 * await runConsolidateTask({ state, executionName }, { store, clock, logger }); // Consolidate
 * await runConsolidateTask({ ctx, mediaType, mediaId, caught }, { store, clock, logger }); // a failure
 */
export async function runConsolidateTask(
  input: ConsolidateTaskInput,
  deps: ConsolidateDeps,
): Promise<ConsolidateOutput | CaughtItemOutcome> {
  return 'caught' in input ? recordCaughtFailure(input, deps) : consolidate(input, deps);
}
