import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPipelineApp } from '../../src/app.ts';
import { pipelineNames } from '@toq/lambdas/pipeline';
import { resolveConfig } from '../../src/config.ts';
import { InfraError } from '../../src/errors.ts';

function contextError(context: Record<string, unknown>): InfraError {
  try {
    resolveConfig(context);
  } catch (error) {
    if (error instanceof InfraError) return error;
    throw error;
  }
  throw new Error('expected resolveConfig to throw');
}

describe('pipelineNames', () => {
  it('gives staging the spec’s names (§1)', () => {
    expect(pipelineNames('staging')).toEqual({
      stage: 'staging',
      stackName: 'toq-media-processing-staging',
      keyAlias: 'alias/toq-media-processing-staging',
      mediaBucket: 'toq-listing-medias',
      logBucket: 'toq-logs-staging',
      queue: 'listing-media-processing-staging',
      deadLetterQueue: 'listing-media-processing-dlq-staging',
      backendRole: 'toq-media-processing-backend-staging',
      lambdaRole: 'toq-media-processing-lambda-staging',
      stepFunctionsRole: 'toq-media-processing-stepfunctions-staging',
      mediaConvertRole: 'toq-media-processing-mediaconvert-staging',
      stateMachine: 'listing-media-processing-staging',
      functions: {
        start: 'listing-media-start-staging',
        validate: 'listing-media-validate-staging',
        thumbnails: 'listing-media-thumbnails-staging',
        transcode: 'listing-media-transcode-staging',
        zip: 'listing-media-zip-staging',
        consolidate: 'listing-media-consolidate-staging',
        callback: 'listing-media-callback-staging',
      },
      webhookSecret: 'toq-media-processing-webhook-signing-staging',
      alarmTopic: 'toq-media-processing-alarms-staging',
      deadLetterAlarm: 'listing-media-processing-dlq-messages-staging',
      failedExecutionsAlarm: 'listing-media-processing-failed-executions-staging',
    });
  });

  it('suffixes every name with another stage, the media bucket included (bucket names are global)', () => {
    const names = pipelineNames('prod');
    const all = [
      ...Object.values(names).filter((v): v is string => typeof v === 'string' && v !== 'prod'),
      ...Object.values(names.functions),
    ];

    expect(names.mediaBucket).toBe('toq-listing-medias-prod');
    expect(all.filter((name) => !name.endsWith('-prod'))).toEqual([]);
  });
});

describe('resolveConfig', () => {
  it('defaults to staging, INFO, 50 MiB photos, 5 GiB videos, no hosts, no alarm email', () => {
    const config = resolveConfig({});

    expect(config).toEqual({
      names: pipelineNames('staging'),
      callbackAllowedHosts: [],
      logLevel: 'INFO',
      maxPhotoBytes: 52_428_800,
      maxVideoBytes: 5_368_709_120,
      alarmEmail: undefined,
    });
  });

  it('reads the allowlist as a comma-separated string (CLI) or a list (cdk.json), lowercased', () => {
    expect(
      resolveConfig({ callbackAllowedHosts: ' API.toq.example, *.hooks.toq.example ,' })
        .callbackAllowedHosts,
    ).toEqual(['api.toq.example', '*.hooks.toq.example']);
    expect(resolveConfig({ callbackAllowedHosts: ['a.example'] }).callbackAllowedHosts).toEqual([
      'a.example',
    ]);
  });

  it('reads the limits and the log level, numbers given as strings by the CLI', () => {
    const config = resolveConfig({ maxPhotoBytes: '1000', maxVideoBytes: 2000, logLevel: 'debug' });

    expect([config.maxPhotoBytes, config.maxVideoBytes, config.logLevel]).toEqual([
      1000,
      2000,
      'DEBUG',
    ]);
  });

  it.each([
    [
      { stage: 'Prod!' },
      'Invalid CDK context "stage": expected lowercase letters, digits and "-", starting with a letter, received "Prod!"',
    ],
    [
      { callbackAllowedHosts: 'https://api.toq.example' },
      'Invalid CDK context "callbackAllowedHosts": expected hosts such as api.example.com or *.example.com, received "https://api.toq.example"',
    ],
    [
      { callbackAllowedHosts: 42 },
      'Invalid CDK context "callbackAllowedHosts": expected a comma-separated string or a list of hosts, received 42',
    ],
    [
      { maxPhotoBytes: '-1' },
      'Invalid CDK context "maxPhotoBytes": expected a positive integer (bytes), received "-1"',
    ],
    [
      { logLevel: 'LOUD' },
      'Invalid CDK context "logLevel": expected TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT, received "LOUD"',
    ],
    [
      { alarmEmail: 'ops' },
      'Invalid CDK context "alarmEmail": expected an email address, received "ops"',
    ],
  ])('rejects %j with INVALID_CONTEXT', (context, message) => {
    const error = contextError(context);

    expect(error.name).toBe('InfraError');
    expect(error.code).toBe('INVALID_CONTEXT');
    expect(error.message).toBe(message);
  });
});

describe('createPipelineApp', () => {
  it('refuses to build without the functions’ bundles, and says how to build them', () => {
    const empty = mkdtempSync(join(tmpdir(), 'toq-no-bundles-'));
    try {
      const act = () => createPipelineApp({ bundleRoot: empty, outdir: empty });

      expect(act).toThrow(InfraError);
      expect(act).toThrow(
        `The start function's bundle is missing: expected ${join(empty, 'start', 'index.mjs')}, received no such file. Build the bundles first: npx nx run lambdas:build`,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
