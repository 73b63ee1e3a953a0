import { Token, type CfnResource } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { IConstruct } from 'constructs';
import { InfraError } from './errors.ts';
import type { MediaPipelineStack } from './media-pipeline-stack.ts';

/** What `cdk import --resource-mapping` reads: logical id → the resource's identifier. */
export type ResourceMapping = Record<string, Readonly<Record<string, string>>>;

/** A KMS key id: a UUID, or a multi-Region key's `mrk-` and 32 hex digits. */
const KEY_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

/**
 * The resources of the spec's §1 that may already exist in the stage's account (staging's do:
 * the seed lists them), with the identifier `cdk import` needs for each, from the stack's own
 * names: the media and log buckets, the key and its alias, both queues, the four roles. All carry
 * `RetainExceptOnCreate` (removal.ts), which `cdk import` requires.
 *
 * The key's id is the one identifier no name gives: look it up by its alias
 * (`aws kms describe-key --key-id alias/toq-media-processing-staging --query KeyMetadata.KeyId`).
 *
 * @throws {InfraError} `INVALID_IMPORT` when the key id is not one, or the stack has no account
 *   and region (a queue's URL needs both).
 * @example
 * const mapping = importMapping(stack, '1234abcd-12ab-34cd-56ef-1234567890ab');
 * writeFileSync('import.json', JSON.stringify(mapping, null, 2));
 */
export function importMapping(stack: MediaPipelineStack, keyId: string): ResourceMapping {
  if (!KEY_ID.test(keyId)) {
    throw new InfraError(
      'INVALID_IMPORT',
      `Invalid key id: expected a KMS key id such as 1234abcd-12ab-34cd-56ef-1234567890ab (aws kms describe-key --key-id ${stack.config.names.keyAlias} --query KeyMetadata.KeyId), received ${JSON.stringify(keyId)}`,
    );
  }
  if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
    throw new InfraError(
      'INVALID_IMPORT',
      `The stack ${stack.stackName} has no account and region: expected CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION in the environment, received neither`,
    );
  }
  const { names } = stack.config;
  const queueUrl = (name: string) =>
    `https://sqs.${stack.region}.${RegionInfo.get(stack.region).domainSuffix ?? 'amazonaws.com'}/${stack.account}/${name}`;
  const entries: [IConstruct, Record<string, string>][] = [
    [stack.media.bucket, { BucketName: names.mediaBucket }],
    [stack.media.logBucket, { BucketName: names.logBucket }],
    [stack.key.key, { KeyId: keyId }],
    [stack.key.alias, { AliasName: names.keyAlias }],
    [stack.ingest.queue, { QueueUrl: queueUrl(names.queue) }],
    [stack.ingest.deadLetterQueue, { QueueUrl: queueUrl(names.deadLetterQueue) }],
    [stack.roles.backend, { RoleName: names.backendRole }],
    [stack.roles.lambda, { RoleName: names.lambdaRole }],
    [stack.roles.stepFunctions, { RoleName: names.stepFunctionsRole }],
    [stack.roles.mediaConvert, { RoleName: names.mediaConvertRole }],
  ];
  return Object.fromEntries(
    entries.map(([construct, identifier]) => [
      stack.getLogicalId(construct.node.defaultChild as CfnResource),
      identifier,
    ]),
  );
}
