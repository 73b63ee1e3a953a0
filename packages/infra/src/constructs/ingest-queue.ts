import { Duration, Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { QUEUE_SETTINGS } from '@toq/lambdas/pipeline';
import { Construct } from 'constructs';
import { ADOPTABLE } from '../removal.ts';

/** Props of {@link IngestQueue}. */
export interface IngestQueueProps {
  /** `listing-media-processing-{stage}`. */
  readonly queueName: string;
  /** `listing-media-processing-dlq-{stage}`. */
  readonly deadLetterQueueName: string;
  /** The pipeline's key: SSE-KMS of both queues. */
  readonly key: kms.IKey;
}

/**
 * Where a backend sends its `ProcessingRequest`s, and the dead-letter queue that keeps a message
 * after five failed receives, or at once when `start` finds it can never be a request (it sends
 * it there with its reason). Both SSE-KMS with the pipeline's key and TLS-only.
 */
export class IngestQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: IngestQueueProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: props.deadLetterQueueName,
      retentionPeriod: Duration.seconds(QUEUE_SETTINGS.deadLetterRetentionSeconds),
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      // Only the ingest queue may use it as its DLQ (AWS Control Tower CT.SQS.PR.1). By ARN, not
      // reference: the ingest queue refers to this one already, and the reverse would be a cycle.
      redriveAllowPolicy: {
        redrivePermission: sqs.RedrivePermission.BY_QUEUE,
        sourceQueues: [
          sqs.Queue.fromQueueArn(
            this,
            'RedriveSource',
            Stack.of(this).formatArn({ service: 'sqs', resource: props.queueName }),
          ),
        ],
      },
      removalPolicy: ADOPTABLE,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: props.queueName,
      visibilityTimeout: Duration.seconds(QUEUE_SETTINGS.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(QUEUE_SETTINGS.retentionSeconds),
      receiveMessageWaitTime: Duration.seconds(QUEUE_SETTINGS.receiveWaitSeconds),
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      deadLetterQueue: {
        queue: this.deadLetterQueue,
        maxReceiveCount: QUEUE_SETTINGS.maxReceiveCount,
      },
      removalPolicy: ADOPTABLE,
    });
  }
}
