import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type * as contracts from '@toq/contracts';
import type {
  RENDITION_CONTENT_TYPES,
  RenditionSize as ContractsRenditionSize,
} from '@toq/contracts/constants';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createRenditions,
  type ThumbnailError,
  type RenditionImage,
  type RenditionInput,
  type RenditionOptions,
  type RenditionSet,
  type RenditionSize,
  type ThumbnailErrorCode,
} from '../../src/index';

const thumbnailsIndex = join(import.meta.dirname, '../../src/index.ts');
const contractsIndex = join(import.meta.dirname, '../../../contracts/src/index.ts');

/** Every name an index file exports (`export { a, type B, c as d }`), types included. */
function exportedNames(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/export (?:type )?\{([^}]*)\}/g)].flatMap(([, names]) =>
    (names ?? '')
      .split(',')
      .map(
        (name) =>
          name
            .trim()
            .replace(/^type /, '')
            .split(/\s+as\s+/)
            .at(-1) ?? '',
      )
      .filter(Boolean),
  );
}

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
    expectTypeOf<RenditionSet['renditions']>().toEqualTypeOf<readonly RenditionImage[]>();
    expectTypeOf<RenditionImage['size']>().toEqualTypeOf<
      'thumbnail' | 'small' | 'medium' | 'large'
    >();
    expectTypeOf<RenditionImage['ext']>().toEqualTypeOf<'jpg' | 'png' | 'webp' | 'avif'>();
    expectTypeOf<RenditionImage['format']>().toEqualTypeOf<'jpeg' | 'png' | 'webp' | 'avif'>();
    expectTypeOf<RenditionImage['data']>().toEqualTypeOf<Buffer>();
    expectTypeOf<RenditionSet['source']['orientation']>().toEqualTypeOf<number>();
  });

  it('use the sizes and content types of @toq/contracts', () => {
    expectTypeOf<RenditionSize>().toEqualTypeOf<ContractsRenditionSize>();
    expectTypeOf<RenditionSize>().toEqualTypeOf<contracts.RenditionSize>();
    expectTypeOf<RenditionImage['contentType']>().toEqualTypeOf<
      (typeof RENDITION_CONTENT_TYPES)[RenditionImage['ext']]
    >();
  });

  it('share no exported name with @toq/contracts but RenditionSize, the same type', () => {
    const shared = exportedNames(thumbnailsIndex).filter((name) =>
      exportedNames(contractsIndex).includes(name),
    );
    expect(shared).toEqual(['RenditionSize']); // equal types: see the test above
  });

  it('give errors a closed set of codes', () => {
    expectTypeOf<ThumbnailError['code']>().toEqualTypeOf<ThumbnailErrorCode>();
    expectTypeOf<ThumbnailErrorCode>().toEqualTypeOf<
      | 'UNSUPPORTED_FORMAT'
      | 'CORRUPT_IMAGE'
      | 'IMAGE_TOO_LARGE'
      | 'IMAGE_DIMENSIONS_UNSUPPORTED'
      | 'INPUT_UNREADABLE'
      | 'SOURCE_STALLED'
      | 'INVALID_ARGUMENT'
    >();
  });
});
