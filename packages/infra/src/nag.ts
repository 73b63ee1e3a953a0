import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag 3 acknowledgements, always with the reason. cdk-nag names an IAM wildcard finding after
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
