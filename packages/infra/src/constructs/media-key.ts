import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { accountLogsArn, alarmArns } from '../arns.ts';
import { ADOPTABLE } from '../removal.ts';

/** Props of {@link MediaKey}. */
export interface MediaKeyProps {
  /** `alias/toq-media-processing-{stage}`. */
  readonly alias: string;
  /**
   * Name patterns of the CloudWatch log groups the key encrypts (`/aws/lambda/listing-media-*`);
   * the logs service may use the key for those only.
   */
  readonly logGroupNamePatterns: readonly string[];
  /** The SNS topic encrypted with the key that the alarms publish to. */
  readonly alarmTopicName: string;
  /** The alarms that publish to it: CloudWatch may use the key on their behalf only. */
  readonly alarmNames: readonly string[];
}

/**
 * The pipeline's customer-managed KMS key (spec: enabled, annual rotation; used by S3, SQS and
 * every pipeline service), with its alias. Identity policies grant its use to the roles; the key
 * policy adds only the services that use it on their own behalf, each with the exact actions it
 * calls and a condition naming this pipeline's resources: CloudWatch Logs (the pipeline's log
 * groups), the log delivery service (the encrypted state machine's logs) and CloudWatch alarms
 * (publishing to the encrypted alarm topic).
 */
export class MediaKey extends Construct {
  readonly key: kms.Key;
  readonly alias: kms.Alias;

  constructor(scope: Construct, id: string, props: MediaKeyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new kms.Key(this, 'Key', {
      description:
        'toq-media: encrypts the media bucket, the queues, the logs, the webhook secret, the state machine and the functions’ environments',
      enableKeyRotation: true, // every 365 days (the default period)
      removalPolicy: ADOPTABLE,
    });
    // Its own construct, for its removal policy: a retained key stays findable by its alias.
    this.alias = new kms.Alias(this, 'Alias', {
      aliasName: props.alias,
      targetKey: this.key,
      removalPolicy: ADOPTABLE,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        // A grant is a second, policy-less way to use the key: only AWS services may create one
        // for their own resources (AWS Control Tower CT.KMS.PR.3). The account's kms:* above
        // would otherwise let any administrator grant the key to anyone. Nothing in the pipeline
        // creates grants itself; the services that do so on its behalf pass this condition.
        sid: 'DenyGrantsButForAwsServices',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'], // in a key policy, "*" is this key
        conditions: {
          BoolIfExists: {
            'kms:GrantIsForAWSResource': 'false',
            'aws:PrincipalIsAWSService': 'false',
          },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        // The actions are those behind the wildcards the CloudWatch Logs guide gives (Encrypt*,
        // Decrypt*, ReEncrypt*, GenerateDataKey*, Describe*), less the key-pair ones: a log
        // group is encrypted with symmetric data keys only. No aws:SourceAccount or
        // aws:SourceArn: CloudWatch Logs confines its use of a key through the encryption
        // context below (the log group's ARN, account included) and documents no other
        // condition key for these calls; one it does not send would refuse every log write.
        sid: 'CloudWatchLogsEncryptsPipelineLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
          'kms:GenerateDataKey',
          'kms:GenerateDataKeyWithoutPlaintext',
          'kms:DescribeKey',
        ],
        resources: ['*'], // in a key policy, "*" is this key
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': props.logGroupNamePatterns.map((name) =>
              stack.formatArn({
                service: 'logs',
                resource: 'log-group',
                resourceName: name,
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            ),
          },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        // The state machine is encrypted with this key and logs to CloudWatch Logs: the log
        // delivery service decrypts the data key that the execution role took for the logs
        // (Step Functions guide, encryption at rest). Only for deliveries of this account's
        // logs, as CloudWatch Logs documents for this principal's use of a key.
        sid: 'LogDeliveryDecryptsStateMachineLogs',
        principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['kms:Decrypt'],
        resources: ['*'], // in a key policy, "*" is this key
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': accountLogsArn(this),
          },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        // An alarm's notification goes into an SSE-KMS topic: SNS generates a data key and
        // decrypts it with CloudWatch's permissions, under the topic's encryption context. Only
        // for this pipeline's alarms and topic.
        sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'], // in a key policy, "*" is this key
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'kms:EncryptionContext:aws:sns:topicArn': stack.formatArn({
              service: 'sns',
              resource: props.alarmTopicName,
              arnFormat: ArnFormat.NO_RESOURCE_NAME,
            }),
          },
          ArnEquals: { 'aws:SourceArn': alarmArns(this, props.alarmNames) },
        },
      }),
    );
  }
}
