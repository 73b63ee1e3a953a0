import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { InfraError } from '../../../src/errors.ts';
import { importMapping } from '../../../src/import-mapping.ts';
import { logicalId, stagingSynth, type StagingSynth } from '../../support/staging.ts';

/**
 * Adopting staging's existing resources: the `cdk import --resource-mapping` file that
 * `src/import-mapping.ts` (and `nx run infra:import-mapping`) generates from the stack, and the
 * removal policies that make the import possible and a rollback safe.
 */

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const SCRIPT = fileURLToPath(new URL('../../../scripts/import-mapping.ts', import.meta.url));

let synth: StagingSynth;
beforeAll(() => {
  synth = stagingSynth();
});

const resource = (id: string) =>
  synth.template.toJSON()['Resources'][id] as {
    Type: string;
    DeletionPolicy?: string;
    UpdateReplacePolicy?: string;
  };

describe('the import mapping', () => {
  it('names every resource the seed lists in staging, by the identifier cdk import needs', () => {
    const { stack } = synth;
    const queueUrl = (name: string) => `https://sqs.us-east-1.amazonaws.com/058264253741/${name}`;

    expect(importMapping(stack, KEY_ID)).toEqual({
      [logicalId(stack.media.bucket)]: { BucketName: 'toq-listing-medias' },
      [logicalId(stack.media.logBucket)]: { BucketName: 'toq-logs-staging' },
      [logicalId(stack.key.key)]: { KeyId: KEY_ID },
      [logicalId(stack.key.alias)]: { AliasName: 'alias/toq-media-processing-staging' },
      [logicalId(stack.ingest.queue)]: { QueueUrl: queueUrl('listing-media-processing-staging') },
      [logicalId(stack.ingest.deadLetterQueue)]: {
        QueueUrl: queueUrl('listing-media-processing-dlq-staging'),
      },
      [logicalId(stack.roles.backend)]: { RoleName: 'toq-media-processing-backend-staging' },
      [logicalId(stack.roles.lambda)]: { RoleName: 'toq-media-processing-lambda-staging' },
      [logicalId(stack.roles.stepFunctions)]: {
        RoleName: 'toq-media-processing-stepfunctions-staging',
      },
      [logicalId(stack.roles.mediaConvert)]: {
        RoleName: 'toq-media-processing-mediaconvert-staging',
      },
    });
  });

  it('covers every bucket, key, alias, queue and role of the template, each retained except on a failed create', () => {
    const importable = [
      'AWS::S3::Bucket',
      'AWS::KMS::Key',
      'AWS::KMS::Alias',
      'AWS::SQS::Queue',
      'AWS::IAM::Role',
    ];
    const inTemplate = Object.entries(synth.template.toJSON()['Resources'] as object)
      .filter(([, r]) => importable.includes((r as { Type: string }).Type))
      .map(([id]) => id);
    const mapped = Object.keys(importMapping(synth.stack, KEY_ID));

    expect(mapped.sort()).toEqual(inTemplate.sort());
    for (const id of mapped) {
      expect([resource(id).DeletionPolicy, resource(id).UpdateReplacePolicy], id).toEqual([
        'RetainExceptOnCreate',
        'Retain',
      ]);
    }
  });

  it('keeps the webhook signing secret through a rollback or a deleted stack', () => {
    const secret = resource(logicalId(synth.stack.webhookSecret));

    expect([secret.DeletionPolicy, secret.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
  });

  it('refuses what is not a KMS key id, naming the command that gives it', () => {
    const act = () => importMapping(synth.stack, 'alias/toq-media-processing-staging');

    expect(act).toThrow(InfraError);
    expect(act).toThrow(
      'Invalid key id: expected a KMS key id such as 1234abcd-12ab-34cd-56ef-1234567890ab (aws kms describe-key --key-id alias/toq-media-processing-staging --query KeyMetadata.KeyId), received "alias/toq-media-processing-staging"',
    );
  });
});

describe('nx run infra:import-mapping (scripts/import-mapping.ts)', () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', timeout: 120_000 });

  it('writes the mapping for the stage to --out', () => {
    const out = join(mkdtempSync(join(inject('infraScratchDir'), 'import-')), 'staging.json');

    const result = run(['--key-id', KEY_ID, '--out', out, '--context', 'stage=staging']);

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(importMapping(synth.stack, KEY_ID));
  });

  it.each([
    [['--out', 'x.json'], /^import-mapping: --key-id is required \(usage: /],
    [['--key-id', KEY_ID, '--dry-run'], /^import-mapping: unknown option "--dry-run" \(usage: /],
    [['--key-id', 'nope'], /^import-mapping: Invalid key id: expected a KMS key id/],
    [
      ['--key-id', KEY_ID, '-c', 'stage=prod-'],
      /^import-mapping: Invalid CDK context "stage": expected lowercase letters/,
    ],
  ])('%j: one line on stderr, exit 2', (args, message) => {
    const result = run(args);

    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
