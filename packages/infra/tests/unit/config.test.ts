import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPipelineApp } from '../../src/app.ts';
import { pipelineNames } from '@toq/lambdas/pipeline';
import { alarmNames, allAlarmNames, resolveConfig } from '../../src/config.ts';
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
      deadLetterAlarm: 'toq-media-processing-dlq-messages-staging',
      failedExecutionsAlarm: 'toq-media-processing-failed-executions-staging',
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
  it('defaults to staging, INFO, 50 MiB photos, 5 GiB videos, no hosts, no alarm email, 2 start invocations and 100 renders at once', () => {
    const config = resolveConfig({});

    expect(config).toEqual({
      names: pipelineNames('staging'),
      callbackAllowedHosts: [],
      logLevel: 'INFO',
      maxPhotoBytes: 52_428_800,
      maxVideoBytes: 5_368_709_120,
      alarmEmail: undefined,
      alarms: alarmNames(pipelineNames('staging')),
      dashboardName: 'toq-media-processing-staging',
      concurrency: { startMaxConcurrency: 2, thumbnailsReservedConcurrency: 100 },
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
    expect(
      resolveConfig({ callbackAllowedHosts: '203.0.113.7,2606:4700:4700::1111,[2001:DB8::1]' })
        .callbackAllowedHosts,
    ).toEqual(['203.0.113.7', '2606:4700:4700::1111', '[2001:db8::1]']);
  });

  it('reads the limits and the log level, numbers given as strings by the CLI', () => {
    const config = resolveConfig({ maxPhotoBytes: '1000', maxVideoBytes: 2000, logLevel: 'debug' });

    expect([config.maxPhotoBytes, config.maxVideoBytes, config.logLevel]).toEqual([
      1000,
      2000,
      'DEBUG',
    ]);
  });

  it.each<[Record<string, unknown>, string]>([
    ...['Prod!', 'prod-', 'pr--od', '1prod', '-prod', 'prod_1'].map(
      (stage): [Record<string, unknown>, string] => [
        { stage },
        `Invalid CDK context "stage": expected lowercase letters, digits and single "-" between them, starting with a letter (AWS resource names), received ${JSON.stringify(stage)}`,
      ],
    ),
    [
      { stage: 'a'.repeat(30) },
      `Invalid CDK context "stage": expected a stage short enough that the IAM role name "toq-media-processing-stepfunctions-${'a'.repeat(30)}" fits 64 characters (it has 65), received "${'a'.repeat(30)}"`,
    ],
    [
      { stage: 'my-s3alias' },
      'Invalid CDK context "stage": expected a stage not ending in "-s3alias" (S3 reserves it), received "my-s3alias"',
    ],
    [
      { startMaxConcurrency: 1 },
      'Invalid CDK context "startMaxConcurrency": expected an integer from 2 to 1000, received 1',
    ],
    [
      { thumbnailsReservedConcurrency: '0' },
      'Invalid CDK context "thumbnailsReservedConcurrency": expected an integer from 1 to 10000, received "0"',
    ],
    [
      { callbackAllowedHosts: 'https://api.toq.example' },
      'Invalid CDK context "callbackAllowedHosts": expected hosts such as api.example.com or *.example.com, or IP addresses such as 2001:db8::1, received "https://api.toq.example"',
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

describe('stage names', () => {
  it('accepts the longest stage whose every name fits (29 characters: the Step Functions role’s 64)', () => {
    const stage = `a${'-b'.repeat(14)}`;

    expect(stage).toHaveLength(29);
    expect(resolveConfig({ stage }).names.stepFunctionsRole).toHaveLength(64);
  });

  it('names every alarm toq-media-processing-{what}-{stage}', () => {
    const names = allAlarmNames(alarmNames(pipelineNames('prod')));

    expect(names).toHaveLength(20);
    expect(new Set(names).size).toBe(20);
    expect(names.filter((name) => !/^toq-media-processing-[a-z0-9-]+-prod$/.test(name))).toEqual(
      [],
    );
    expect(names).toEqual(
      expect.arrayContaining([
        'toq-media-processing-dlq-messages-prod',
        'toq-media-processing-failed-executions-prod',
      ]),
    );
  });
});

describe('concurrency', () => {
  it('reads both settings from the CLI’s strings; "none" reserves nothing for thumbnails', () => {
    expect(
      resolveConfig({ startMaxConcurrency: '5', thumbnailsReservedConcurrency: '250' }).concurrency,
    ).toEqual({ startMaxConcurrency: 5, thumbnailsReservedConcurrency: 250 });
    expect(resolveConfig({ thumbnailsReservedConcurrency: 'none' }).concurrency).toEqual({
      startMaxConcurrency: 2,
      thumbnailsReservedConcurrency: undefined,
    });
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
