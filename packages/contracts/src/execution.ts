import * as z from 'zod';
import { ListingId, RequestId } from './ids';
import { safeParseAs } from './parse';

const ExecutionNameParts = z
  .strictObject({ listingId: ListingId, requestId: RequestId })
  .meta({ title: 'execution name parts' });

/**
 * The Step Functions execution name of a request: `{listingId}_{requestId}` (at most 77 of the 80
 * characters allowed). The same request always gets the same name, so a redelivered message, or a
 * backend starting the execution directly, finds the execution already there instead of
 * processing the listing twice.
 *
 * @throws {ContractError} `INVALID_INPUT` when either id is invalid.
 * @example
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
  return `${parts.value.listingId}_${parts.value.requestId}`;
}
