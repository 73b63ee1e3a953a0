import type { Readable } from 'node:stream';
import type {
  RENDITION_CONTENT_TYPES,
  RenditionSize as ContractsRenditionSize,
} from '@toq/contracts/constants';
import { describe, expectTypeOf, it } from 'vitest';
import {
  createRenditions,
  type ThumbnailError,
  type Rendition,
  type RenditionInput,
  type RenditionOptions,
  type RenditionSet,
  type RenditionSize,
  type ThumbnailErrorCode,
} from '../../src/index';

describe('the public types', () => {
  it('take a Buffer, a path or a Readable, and optional options', () => {
    expectTypeOf(createRenditions).parameter(0).toEqualTypeOf<RenditionInput>();
    expectTypeOf<Buffer>().toExtend<RenditionInput>();
    expectTypeOf<string>().toExtend<RenditionInput>();
    expectTypeOf<Readable>().toExtend<RenditionInput>();
    expectTypeOf<number>().not.toExtend<RenditionInput>();
    expectTypeOf(createRenditions).parameter(1).toEqualTypeOf<RenditionOptions | undefined>();
    expectTypeOf<{ formats: ['gif'] }>().not.toExtend<RenditionOptions>();
    expectTypeOf<{ sizes: ['huge'] }>().not.toExtend<RenditionOptions>();
  });

  it('return a set whose renditions name their size, format and extension', () => {
    expectTypeOf(createRenditions).returns.toEqualTypeOf<Promise<RenditionSet>>();
    expectTypeOf<Rendition['size']>().toEqualTypeOf<'thumbnail' | 'small' | 'medium' | 'large'>();
    expectTypeOf<Rendition['ext']>().toEqualTypeOf<'jpg' | 'png' | 'webp' | 'avif'>();
    expectTypeOf<Rendition['format']>().toEqualTypeOf<'jpeg' | 'png' | 'webp' | 'avif'>();
    expectTypeOf<Rendition['data']>().toEqualTypeOf<Buffer>();
    expectTypeOf<RenditionSet['source']['orientation']>().toEqualTypeOf<number>();
  });

  it('spell out the same sizes and content types as @toq/contracts', () => {
    expectTypeOf<RenditionSize>().toEqualTypeOf<ContractsRenditionSize>();
    expectTypeOf<Rendition['contentType']>().toEqualTypeOf<
      (typeof RENDITION_CONTENT_TYPES)[Rendition['ext']]
    >();
  });

  it('give errors a closed set of codes', () => {
    expectTypeOf<ThumbnailError['code']>().toEqualTypeOf<ThumbnailErrorCode>();
    expectTypeOf<ThumbnailErrorCode>().toEqualTypeOf<
      | 'UNSUPPORTED_FORMAT'
      | 'CORRUPT_IMAGE'
      | 'IMAGE_TOO_LARGE'
      | 'INPUT_UNREADABLE'
      | 'INVALID_ARGUMENT'
    >();
  });
});
