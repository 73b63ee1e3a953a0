import { isDeepStrictEqual } from 'node:util';
import { ProcessingRequest, executionName, safeParse, type ContractIssue } from '@toq/contracts';
import * as z from 'zod';
import type { DeadLetterQueue, DeadLetterReason } from '../ports/dead-letter-queue.ts';
import type { ExecutionStarter } from '../ports/execution-starter.ts';
import type { Logger } from '../ports/logger.ts';
import { InvalidRecordError, readJsonRecord, type ObjectStore } from '../ports/object-store.ts';
import { requestStateKey } from './state-keys.ts';
import { pointerTo, storeRequest } from './stored-request.ts';

/** One queue message, as the SQS event source mapping delivers it (only what is needed). */
export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
}

/**
 * The SQS event as the event source mapping delivers it (Lambda's `SQSEvent`), only what is read:
 * each record's id and body. A record's body is parsed one by one, so one bad message fails alone.
 */
export const StartInput = z.object({
  Records: z.array(z.looseObject({ messageId: z.string().min(1), body: z.string() })),
});
export type StartInput = z.output<typeof StartInput>;

/**
 * The partial batch response Lambda returns to the SQS event source mapping (with
 * `ReportBatchItemFailures` on): the messages that failed go back to the queue (and, after five
 * receives, to the DLQ); every other message of the batch is deleted.
 */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** What starting executions needs from the outside world. */
export interface StartDeps {
  readonly starter: ExecutionStarter;
  /** The media bucket, where each request is stored before its execution starts. */
  readonly store: ObjectStore;
  /** Where a message that can never be a request goes at once, with its reason. */
  readonly deadLetterQueue: DeadLetterQueue;
  readonly logger: Logger;
}

/**
 * The `start` function: parses each message as a `ProcessingRequest`, stores the (normalised)
 * request create-only at `_pipeline/{listingId}/{requestId}/request.json`, then starts one
 * execution per request, named `executionName(listingId, requestId)`, with a pointer to that
 * record as its input (`{ "storedRequest": { listingId, requestId } }`): the request itself can
 * come near Step Functions' 256 KB input limit, the pointer never does.
 *
 * A record already there of the same request (a redelivered message) goes on to the start, where
 * an execution of that name already there counts as done. A record of ANOTHER request with the same
 * ids is left as it is and nothing is started: the ids name one request, the first one recorded.
 *
 * A message that is not JSON, or not a `ProcessingRequest`, will never become one however often
 * it comes back, and a request that reuses another's ids will never be processed under them: it
 * is sent to the dead-letter queue at once with its reason (`REQUEST_ID_REUSED` for the latter,
 * where the DLQ alarm sees it) and counts as done.
 * Only when that send fails, or when storing the request or starting the execution fails, is the
 * message reported as a failed item, for the queue to deliver again (and its redrive to move it
 * to the DLQ after five receives). One message never blocks the rest of the batch. Never throws.
 *
 * @example
 * return startProcessing(event.Records, { starter, store, deadLetterQueue, logger });
 */
export async function startProcessing(
  messages: readonly QueueMessage[],
  deps: StartDeps,
): Promise<BatchResponse> {
  const outcomes = await Promise.all(messages.map((message) => startOne(message, deps)));
  return {
    batchItemFailures: messages
      .filter((_, index) => !outcomes[index])
      .map((message) => ({ itemIdentifier: message.messageId })),
  };
}

/** The request in a message, or why the message can never be one. */
type ParsedMessage =
  | { readonly ok: true; readonly request: ProcessingRequest }
  | { readonly ok: false; readonly reason: DeadLetterReason; readonly issues?: ContractIssue[] };

/**
 * The dead letter's code for a request whose ids another request, recorded first, already has:
 * the ids name one request, so this one can never be processed under them.
 */
export const REQUEST_ID_REUSED = 'REQUEST_ID_REUSED';

/** How many of the issues a dead letter's reason spells out (the log line has all of them). */
const ISSUES_IN_REASON = 3;

/** The longest reason message: SQS counts message attributes in the message's size. */
const MAX_REASON_LENGTH = 1000;

/**
 * `text` as it can travel in a message attribute and a log line: every character outside
 * printable ASCII escaped (`\u{…}`), cut at {@link MAX_REASON_LENGTH} characters.
 */
function printable(text: string): string {
  const escaped = text.replace(/[^\x20-\x7e]/gu, (c) => `\\u{${c.codePointAt(0)?.toString(16)}}`);
  return escaped.length <= MAX_REASON_LENGTH
    ? escaped
    : `${escaped.slice(0, MAX_REASON_LENGTH - 3)}...`;
}

