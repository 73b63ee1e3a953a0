import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { FUNCTION_IDS } from '@toq/lambdas/pipeline';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_ROOT } from '../../../src/app.ts';
import { FUNCTION_SIZING } from '../../../src/config.ts';
import {
  arn,
  getAtt,
  keyArn,
  logicalId,
  ref,
  stagingSynth,
  type StagingSynth,
} from '../../support/staging.ts';

/**
 * `PipelineFunctions` (src/constructs/pipeline-functions.ts) in the staging template: the seven
 * functions' settings and environments, their log groups, the bundles they deploy, and the
 * queue's event source.
 */

let synth: StagingSynth;
beforeAll(() => {
  synth = stagingSynth();
});

describe('functions', () => {
  const environment: Record<string, Record<string, unknown>> = {
    start: { STATE_MACHINE_ARN: arn('states', 'stateMachine:listing-media-processing-staging') },
    validate: { MAX_PHOTO_BYTES: '52428800', MAX_VIDEO_BYTES: '5368709120' },
    thumbnails: { MALLOC_ARENA_MAX: '2' },
    zip: { NODE_OPTIONS: '--max-semi-space-size=1 --max-old-space-size=819' },
    callback: { CALLBACK_ALLOWED_HOSTS: 'api.toq.example,*.hooks.toq.example' },
  };

  it.each(FUNCTION_IDS)(
    'listing-media-%s-staging: nodejs24.x, arm64, index.handler, its memory and timeout, X-Ray, the shared role, exactly its environment, encrypted with the key',
    (fn) => {
      const bucketEnv = { MEDIA_BUCKET: ref(synth.stack.media.bucket) };
      const secretEnv =
        fn === 'callback' ? { WEBHOOK_SECRET_ARN: ref(synth.stack.webhookSecret) } : {};
      const deadLetterEnv =
        fn === 'start' ? { DEAD_LETTER_QUEUE_URL: ref(synth.stack.ingest.deadLetterQueue) } : {};
      synth.template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `listing-media-${fn}-staging`,
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: FUNCTION_SIZING[fn].memoryMiB,
        Timeout: FUNCTION_SIZING[fn].timeoutSeconds,
        TracingConfig: { Mode: 'Active' },
        Role: getAtt(synth.stack.roles.lambda),
        LoggingConfig: { LogGroup: Match.anyValue() },
        KmsKeyArn: keyArn(),
        Environment: {
          Variables: Match.exact({
            LOG_LEVEL: 'INFO',
            POWERTOOLS_SERVICE_NAME: 'listing-media',
            // Every function publishes the pipeline's metrics (EMF, through its logs).
            POWERTOOLS_METRICS_NAMESPACE: 'TOQ/MediaPipeline',
            STAGE: 'staging',
            ...bucketEnv,
            ...secretEnv,
            ...deadLetterEnv,
            ...environment[fn],
          }),
        },
      });
    },
  );

  it('log to their own log groups, encrypted with the key, kept a year (Control Tower CT.CLOUDWATCH.PR.2)', () => {
    for (const fn of FUNCTION_IDS) {
      const func = synth.stack.functions.functions[fn];
      const props = synth.template.toJSON()['Resources'][logicalId(func)]['Properties'];
      const logGroupId = (props['LoggingConfig']['LogGroup'] as { Ref: string }).Ref;
      expect(synth.template.toJSON()['Resources'][logGroupId]['Properties']).toEqual({
        LogGroupName: `/aws/lambda/listing-media-${fn}-staging`,
        RetentionInDays: 365,
        KmsKeyId: keyArn(),
        // Cost allocation (media-pipeline-stack.test.ts).
        Tags: expect.any(Array),
      });
    }
  });

  it('deploy the very bundles in packages/lambdas/dist (the staged asset is byte-identical)', () => {
    const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
    const staged = readdirSync(synth.outdir).filter((name) => name.startsWith('asset.'));
    for (const fn of FUNCTION_IDS) {
      const func = synth.stack.functions.functions[fn];
      const code = synth.template.toJSON()['Resources'][logicalId(func)]['Properties']['Code'];
      const hash = (code['S3Key'] as string).replace(/\.zip$/, '');
      expect(staged, fn).toContain(`asset.${hash}`);
      expect(digest(join(synth.outdir, `asset.${hash}`, 'index.mjs')), fn).toBe(
        digest(join(BUNDLE_ROOT, fn, 'index.mjs')),
      );
    }
  });

  it('start consumes the queue in batches of 10, 2 invocations at most at once, and reports partial batch failures', () => {
    synth.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    synth.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: getAtt(synth.stack.ingest.queue),
      FunctionName: ref(synth.stack.functions.functions.start),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('reserve 100 concurrent executions for thumbnails (the fan-out), none for the others', () => {
    const reserved = Object.fromEntries(
      FUNCTION_IDS.map((fn) => {
        const func = synth.stack.functions.functions[fn];
        const props = synth.template.toJSON()['Resources'][logicalId(func)]['Properties'];
        return [fn, props['ReservedConcurrentExecutions']];
      }),
    );

    expect(reserved).toEqual({
      start: undefined,
      validate: undefined,
      thumbnails: 100,
      transcode: undefined,
      zip: undefined,
      consolidate: undefined,
      callback: undefined,
    });
  });
});
