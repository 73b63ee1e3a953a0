/**
 * `@toq/lambdas/pipeline`: what ties the functions into one pipeline — the state machine
 * definition (the ASL file) and the resources' names and settings. `infra` deploys them;
 * `local` runs them on one machine. Pure data: importing it loads neither the SDK nor sharp.
 */
export {
  DEFINITION_PATH,
  DEFINITION_PLACEHOLDERS,
  DEFINITION_TEXT,
  definitionValues,
  placeholderFunction,
  renderDefinition,
  type DefinitionPlaceholder,
} from './definition.ts';
export {
  DEFAULT_MAX_PHOTO_BYTES,
  DEFAULT_MAX_VIDEO_BYTES,
  DEFAULT_STAGE,
  FUNCTION_IDS,
  FUNCTION_TIMEOUT_SECONDS,
  INVOKE_MARGIN_SECONDS,
  QUEUE_SETTINGS,
  pipelineNames,
  type FunctionId,
  type PipelineNames,
} from './resources.ts';
export {
  METRICS_NAMESPACE,
  PIPELINE_METRICS,
  STAGE_DIMENSION,
  type PipelineMetric,
} from './metrics.ts';
export { CALLBACK_HOST_FORMS, isCallbackHostEntry } from './callback-hosts.ts';
