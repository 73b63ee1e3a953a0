export { createRenditions, type RenditionImage, type RenditionSet } from './renditions';
export { ThumbnailError, type ThumbnailErrorCode } from './errors';
export type { RenditionInput } from './input';
export type { RenditionOptions, ExtraFormat } from './options';
export type { SourceInfo, SourceFormat } from './decode';
export type { RenditionFormat, RenditionExt } from './encode';
export type { Placeholder } from './placeholder';
export type { RenditionSize } from './sizes';
