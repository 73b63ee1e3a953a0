import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../../src/', import.meta.url).pathname;

/** Every module a source file imports: static, type-only, re-exports, dynamic and require. */
export function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
}

/**
 * What the pure hexagon may import (the package README, "The hexagon"): the contracts, zod,
 * p-limit (pure JavaScript: the domain's concurrency limit), pure node modules, the ports, and
 * itself; never the AWS SDK, sharp, archiver, the filesystem, the
 * adapters or the handlers. Anything else fails, so a new dependency is a decision, not an
 * accident.
 */
const ALLOWED: Record<'domain' | 'ports', RegExp[]> = {
  domain: [
    /^@toq\/contracts(\/constants)?$/,
    /^zod$/,
    /^p-limit$/,
    /^node:(crypto|stream|stream\/promises|buffer|util|path\/posix|timers\/promises)$/,
    /^\.\.\/ports\/[a-z-]+\.ts$/,
    /^\.\/[a-z-]+\.ts$/,
  ],
  ports: [
    /^@toq\/contracts(\/constants)?$/,
    /^zod$/,
    /^node:(stream|buffer)$/,
    /^\.\/[a-z-]+\.ts$/,
  ],
};

/** Named explicitly, so the failure message says why. */
const FORBIDDEN = [
  /^@aws-sdk\//,
  /^@smithy\//,
  /^sharp$/,
  /^archiver$/,
  /^(node:)?fs(\/|$)/,
  /adapters\//,
  /handlers\//,
];

/**
 * The one SDK the domain may name, in type positions only: the MediaConvert job is typed with the
 * SDK's own types so that a wrong field or enum fails the typecheck, and nothing of it is bundled.
 */
const TYPE_ONLY_SDK = '@aws-sdk/client-mediaconvert';

/** Whether every import of `spec` in `source` is `import type` (erased from the bundle). */
function importsOnlyTypesOf(source: string, spec: string): boolean {
  const statements = source.match(new RegExp(`^(import|export)[^;]*?from '${spec}';`, 'gms')) ?? [];
  return statements.every((statement) => statement.startsWith('import type '));
}

async function sourcesOf(
  layer: 'domain' | 'ports',
): Promise<{ file: string; imports: string[] }[]> {
  const files = (await readdir(join(SRC, layer))).filter((file) => file.endsWith('.ts'));
  return Promise.all(
    files.map(async (file) => {
      const source = await readFile(join(SRC, layer, file), 'utf8');
      const typeOnly = layer === 'domain' && importsOnlyTypesOf(source, TYPE_ONLY_SDK);
      return {
        file: `${layer}/${file}`,
        imports: importsOf(source).filter((spec) => !(typeOnly && spec === TYPE_ONLY_SDK)),
      };
    }),
  );
}

describe('architecture', () => {
  it.each(['domain', 'ports'] as const)('%s/ imports nothing forbidden', async (layer) => {
    // Prepare
    const sources = await sourcesOf(layer);

    // Act
    const violations = sources.flatMap(({ file, imports }) =>
      imports
        .filter(
          (spec) =>
            FORBIDDEN.some((re) => re.test(spec)) || !ALLOWED[layer].some((re) => re.test(spec)),
        )
        .map((spec) => `${file} imports ${spec}`),
    );

    // Assess
    expect(sources.length).toBeGreaterThan(2);
    expect(violations).toEqual([]);
  });

  it('domain/ never reads process.env', async () => {
    const files = (await readdir(join(SRC, 'domain'))).filter((file) => file.endsWith('.ts'));
    const readers = [];
    for (const file of files) {
      if (/\bprocess\.env\b/.test(await readFile(join(SRC, 'domain', file), 'utf8')))
        readers.push(file);
    }
    expect(readers).toEqual([]);
  });

  it('sees every form of import, so a violation cannot hide', () => {
    const probe = [
      "import { S3Client } from '@aws-sdk/client-s3';",
      "import type { Sharp } from 'sharp';",
      "export * from '../adapters/s3-object-store.ts';",
      "const fs = await import('node:fs');",
      "const archiver = require('archiver');",
    ].join('\n');

    expect(importsOf(probe)).toEqual([
      '@aws-sdk/client-s3',
      'sharp',
      '../adapters/s3-object-store.ts',
      'node:fs',
      'archiver',
    ]);
  });
});
