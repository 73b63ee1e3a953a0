import { createHash } from 'node:crypto';
import * as z from 'zod';
import { ListingId, RequestId } from './ids';
import { safeParseAs } from './parse';

const ExecutionNameParts = z
  .strictObject({ listingId: ListingId, requestId: RequestId })
  .meta({ title: 'execution name parts' });

/** The longest execution name Step Functions accepts. */
const MAX_EXECUTION_NAME_LENGTH = 80;

/** Hex digits of SHA-256 kept in a hashed name: 96 bits. */
const HASH_LENGTH = 24;

/**
 * The Step Functions execution name of a request (at most 80 characters of `A-Z a-z 0-9 _ -`).
 * The same request always gets the same name, so a redelivered message, or a backend starting
 * the execution directly, finds the execution already there instead of processing the listing
 * twice; two different requests never share one.
 *
 * - `{listingId}_{requestId}` when the listing id has no `_` and the whole fits in 80 characters
 *   (every UUID listing id does: 36 + 1 + 40 = 77). The first `_` then separates the two ids, so
 *   the name stands for exactly one pair.
 * - Otherwise `_{the start of listingId_requestId}_{24 hex digits of SHA-256}`, the hash taken of
 *   `{listingId}/{requestId}` (a `/` is in neither id). Such a name starts with `_`, which no
 *   listing id (and so no name of the first form) does.
 *
 * @throws {ContractError} `INVALID_INPUT` when either id is invalid.
 * @example
 * executionName('4F8C1D2E-7B3A-4C5D-9E8F-0A1B2C3D4E5F', 'req-1'); // '4f8c1d2e-…-0a1b2c3d4e5f_req-1'
 * executionName('12345', 'req-1'); // '12345_req-1'
 * executionName('maison-rue-1_b', 'req-1'); // '_maison-rue-1_b_req-1_' + 24 hex digits
 * await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(request),
 *   name: executionName(request.listingId, request.requestId) }));
 */
export function executionName(listingId: string, requestId: string): string {
  const parts = safeParseAs(
    ExecutionNameParts,
    { listingId, requestId },
    'INVALID_INPUT',
    'execution name parts',
  );
  if (!parts.ok) throw parts.error;
  const { listingId: listing, requestId: request } = parts.value;
  const readable = `${listing}_${request}`;
  if (!listing.includes('_') && readable.length <= MAX_EXECUTION_NAME_LENGTH) return readable;
  const hash = createHash('sha256')
    .update(`${listing}/${request}`)
    .digest('hex')
    .slice(0, HASH_LENGTH);
  return `_${readable.slice(0, MAX_EXECUTION_NAME_LENGTH - HASH_LENGTH - 2)}_${hash}`;
}
