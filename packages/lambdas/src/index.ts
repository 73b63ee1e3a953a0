/**
 * What other packages use of the functions: each function's factory (the one wiring of its
 * payload parsing, correlation keys and domain call, shared by `handlers/<fn>.ts` on AWS and the
 * local run in `packages/local`), the ports they are wired to, and the local twins and
 * adapters a local run composes them with. Importing it reads no environment and builds no AWS
 * client; the Lambda bundles never import it (their entries are `src/handlers/*.ts`).
 */

// The seven functions.
export { createStartHandler, type StartEvent, type StartFunctionDeps } from './functions/start.ts';
export { createValidateHandler, type ValidateFunctionDeps } from './functions/validate.ts';
export { createThumbnailsHandler, type ThumbnailsFunctionDeps } from './functions/thumbnails.ts';
export { createTranscodeHandler, type TranscodeFunctionDeps } from './functions/transcode.ts';
export { createZipHandler, type ZipFunctionDeps } from './functions/zip.ts';
export { createConsolidateHandler, type ConsolidateFunctionDeps } from './functions/consolidate.ts';
export { createCallbackHandler, type CallbackFunctionDeps } from './functions/callback.ts';
export type { CorrelationKeys, InvocationLogger } from './logger.ts';

// What their results and records look like, and the errors Step Functions matches.
export type { BatchResponse, QueueMessage } from './domain/start-processing.ts';
export type { SizeLimits } from './domain/validate-listing.ts';
export type {
  OutputGroupDetail,
  TranscodeJobResult,
  TranscodeOutput,
  TranscodeSettings,
} from './domain/media-convert-job.ts';
export {
  DEFAULT_RETRY_POLICY,
  type DeliveryRecord,
  type RetryPolicy,
} from './domain/notify-backend.ts';
export {
  deliveryStateKey,
  itemStateKey,
  resultStateKey,
  type StateScope,
} from './domain/state-keys.ts';
export { RENDITION_CACHE_CONTROL } from './domain/render-media.ts';
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
export type {
  ExecutionStarter,
  StartExecutionRequest,
  StartExecutionResult,
} from './ports/execution-starter.ts';
export type { ImageRenderer } from './ports/image-renderer.ts';
export type { Logger } from './ports/logger.ts';
export {
  ObjectNotFoundError,
  SET_HEADERS_MAX_BYTES,
  type ObjectInfo,
  type ObjectStore,
} from './ports/object-store.ts';
export type { SecretSource } from './ports/secret-source.ts';
export type { WebhookSender } from './ports/webhook-sender.ts';

// Adapters: the real ones a local run also uses, and the local twins.
export { FsObjectStore } from './adapters/fs-object-store.ts';
export { HttpWebhookSender } from './adapters/http-webhook-sender.ts';
export { S3ObjectStore } from './adapters/s3-object-store.ts';
export { systemClock } from './adapters/system-clock.ts';
export { ThumbnailsRenderer } from './adapters/thumbnails-renderer.ts';
export { ZipperArchiveWriter } from './adapters/zipper-archive-writer.ts';
