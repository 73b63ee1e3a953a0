import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { StartInput, startProcessing, type StartDeps } from '../domain/start.ts';
import { defineTask, type TaskDeps } from './task.ts';

/**
 * What the `start` function is wired to: where executions start, the media bucket the requests
 * are stored in, the dead-letter queue for messages that can never be requests, and its logger.
 */
export type StartFunctionDeps = Omit<StartDeps, 'logger'> & TaskDeps;

const startTask = defineTask({
  input: StartInput,
  subject: 'SQS event',
  // A batch carries many requests: each message's keys are on its own log lines.
  keys: () => ({}),
  run: (event, deps: Omit<StartDeps, 'logger'>, logger) =>
    startProcessing(event.Records, {
      starter: deps.starter,
      store: deps.store,
      deadLetterQueue: deps.deadLetterQueue,
      logger,
    }),
});

/**
 * The `start` function (`listing-media-start`): an SQS batch (ReportBatchItemFailures) → each
 * request stored in the media bucket, then one execution per request, its input a pointer to the
 * stored request; a message that can never be a request → the dead-letter queue, with its
 * reason. `handlers/start.ts` wires it to S3, Step Functions and the ingest queue's DLQ, the
 * local run to its store, its in-process Step Functions and its own queue.
 *
 * @example
 * const handler = createStartHandler({ starter, store, deadLetterQueue, logger });
 * await handler({ Records: [sqsRecord] }, context); // { batchItemFailures: [] }
 */
export function createStartHandler(
  deps: StartFunctionDeps,
): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  return startTask(deps);
}
