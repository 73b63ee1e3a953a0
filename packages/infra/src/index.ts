export { createPipelineApp, BUNDLE_ROOT, type PipelineAppOptions } from './app.ts';
export { MediaPipelineStack, type MediaPipelineStackProps } from './media-pipeline-stack.ts';
export { resolveConfig, FUNCTION_SIZING, type PipelineConfig } from './config.ts';
export { InfraError, type InfraErrorCode } from './errors.ts';
