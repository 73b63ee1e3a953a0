import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PINNED_ENVIRONMENTS, resolveConfig } from './config.ts';
import { MediaPipelineStack } from './media-pipeline-stack.ts';

/** `packages/lambdas/dist` (from the repository root), where `nx run lambdas:build` writes. */
export const BUNDLE_ROOT = fileURLToPath(new URL('../../lambdas/dist/', import.meta.url));

/** `cdk.json`'s context: the feature flags this app was written and tested with. */
export const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

/** Options of {@link createPipelineApp}. */
export interface PipelineAppOptions {
  /** CDK context on top of `cdk.json`'s (`stage`, `callbackAllowedHosts`, …). */
  readonly context?: Readonly<Record<string, unknown>>;
  /** The cloud assembly directory. Default: CDK's (`cdk.out`, or a temporary one in tests). */
  readonly outdir?: string;
  /** The functions' bundles. Default {@link BUNDLE_ROOT}. */
  readonly bundleRoot?: string;
}

/**
 * The app: one {@link MediaPipelineStack} for the stage, checked by cdk-nag's AWS Solutions pack
 * (a policy-validation plugin: synth fails on any unacknowledged finding). `main.ts` runs it for
 * the CLI; the tests build the same app. A stage in {@link PINNED_ENVIRONMENTS} (staging) is
 * bound to its account and region; any other takes the CLI's (`CDK_DEFAULT_ACCOUNT`,
 * `CDK_DEFAULT_REGION`).
 *
 * @throws {InfraError} `INVALID_CONTEXT` or `MISSING_BUNDLE`.
 * @example
 * const { app, stack } = createPipelineApp({ context: { stage: 'staging' } });
 * app.synth();
 */
export function createPipelineApp(options: PipelineAppOptions = {}) {
  const app = new App({
    context: { ...CDK_JSON_CONTEXT, ...options.context },
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
  });
  const context = app.node.getAllContext() as Record<string, unknown>;
  const config = resolveConfig(context);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new MediaPipelineStack(app, config.names.stackName, {
    config,
    bundleRoot: options.bundleRoot ?? BUNDLE_ROOT,
    env: PINNED_ENVIRONMENTS.get(config.names.stage) ?? {
      account: process.env['CDK_DEFAULT_ACCOUNT'],
      region: process.env['CDK_DEFAULT_REGION'],
    },
    description: `toq-media listing media pipeline (${config.names.stage})`,
    terminationProtection: config.names.stage !== 'staging',
  });
  return { app, stack, config };
}
