import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnResource, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { createPipelineApp } from '../../src/app.ts';

/** The spec's account and region (§1), where staging must deploy. */
export const ENV = { account: '058264253741', region: 'us-east-1' } as const;

/**
 * Synthesizes the app as `cdk synth` does (cdk-nag included, the real bundles from
 * `packages/lambdas/dist`, the account and region from the configuration) into a new temporary
 * directory under `parentDir`.
 */
export function synthPipeline(context: Record<string, unknown> = {}, parentDir = tmpdir()) {
  const outdir = mkdtempSync(join(parentDir, 'toq-infra-'));
  const { app, stack, config } = createPipelineApp({
    context: { callbackAllowedHosts: 'api.toq.example,*.hooks.toq.example', ...context },
    outdir,
  });
  const assembly = app.synth();
  const template = Template.fromJSON(assembly.getStackByName(stack.stackName).template);
  return {
    app,
    stack,
    config,
    assembly,
    template,
    outdir,
    dispose: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/**
 * Renders CloudFormation values readably: `{ "Fn::GetAtt": ["MediaBucket4022EBBF", "Arn"] }`
 * becomes `<Media/Bucket.Arn>` (the construct path under the stack), so expectations name
 * resources instead of hashed logical ids.
 */
export function renderer(stack: Stack) {
  const labels = new Map<string, string>();
  for (const node of stack.node.findAll()) {
    if (!CfnResource.isCfnResource(node)) continue;
    const path = node.node.path
      .split('/')
      .slice(1)
      .filter((part) => part !== 'Resource');
    labels.set(stack.getLogicalId(node), path.join('/'));
  }
  const label = (text: string) =>
    text.replace(/<([A-Za-z0-9]+)(\.[A-Za-z]+)?>/g, (whole, id: string, attribute = '') =>
      labels.has(id) ? `<${labels.get(id)}${attribute}>` : whole,
    );
  const render = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(render);
    if (typeof value === 'string') return value;
    if (value !== null && typeof value === 'object') {
      const [only, ...others] = Object.keys(value);
      if (
        others.length === 0 &&
        only !== undefined &&
        (only === 'Ref' || only.startsWith('Fn::'))
      ) {
        return label(flattenCfnReference(value));
      }
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v)]));
    }
    return value;
  };
  return render;
}

/** One statement, rendered, with Action and Resource always lists. */
export interface RenderedStatement {
  Sid?: string;
  Effect: string;
  Action: string[];
  Resource: string[];
  Condition?: unknown;
}

/** Every statement of every policy attached to the role with this logical id. */
export function roleStatements(template: Template, stack: Stack, roleLogicalId: string) {
  const render = renderer(stack);
  const policies = template.findResources('AWS::IAM::Policy');
  const statements: RenderedStatement[] = [];
  for (const policy of Object.values(policies)) {
    const roles = (policy['Properties']['Roles'] ?? []) as { Ref: string }[];
    if (!roles.some((role) => role.Ref === roleLogicalId)) continue;
    for (const raw of policy['Properties']['PolicyDocument']['Statement'] as Record<
      string,
      unknown
    >[]) {
      const s = render(raw) as Record<string, unknown>;
      const list = (v: unknown) => (Array.isArray(v) ? (v as string[]) : [v as string]);
      statements.push({
        ...(s['Sid'] === undefined ? {} : { Sid: s['Sid'] as string }),
        Effect: s['Effect'] as string,
        Action: list(s['Action']).sort(),
        Resource: list(s['Resource']),
        ...(s['Condition'] === undefined ? {} : { Condition: s['Condition'] }),
      });
    }
  }
  return statements;
}
