import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * What `nx run infra:synth` runs: the aws-cdk CLI with cdk.json's app (`node src/main.ts`), so
 * the entry point, Node's type stripping and the context flags work outside the tests' process.
 */

const PACKAGE = fileURLToPath(new URL('../../', import.meta.url));
const CDK_MANIFEST = createRequire(import.meta.url).resolve('aws-cdk/package.json');
const CDK = join(
  dirname(CDK_MANIFEST),
  (JSON.parse(readFileSync(CDK_MANIFEST, 'utf8')) as { bin: { cdk: string } }).bin.cdk,
);
const outdir = mkdtempSync(join(tmpdir(), 'toq-cdk-cli-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('cdk synth (the synth target’s command)', () => {
  it('synthesizes the stage given as context, cdk-nag passing', { timeout: 180_000 }, async () => {
    // Act
    await promisify(execFile)(
      process.execPath,
      [
        CDK,
        'synth',
        '--quiet',
        '--output',
        outdir,
        '--context',
        'stage=qa',
        '--context',
        'callbackAllowedHosts=api.toq.example',
      ],
      {
        cwd: PACKAGE,
        env: {
          ...process.env,
          // cdk.json runs `node src/main.ts`: this Node (24, which strips types) comes first.
          PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}`,
          AWS_EC2_METADATA_DISABLED: 'true',
          CDK_DISABLE_CLI_TELEMETRY: 'true',
        },
      },
    );

    // Assess
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string }>;
    };
    expect(
      Object.entries(manifest.artifacts)
        .filter(([, a]) => a.type === 'aws:cloudformation:stack')
        .map(([name]) => name),
    ).toEqual(['toq-media-processing-qa']);
    const template = JSON.parse(
      readFileSync(join(outdir, 'toq-media-processing-qa.template.json'), 'utf8'),
    ) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const functions = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function',
    );
    expect(functions.map((f) => f.Properties['FunctionName']).sort()).toEqual(
      ['callback', 'consolidate', 'start', 'thumbnails', 'transcode', 'validate', 'zip'].map(
        (fn) => `listing-media-${fn}-qa`,
      ),
    );
  });
});
