import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createPipelineApp } from '../../src/app.ts';
import { CFN_GUARD_NAMESPACE, CONTROL_TOWER_RULES } from '../../src/nag.ts';

/**
 * AWS's own Control Tower proactive controls (`@cdklabs/cdk-validator-cfnguard`: cfn-guard with
 * the Control Tower rule set) as a policy-validation plugin on the staging app, beside cdk-nag.
 * Synth fails on any finding left unacknowledged; the findings the design accepts are
 * acknowledged in the constructs, each with its reason (README, "AWS Control Tower controls").
 */

interface Violation {
  ruleName: string;
  reason?: string;
  violatingConstructs: { constructPath: string }[];
}
interface PluginReport {
  pluginName: string;
  conclusion: string;
  violations: Violation[];
  suppressedViolations?: Violation[];
}

let report: PluginReport;
beforeAll(() => {
  // Prepare: the app as `cdk synth` builds it, plus the Control Tower plugin.
  const outdir = mkdtempSync(join(inject('infraScratchDir'), 'guard-'));
  const { app } = createPipelineApp({
    context: { callbackAllowedHosts: 'api.toq.example' },
    outdir,
  });
  Validations.of(app).addPlugins(new CfnGuardValidator({ controlTowerRulesEnabled: true }));

  // Act: synth throws on an unacknowledged finding.
  app.synth();

  const { pluginReports } = JSON.parse(
    readFileSync(join(outdir, 'validation-report.json'), 'utf8'),
  ) as { pluginReports: PluginReport[] };
  const guard = pluginReports.find((r) => r.pluginName === CFN_GUARD_NAMESPACE);
  if (guard === undefined) throw new Error('expected a cfn-guard report, received none');
  report = guard;
}, 120_000);

/** Rule name → the construct paths (under the stack) it was acknowledged for. */
function byRule(violations: readonly Violation[]) {
  const rules: Record<string, string[]> = {};
  for (const v of violations) {
    const paths = v.violatingConstructs.map((c) =>
      c.constructPath.replace(/^toq-media-processing-staging\//, ''),
    );
    rules[v.ruleName] = [...(rules[v.ruleName] ?? []), ...paths].sort();
  }
  return rules;
}

const FUNCTIONS = [
  'callback',
  'consolidate',
  'start',
  'thumbnails',
  'transcode',
  'validate',
  'zip',
].map((fn) => `Functions/${fn}/Resource`);

describe('AWS Control Tower proactive controls (cfn-guard)', () => {
  it('pass: no finding is left unacknowledged', () => {
    expect(report.violations).toEqual([]);
    expect(report.conclusion).toBe('success');
  });

  it('leave exactly the findings this design accepts, each acknowledged with its control and reason', () => {
    const suppressed = report.suppressedViolations ?? [];

    expect(byRule(suppressed)).toEqual({
      [CONTROL_TOWER_RULES['CT.LAMBDA.PR.3']]: FUNCTIONS,
      [CONTROL_TOWER_RULES['CT.S3.PR.10']]: ['Media/LogBucket/Resource'],
      [CONTROL_TOWER_RULES['CT.S3.PR.2']]: ['Media/LogBucket/Resource'],
      [CONTROL_TOWER_RULES['CT.S3.PR.4']]: ['Media/Bucket/Resource', 'Media/LogBucket/Resource'],
      [CONTROL_TOWER_RULES['CT.S3.PR.9']]: ['Media/Bucket/Resource', 'Media/LogBucket/Resource'],
    });
    for (const v of suppressed) {
      const control = Object.entries(CONTROL_TOWER_RULES).find(([, rule]) => rule === v.ruleName);
      expect(v.reason, v.ruleName).toMatch(new RegExp(`^${control?.[0]}: .{80,}`));
    }
  });

  it('are met where the design allows: DLQ redrive policy, CreateGrant for AWS services only, a year of logs, versioned buckets', () => {
    const fixed = [
      'sqs_dlq_check', // CT.SQS.PR.1
      'kms_create_grant_aws_service_check', // CT.KMS.PR.3
      'cloudwatch_log_group_retention_period_check', // CT.CLOUDWATCH.PR.2
      's3_bucket_versioning_enabled_check', // CT.S3.PR.11
    ];
    const found = [...report.violations, ...(report.suppressedViolations ?? [])].map(
      (v) => v.ruleName,
    );

    expect(found.filter((rule) => fixed.includes(rule))).toEqual([]);
  });
});
