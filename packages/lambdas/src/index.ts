/**
 * What other packages use of the functions: each function's factory (the one wiring of its
 * payload parsing, correlation keys and domain call, shared by `handlers/<fn>.ts` on AWS and the
 * local run in `packages/local`), the ports they are wired to, the errors and domain types, and
 * the adapters that load nothing heavy. Importing it reads no environment, builds no AWS client
 * and loads neither the AWS SDK nor sharp (tested in `tests/unit/entry.test.ts`); the Lambda
 * bundles never import it (their entries are `src/handlers/*.ts`).
 */

// The seven functions.
export { createStartHandler, type StartFunctionDeps } from './functions/start.ts';
export { createValidateHandler, type ValidateFunctionDeps } from './functions/validate.ts';
export { createThumbnailsHandler, type ThumbnailsFunctionDeps } from './functions/thumbnails.ts';
export { createTranscodeHandler, type TranscodeFunctionDeps } from './functions/transcode.ts';
export { createZipHandler, type ZipFunctionDeps } from './functions/zip.ts';
export { createConsolidateHandler, type ConsolidateFunctionDeps } from './functions/consolidate.ts';
export { createCallbackHandler, type CallbackFunctionDeps } from './functions/callback.ts';
export {
  defineTask,
  type CorrelationKeys,
  type InvocationLogger,
  type TaskDefinition,
  type TaskDeps,
  type TaskHandler,
} from './functions/task.ts';

// What their results and records look like, and the errors Step Functions matches.
export type { BatchResponse, QueueMessage } from './domain/start.ts';
export type { SizeLimits, ValidateResult } from './domain/validate.ts';
export type { ItemOutcome } from './domain/thumbnails.ts';
export type { ConsolidateOutput } from './domain/consolidate.ts';
export type { CallbackResult } from './domain/callback.ts';
export type {
  OutputGroupDetail,
  TranscodeJobResult,
  TranscodeOutput,
  TranscodeSettings,
} from './domain/media-convert-job.ts';
export { DEFAULT_RETRY_POLICY, DeliveryRecord, type RetryPolicy } from './domain/callback.ts';
export {
  deliveryStateKey,
  itemStateKey,
  requestStateKey,
  resultStateKey,
  type StateScope,
} from './domain/state-keys.ts';
export {
  parseExecutionInput,
  pointerTo,
  readStoredRequest,
  recordRequest,
  storeRequest,
} from './domain/stored-request.ts';
export { RENDITION_CACHE_CONTROL } from './domain/thumbnails.ts';
export {
  ConfigurationError,
  InvalidRequestError,
  PipelineError,
  TransientError,
  WebhookDeliveryError,
  WebhookRejectedError,
} from './domain/errors.ts';

// The ports.
export type { ArchiveWriter } from './ports/archive-writer.ts';
export type { Clock } from './ports/clock.ts';
export type { DeadLetter, DeadLetterQueue, DeadLetterReason } from './ports/dead-letter-queue.ts';
export type {
  ExecutionStarter,
  StartExecutionRequest,
  StartExecutionResult,
} from './ports/execution-starter.ts';
export type { ImageRenderer } from './ports/image-renderer.ts';
export type { Logger } from './ports/logger.ts';
export {
  InvalidRecordError,
  ObjectNotFoundError,
  SET_HEADERS_MAX_BYTES,
  readJsonRecord,
  readJsonRecordIfPresent,
  type ObjectInfo,
  type ObjectStore,
  type PutIfAbsentOutcome,
  type PutOptions,
} from './ports/object-store.ts';
export type { SecretSource } from './ports/secret-source.ts';
export type { WebhookSender } from './ports/webhook-sender.ts';

// The adapters that load nothing heavy: the filesystem twin of the media bucket, the real clock.
// The others sit behind their own subpaths, so importing this entry loads neither the AWS SDK nor
// sharp: `@toq/lambdas/s3` (S3ObjectStore), `/renderer` (ThumbnailsRenderer, sharp), `/archive`
// (ZipperArchiveWriter), `/webhook-sender` (HttpWebhookSender), `/dead-letter-queue`
// (SqsDeadLetterQueue).
export { FsObjectStore } from './adapters/fs-object-store.ts';
export { systemClock } from './adapters/system-clock.ts';
