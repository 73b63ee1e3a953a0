import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * Acknowledgements of cdk-nag 3's and AWS Control Tower's findings, always with the reason. cdk-nag names an IAM wildcard finding after
 * the resource as it renders it (`AwsSolutions-IAM5[Resource::<MediaBucket4022EBBF.Arn>/*]`); the
 * id is computed here from the same ARN the policy uses, so no logical id is spelled by hand.
 */

/** Whether an ARN (tokens and all) contains a wildcard, as cdk-nag's IAM5 rule sees it. */
export function hasWildcard(scope: IConstruct, arn: string): boolean {
  return flattenCfnReference(Stack.of(scope).resolve(arn)).includes('*');
}

/**
 * Acknowledges AwsSolutions-IAM5 for one wildcard resource in the policies of `scope` (a role,
 * or a construct above it).
 *
 * @example
 * acknowledgeWildcard(role, bucket.arnForObjects('_pipeline/*'), 'execution records: the ids in their keys come with each request; "*" matches any key under _pipeline/');
 */
export function acknowledgeWildcard(scope: IConstruct, arn: string, reason: string): void {
  const resource = flattenCfnReference(Stack.of(scope).resolve(arn));
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
}

/**
 * The AWS Control Tower proactive controls (`@cdklabs/cdk-validator-cfnguard`'s bundled rules)
 * this design does not meet on purpose, by the rule name the plugin reports.
 */
export const CONTROL_TOWER_RULES = {
  'CT.LAMBDA.PR.3': 'lambda_inside_vpc_check',
  'CT.S3.PR.2': 's3_bucket_logging_enabled_check',
  'CT.S3.PR.4': 's3_event_notifications_enabled_check',
  'CT.S3.PR.9': 's3_bucket_object_lock_enabled_check',
  'CT.S3.PR.10': 's3_bucket_default_encryption_kms_check',
} as const;

/** The name the CDK gives the cfn-guard plugin's findings (its plugin name). */
export const CFN_GUARD_NAMESPACE = 'cdk-validator-cfnguard';

/**
 * Acknowledges an AWS Control Tower control for `scope` and what it contains, with the reason
 * the design does not meet it (the README lists them all).
 *
 * @example
 * acknowledgeControl(logBucket, 'CT.S3.PR.10', 'S3 server access logging cannot deliver to an SSE-KMS bucket');
 */
export function acknowledgeControl(
  scope: IConstruct,
  control: keyof typeof CONTROL_TOWER_RULES,
  reason: string,
): void {
  Validations.of(scope).acknowledge({
    id: `${CFN_GUARD_NAMESPACE}::${CONTROL_TOWER_RULES[control]}`,
    reason: `${control}: ${reason}`,
  });
}
