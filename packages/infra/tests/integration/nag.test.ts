import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { CFN_GUARD_NAMESPACE } from '../../src/nag.ts';
import { stagingSynth, type StagingSynth } from '../support/staging.ts';

/**
 * cdk-nag 3's AWS Solutions pack, as the app applies it (a policy-validation plugin: synth fails
 * on any finding left unacknowledged). The staging synth (support/staging.ts, shared with the
 * stack tests) runs with it, so reaching the assertions already means zero unacknowledged errors
 * and warnings; the tests below say so explicitly, prove the gate bites, and check every
 * acknowledgement.
 */

let synth: StagingSynth;
beforeAll(() => {
  synth = stagingSynth();
});

/** Every cdk-nag acknowledgement recorded in the app (the Control Tower ones: guard.test.ts). */
function acknowledgements(app: App) {
  return allAcknowledgements(app).filter((a) => !a.id.startsWith(`${CFN_GUARD_NAMESPACE}::`));
}

/** Every acknowledgement recorded in the app: rule id → reason. */
function allAcknowledgements(app: App) {
  const found: { path: string; id: string; reason: string }[] = [];
  for (const construct of app.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ path: construct.node.path, id, reason });
      }
    }
  }
  return found;
}

describe('cdk-nag AwsSolutionsChecks', () => {
  it('reports no unacknowledged error or warning for the whole app', () => {
    const report = new AwsSolutionsChecks().validateScope(synth.app);

    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('fails synth on an unacknowledged finding (the gate is on)', () => {
    // Prepare: a bucket with neither access logs nor TLS-only, in an app checked the same way.
    const app = new App();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    new s3.Bucket(new Stack(app, 'Careless'), 'Unlogged');

    // Act / Assess
    expect(() => app.synth()).toThrow(/AwsSolutions-S1\b/);
    const ids = new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName);
    expect(ids).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });

  it('acknowledges only granular findings, each with a specific reason', () => {
    const acks = acknowledgements(synth.app);
    const rules = [
      ...new Set(acks.map((a) => a.id.replace(/^annotation::/i, '').replace(/\[.*$/, ''))),
    ];

    expect(rules.sort()).toEqual(['AwsSolutions-IAM5', 'AwsSolutions-SMG4']);
    for (const ack of acks) {
      if (ack.id.includes('IAM5')) expect(ack.id, ack.path).toMatch(/IAM5\[Resource::.+\]$/);
      expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(60);
    }
    expect(new Set(acks.map((a) => a.reason)).size).toBeGreaterThanOrEqual(8);
  });

  it('acknowledges no wildcard that the policies do not have', () => {
    const resources = new Set<string>();
    for (const policy of Object.values(synth.template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy['Properties']['PolicyDocument']['Statement']) {
        const list = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        for (const resource of list) resources.add(flattenCfnReference(resource));
      }
    }
    const acknowledged = acknowledgements(synth.app)
      .map((a) => /IAM5\[Resource::(.+)\]$/.exec(a.id)?.[1])
      .filter((r): r is string => r !== undefined);

    expect(acknowledged.length).toBeGreaterThanOrEqual(10);
    expect(acknowledged.filter((r) => !resources.has(r))).toEqual([]);
  });
});
