import type { CfnResource } from 'aws-cdk-lib';
import { inject } from 'vitest';
import { ENV, synthPipeline } from './synth.ts';

/**
 * The staging app, synthesized as `cdk synth` does (the real bundles from packages/lambdas/dist,
 * cdk-nag on), which the tests of `tests/integration/stack/` and `nag.test.ts` assert on.
 *
 * Synthesis is the slow part of these tests, so it happens once per test worker: this project
 * runs its test files without isolation (`vitest.config.ts`), so every file a worker runs after
 * the first gets this module, and the synth, from the module cache. The assembly lives in the
 * run's scratch directory, which the global setup removes when the run ends.
 */
export type StagingSynth = ReturnType<typeof synthPipeline>;

let cached: StagingSynth | undefined;

/** The staging synth, made on first use in this worker. */
export function stagingSynth(): StagingSynth {
  cached ??= synthPipeline({}, inject('infraScratchDir'));
  return cached;
}

interface WithDefaultChild {
  readonly node: { readonly defaultChild?: unknown };
}

/** `arn:aws:{service}:us-east-1:058264253741:{resource}`: an ARN in staging's account and region. */
export const arn = (service: string, resource: string) =>
  `arn:aws:${service}:${ENV.region}:${ENV.account}:${resource}`;

/** The logical id of an L2 construct's resource in the staging template. */
export const logicalId = (construct: WithDefaultChild) =>
  stagingSynth().stack.getLogicalId(construct.node.defaultChild as CfnResource);

/** `{ Ref: … }` to an L2 construct's resource. */
export const ref = (construct: WithDefaultChild) => ({ Ref: logicalId(construct) });

/** `{ "Fn::GetAtt": [… , attribute] }` of an L2 construct's resource. */
export const getAtt = (construct: WithDefaultChild, attribute = 'Arn') => ({
  'Fn::GetAtt': [logicalId(construct), attribute],
});

/** The pipeline key's ARN, as the template refers to it. */
export const keyArn = () => getAtt(stagingSynth().stack.key.key);

/** Every alarm of staging, spelled out: the names the topic and key policies must list. */
export const STAGING_ALARM_NAMES = [
  'toq-media-processing-dlq-messages-staging',
  'toq-media-processing-failed-executions-staging',
  'toq-media-processing-timed-out-executions-staging',
  'toq-media-processing-aborted-executions-staging',
  'toq-media-processing-item-failure-rate-staging',
  'toq-media-processing-queue-age-staging',
  ...['errors', 'throttles'].flatMap((what) =>
    ['start', 'validate', 'thumbnails', 'transcode', 'zip', 'consolidate', 'callback'].map(
      (fn) => `toq-media-processing-${fn}-${what}-staging`,
    ),
  ),
];
