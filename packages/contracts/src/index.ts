export { ContractError, type ContractErrorCode, type ContractIssue } from './errors';
export { parse, safeParse, type ParseResult } from './parse';
export {
  MEDIA_TYPES,
  MEDIA_EXTENSIONS,
  RENDITION_SIZES,
  RENDITION_WIDTHS,
  RENDITION_EXTENSIONS,
  RENDITION_CONTENT_TYPES,
  PIPELINE_ERROR_NAMES,
  PIPELINE_STATE_PREFIX,
  RAW_UPLOAD_TAG,
  type PipelineErrorName,
  type PhotoExtension,
  type VideoExtension,
  describeValue,
} from './constants';
export {
  ListingId,
  MediaId,
  RequestId,
  MediaType,
  MediaExtension,
  isExtensionOf,
  RenditionSize,
  RenditionExtension,
} from './ids';
export {
  rawKey,
  renditionKey,
  zipKey,
  zipEntryPath,
  rawPrefix,
  processedPrefix,
  parseMediaKey,
  RawKeyParts,
  RenditionKeyParts,
  ZipEntryParts,
  type ParsedMediaKey,
} from './keys';
export {
  ProcessingRequest,
  type ProcessingRequestInput,
  MediaItem,
  CallbackTarget,
  MAX_MEDIA_PER_REQUEST,
  PROCESSING_REQUEST_VERSION,
} from './messages';
export {
  MEDIA_ERROR_CODES,
  MediaErrorCode,
  LISTING_ERROR_CODES,
  ListingErrorCode,
  MediaError,
  ListingError,
  ItemFailure,
  ValidationReport,
  Rendition,
  PhotoRenditionsResult,
  VideoOutputsResult,
  ZipResult,
  MediaOutcome,
  LISTING_STATUSES,
  ListingStatus,
  ListingMediaResult,
  LISTING_RESULT_VERSION,
} from './results';
export { WebhookPayload, WEBHOOK_EVENT_TYPE } from './webhook';
export { executionName } from './execution';
export {
  jsonSchema,
  JSON_SCHEMA_NAMES,
  type JsonSchemaName,
  type JsonSchemaDocument,
} from './json-schema';
