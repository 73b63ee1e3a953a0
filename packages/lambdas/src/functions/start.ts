import {
  startProcessing,
  type BatchResponse,
  type QueueMessage,
  type StartDeps,
} from '../domain/start-processing.ts';
import type { InvocationLogger } from '../logger.ts';

/** What the `start` function is wired to: where executions start, and its logger. */
export interface StartFunctionDeps extends Omit<StartDeps, 'logger'> {
  readonly logger: InvocationLogger;
}

/** The SQS event, as the event source mapping delivers it (only what is read). */
export interface StartEvent {
  readonly Records: readonly QueueMessage[];
}

/**
 * The `start` function (`listing-media-start`): an SQS batch (ReportBatchItemFailures) → one
 * execution per request. `handlers/start.ts` wires it to Step Functions, the local run to its
 * in-process Step Functions.
 *
 * @example
 * const handler = createStartHandler({ starter, logger });
 * await handler({ Records: [{ messageId: '1', body: JSON.stringify(request) }] });
 */
export function createStartHandler(
  deps: StartFunctionDeps,
): (event: StartEvent) => Promise<BatchResponse> {
  return async (event) =>
    startProcessing(event.Records, { starter: deps.starter, logger: deps.logger({}) });
}
