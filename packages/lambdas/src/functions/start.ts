import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { StartInput, startProcessing, type StartDeps } from '../domain/start.ts';
import { defineTask, type TaskDeps } from './task.ts';

/** What the `start` function is wired to: where executions start, and its logger. */
export type StartFunctionDeps = Omit<StartDeps, 'logger'> & TaskDeps;

const startTask = defineTask({
  input: StartInput,
  subject: 'SQS event',
  // A batch carries many requests: each message's keys are on its own log lines.
  keys: () => ({}),
  run: (event, deps: Omit<StartDeps, 'logger'>, logger) =>
    startProcessing(event.Records, { starter: deps.starter, logger }),
});

/**
 * The `start` function (`listing-media-start`): an SQS batch (ReportBatchItemFailures) → one
 * execution per request. `handlers/start.ts` wires it to Step Functions, the local run to its
 * in-process Step Functions.
 *
 * @example
 * const handler = createStartHandler({ starter, logger });
 * await handler({ Records: [sqsRecord] }, context); // { batchItemFailures: [] }
 */
export function createStartHandler(
  deps: StartFunctionDeps,
): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  return startTask(deps);
}
