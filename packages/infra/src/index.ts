export { createPipelineApp, BUNDLE_ROOT, type PipelineAppOptions } from './app.ts';
export { MediaPipelineStack, type MediaPipelineStackProps } from './media-pipeline-stack.ts';
export {
  resolveConfig,
  pipelineNames,
  FUNCTION_IDS,
  FUNCTION_SIZING,
  DEFAULT_STAGE,
  type PipelineConfig,
  type PipelineNames,
  type FunctionId,
} from './config.ts';
export { InfraError, type InfraErrorCode } from './errors.ts';
export {
  DEFINITION_PATH,
  DEFINITION_TEXT,
  DEFINITION_PLACEHOLDERS,
  renderDefinition,
  type DefinitionPlaceholder,
} from './state-machine/definition.ts';
