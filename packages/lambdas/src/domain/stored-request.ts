import { ListingId, ProcessingRequest, RequestId } from '@toq/contracts';
import * as z from 'zod';
import {
  InvalidRecordError,
  ObjectNotFoundError,
  readJsonRecord,
  type ObjectStore,
  type PutIfAbsentOutcome,
} from '../ports/object-store.ts';
import { InvalidRequestError, parseInput } from './errors.ts';
import { requestStateKey } from './state-keys.ts';

/**
 * The execution's input when `start` began it: not the request (about 100 bytes an item, near
 * Step Functions' 256 KB state limit at 2,000 items) but where `start` stored it,
 * `_pipeline/{listingId}/{requestId}/request.json` (docs/system.md, "The request").
 */
export const StoredRequestPointer = z.strictObject({
  storedRequest: z.strictObject({ listingId: ListingId, requestId: RequestId }),
});
export type StoredRequestPointer = z.output<typeof StoredRequestPointer>;

/**
 * What an execution starts with: the pointer `start` gives it, or the whole `ProcessingRequest`
 * (a backend calling StartExecution itself). An object with a `storedRequest` field is read as a
 * pointer ("Invalid stored request pointer: …"), anything else as a request ("Invalid
 * ProcessingRequest: …", as before pointers).
 */
export type ExecutionInput =
  { readonly request: ProcessingRequest } | { readonly pointer: StoredRequestPointer };

/**
 * Parses an execution's input ({@link ExecutionInput}).
 *
 * @throws {InvalidRequestError} naming every problem, under "stored request pointer" or
 *   "ProcessingRequest" (`requestSubject`).
 * @example
 * parseExecutionInput({ storedRequest: { listingId, requestId } }); // { pointer: … }
 */
export function parseExecutionInput(
  value: unknown,
  requestSubject = 'ProcessingRequest',
): ExecutionInput {
  if (typeof value === 'object' && value !== null && 'storedRequest' in value) {
    return { pointer: parseInput(StoredRequestPointer, value, 'stored request pointer') };
  }
  return { request: parseInput(ProcessingRequest, value, requestSubject) };
}

/**
 * The pointer to `request`'s record: what `start` gives the execution.
 *
 * @example
 * JSON.stringify(pointerTo(request)); // '{"storedRequest":{"listingId":"4f8…","requestId":"req-1"}}'
 */
export function pointerTo(request: ProcessingRequest): StoredRequestPointer {
  return { storedRequest: { listingId: request.listingId, requestId: request.requestId } };
}

/**
 * `request.json`'s bytes: the request, pretty-printed. Whoever writes the record writes the same
 * bytes for the same request.
 */
function requestRecord(request: ProcessingRequest): string {
  return JSON.stringify(request, null, 2);
}

const JSON_OBJECT = { contentType: 'application/json' };

/**
 * Records `request` at its `request.json`, over whatever is there: what validate does when an
 * execution is started with the request itself (and consolidate, on its failure path, when the
 * record is missing).
 *
 * @throws {TransientError} on storage trouble.
 * @example
 * await recordRequest(store, request);
 */
export function recordRequest(store: ObjectStore, request: ProcessingRequest): Promise<void> {
  return store.put(requestStateKey(request), requestRecord(request), JSON_OBJECT);
}

/**
 * Stores `request` at its `request.json`, create-only ({@link requestRecord}'s bytes): what
 * `start` does before it starts an execution with {@link pointerTo}. Resolves `'exists'`, the
 * record untouched, when one is there already (the same request, or another with its ids).
 *
 * @throws {TransientError} on storage trouble.
 * @example
 * if ((await storeRequest(store, request)) === 'created') logger.info('Request stored');
 */
export function storeRequest(
  store: ObjectStore,
  request: ProcessingRequest,
): Promise<PutIfAbsentOutcome> {
  return store.putIfAbsent(requestStateKey(request), requestRecord(request), JSON_OBJECT);
}

/**
 * The request `pointer` points at, read from its `request.json`.
 *
 * @throws {InvalidRequestError} when there is no `request.json` there, when it is not a
 *   `ProcessingRequest`, or when it is another request's (ids other than the pointer's).
 * @throws {TransientError} on storage trouble.
 * @example
 * const request = await readStoredRequest(store, { storedRequest: { listingId, requestId } });
 */
export async function readStoredRequest(
  store: ObjectStore,
  pointer: StoredRequestPointer,
): Promise<ProcessingRequest> {
  const scope = pointer.storedRequest;
  const key = requestStateKey(scope);
  let request: ProcessingRequest;
  try {
    request = await readJsonRecord(store, key, ProcessingRequest);
  } catch (error) {
    if (error instanceof ObjectNotFoundError) {
      throw new InvalidRequestError(
        `The execution's input points at the stored request ${key}, and there is none: start writes it before it starts an execution (was it deleted, or is the input hand-made?)`,
        { cause: error },
      );
    }
    if (error instanceof InvalidRecordError) {
      const problem = `The stored request is not a ProcessingRequest: ${error.message}`;
      throw new InvalidRequestError(problem, { cause: error });
    }
    throw error;
  }
  if (request.listingId !== scope.listingId || request.requestId !== scope.requestId) {
    throw new InvalidRequestError(
      `The stored request ${key} is for ${request.listingId}/${request.requestId}: expected ${scope.listingId}/${scope.requestId}, as the execution's input says`,
    );
  }
  return request;
}
