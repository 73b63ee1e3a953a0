import { ProcessingRequest, executionName, safeParse } from '@toq/contracts';
import * as z from 'zod';
import type { ExecutionStarter } from '../ports/execution-starter.ts';
import type { Logger } from '../ports/logger.ts';

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
  readonly logger: Logger;
}

/**
 * The `start` function: parses each message as a `ProcessingRequest` and starts one execution per
 * request, named `executionName(listingId, requestId)`, with the parsed (normalised) request as
 * its input. An execution of that name already there (a redelivered message) counts as done. A
 * message that does not parse, or whose start fails, is reported as a failed item and never
 * blocks the rest of the batch. Never throws.
 *
 * @example
 * return startProcessing(event.Records, { starter, logger });
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

/** Starts one message's execution; resolves whether the message is done with. */
async function startOne(message: QueueMessage, deps: StartDeps): Promise<boolean> {
  let body: unknown;
  try {
    body = JSON.parse(message.body);
  } catch (error) {
    deps.logger.error('Message is not JSON; left for the DLQ', {
      messageId: message.messageId,
      error: (error as Error).message,
    });
    return false;
  }
  const parsed = safeParse(ProcessingRequest, body);
  if (!parsed.ok) {
    deps.logger.error('Message is not a ProcessingRequest; left for the DLQ', {
      messageId: message.messageId,
      issues: parsed.error.issues,
    });
    return false;
  }
  const request = parsed.value;
  const name = executionName(request.listingId, request.requestId);
  const keys = {
    messageId: message.messageId,
    listingId: request.listingId,
    requestId: request.requestId,
    executionName: name,
  };
  try {
    const started = await deps.starter.start({ name, input: JSON.stringify(request) });
    deps.logger.info(
      started.status === 'started' ? 'Execution started' : 'Execution already exists; done',
      keys,
    );
    return true;
  } catch (error) {
    deps.logger.error('Could not start the execution; the message will be retried', {
      ...keys,
      error: `${(error as Error).name}: ${(error as Error).message}`,
    });
    return false;
  }
}
