import {
  createCallbackHandler,
  createConsolidateHandler,
  createThumbnailsHandler,
  createTranscodeHandler,
  createValidateHandler,
  createZipHandler,
  type ArchiveWriter,
  type Clock,
  type ImageRenderer,
  type InvocationLogger,
  type ObjectStore,
  type RetryPolicy,
  type SizeLimits,
  type WebhookSender,
} from '@toq/lambdas';
import { pipelineNames, type FunctionId } from '@toq/lambdas/pipeline';
import { localContext } from './local-context.ts';
import type { LocalLog } from './local-logger.ts';

/** The functions a state machine task invokes (`start` is driven by the queue instead). */
export type TaskFunctionId = Exclude<FunctionId, 'start'>;

/** A function as a task invokes it: the payload in, the JSON result out (the context is local). */
export type LocalFunction = (event: unknown) => Promise<unknown>;

/** What the functions are wired to locally: the same ports the handlers wire to AWS. */
export interface LocalFunctionDeps {
  /** The media bucket: the filesystem store, or S3 on a local S3-compatible server. */
  readonly store: ObjectStore;
  /** The bucket's name, as the transcode settings' `s3://` URLs spell it. */
  readonly bucket: string;
  readonly renderer: ImageRenderer;
  readonly archive: ArchiveWriter;
  readonly sender: WebhookSender;
  readonly clock: Clock;
  readonly log: LocalLog;
  readonly limits: SizeLimits;
  /** The callback function's own retries (default: the function's). */
  readonly webhookRetry?: RetryPolicy;
}

/**
 * The six task functions, each built by the same factory its Lambda handler
 * (`packages/lambdas/src/handlers/<fn>.ts`) builds it with, wired to local adapters instead of
 * AWS clients: this is the local run's composition root. Each invocation gets a local Lambda
 * context ({@link localContext}: the function's name, a request id of its own), so its log lines
 * carry the fields they carry on Lambda.
 *
 * @example
 * const functions = localFunctions({ store, bucket, renderer, archive, sender, clock, log, limits });
 * await functions.validate({ request, executionName });
 */
export function localFunctions(deps: LocalFunctionDeps): Record<TaskFunctionId, LocalFunction> {
  const { store, clock, log } = deps;
  const logger =
    (fn: TaskFunctionId): InvocationLogger =>
    (keys, context) =>
      log.forFunction(fn, keys, context);
  const functions = {
    validate: createValidateHandler({ store, limits: deps.limits, logger: logger('validate') }),
    thumbnails: createThumbnailsHandler({
      store,
      renderer: deps.renderer,
      logger: logger('thumbnails'),
    }),
    transcode: createTranscodeHandler({ bucket: deps.bucket, logger: logger('transcode') }),
    zip: createZipHandler({ store, archive: deps.archive, logger: logger('zip') }),
    consolidate: createConsolidateHandler({ store, clock, logger: logger('consolidate') }),
    callback: createCallbackHandler({
      store,
      sender: deps.sender,
      clock,
      logger: logger('callback'),
      ...(deps.webhookRetry ? { retry: deps.webhookRetry } : {}),
    }),
  };
  const names = pipelineNames('local').functions;
  return Object.fromEntries(
    Object.entries(functions).map(([fn, handler]) => [
      fn,
      (event: unknown) => handler(event, localContext(names[fn as TaskFunctionId])),
    ]),
  ) as Record<TaskFunctionId, LocalFunction>;
}
