import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Props of {@link MediaKey}. */
export interface MediaKeyProps {
  /** `alias/toq-media-processing-{stage}`. */
  readonly alias: string;
  /**
   * Name patterns of the CloudWatch log groups the key encrypts (`/aws/lambda/listing-media-*`);
   * the logs service may use the key for those only.
   */
  readonly logGroupNamePatterns: readonly string[];
}

/**
 * The pipeline's customer-managed KMS key (spec: enabled, annual rotation; used by S3, SQS, the
 * logs and the webhook secret), with its alias. Identity policies grant its use to the roles; the
 * key policy adds only the services that encrypt on their own behalf: CloudWatch Logs (for the
 * pipeline's log groups) and CloudWatch alarms publishing to the encrypted alarm topic.
 */
export class MediaKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: MediaKeyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new kms.Key(this, 'Key', {
      alias: props.alias,
      description:
        'toq-media: encrypts the media bucket, the queues, the logs and the webhook secret',
      enableKeyRotation: true, // every 365 days (the default period)
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsEncryptsPipelineLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt*',
          'kms:Decrypt*',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
          'kms:Describe*',
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
            'aws:SourceArn': stack.formatArn({
              service: 'logs',
              resource: '*',
              arnFormat: ArnFormat.NO_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'], // in a key policy, "*" is this key
      }),
    );
  }
}