/**
 * The request in `body`, or why it can never be one, in short: `INVALID_INPUT` (the contracts'
 * code) and what is wrong, the JSON parser's own words for a body that is not JSON, else the first
 * three problems with their paths and how many more there are (printable ASCII, at most 1,000
 * characters; the issues themselves go to the log).
 */
function parseMessage(body: string): ParsedMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return {
      ok: false,
      reason: {
        code: 'INVALID_INPUT',
        message: printable(`The body is not JSON: ${(error as Error).message}`),
      },
    };
  }
  const parsed = safeParse(ProcessingRequest, json);
  if (parsed.ok) return { ok: true, request: parsed.value };
  const { issues } = parsed.error;
  const shown = issues.slice(0, ISSUES_IN_REASON).map((i) => `${i.path}: ${i.message}`);
  if (issues.length > ISSUES_IN_REASON) shown.push(`and ${issues.length - ISSUES_IN_REASON} more`);
  return {
    ok: false,
    reason: {
      code: parsed.error.code,
      message: printable(`Not a ProcessingRequest: ${shown.join('; ')}`),
    },
    issues: [...issues],
  };
}

/** Stores one message's request and starts its execution; resolves whether the message is done with. */
async function startOne(message: QueueMessage, deps: StartDeps): Promise<boolean> {
  const parsed = parseMessage(message.body);
  if (!parsed.ok) return deadLetter(message, parsed, deps);
  const { request } = parsed;
  const name = executionName(request.listingId, request.requestId);
  const keys = {
    messageId: message.messageId,
    listingId: request.listingId,
    requestId: request.requestId,
    executionName: name,
  };
  const storedKey = requestStateKey(request);
  let conflict: string | undefined;
  try {
    const stored = await storeRequest(deps.store, request);
    if (stored === 'exists') conflict = await differenceFromStored(storedKey, request, deps);
  } catch (error) {
    deps.logger.error('Could not store the request; the message will be retried', {
      ...keys,
      storedRequestKey: storedKey,
      error: describeError(error),
    });
    return false;
  }
  if (conflict !== undefined) {
    const reason = {
      code: REQUEST_ID_REUSED,
      message: printable(
        `Another request with listingId ${request.listingId} and requestId ${request.requestId} is already recorded at ${storedKey} (${conflict}): send this one with a new requestId to process it`,
      ),
    };
    return deadLetter(
      message,
      { ok: false, reason },
      deps,
      'Message reuses the ids of another request',
    );
  }
  try {
    const started = await deps.starter.start({ name, input: JSON.stringify(pointerTo(request)) });
    deps.logger.info(
      started.status === 'started' ? 'Execution started' : 'Execution already exists; done',
      keys,
    );
    return true;
  } catch (error) {
    deps.logger.error('Could not start the execution; the message will be retried', {
      ...keys,
      error: describeError(error),
    });
    return false;
  }
}

/**
 * How the request recorded at `key` differs from `request`, or `undefined` when it is the same
 * request (compared parsed and normalised, so key order and spelling do not count).
 *
 * @throws on storage trouble (the message is retried).
 */
async function differenceFromStored(
  key: string,
  request: ProcessingRequest,
  deps: StartDeps,
): Promise<string | undefined> {
  try {
    const stored = await readJsonRecord(deps.store, key, ProcessingRequest);
    return isDeepStrictEqual(stored, request)
      ? undefined
      : "the recorded request differs from this message's";
  } catch (error) {
    if (error instanceof InvalidRecordError) return error.message;
    throw error;
  }
}

/**
 * Sends a message that can never be processed (`what` it is, for the log) to the dead-letter
 * queue; resolves whether it is done with (sent), or must go back to the queue for the redrive
 * (the send failed).
 */
async function deadLetter(
  message: QueueMessage,
  parsed: Extract<ParsedMessage, { ok: false }>,
  deps: StartDeps,
  what = 'Message can never be a ProcessingRequest',
): Promise<boolean> {
  const fields = {
    messageId: message.messageId,
    code: parsed.reason.code,
    reason: parsed.reason.message,
    ...(parsed.issues ? { issues: parsed.issues } : {}),
  };
  try {
    await deps.deadLetterQueue.send({
      messageId: message.messageId,
      body: message.body,
      reason: parsed.reason,
    });
  } catch (error) {
    deps.logger.error(`${what}, and sending it to the DLQ failed; left for the redrive`, {
      ...fields,
      error: describeError(error),
    });
    return false;
  }
  deps.logger.error(`${what}; sent to the DLQ`, fields);
  return true;
}

function describeError(error: unknown): string {
  return `${(error as Error).name}: ${(error as Error).message}`;
}
