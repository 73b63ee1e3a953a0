import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, it } from 'vitest';
import { getAtt, keyArn, ref, stagingSynth, type StagingSynth } from '../../support/staging.ts';

/**
 * `IngestQueue` (src/constructs/ingest-queue.ts) in the staging template: the queue, the
 * dead-letter queue and their TLS-only policies.
 */

let synth: StagingSynth;
beforeAll(() => {
  synth = stagingSynth();
});

describe('queues', () => {
  it('listing-media-processing-staging: 60 s visibility, 4 days, 20 s long polling, SSE-KMS, to the DLQ after 5 receives', () => {
    synth.template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'listing-media-processing-staging',
      VisibilityTimeout: 60,
      MessageRetentionPeriod: 345_600,
      ReceiveMessageWaitTimeSeconds: 20,
      KmsMasterKeyId: keyArn(),
      RedrivePolicy: {
        deadLetterTargetArn: getAtt(synth.stack.ingest.deadLetterQueue),
        maxReceiveCount: 5,
      },
      FifoQueue: Match.absent(), // standard
    });
  });

  it('listing-media-processing-dlq-staging: 14 days, SSE-KMS', () => {
    synth.template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'listing-media-processing-dlq-staging',
      MessageRetentionPeriod: 1_209_600,
      KmsMasterKeyId: keyArn(),
    });
  });

  it('both deny requests without TLS', () => {
    for (const queue of [synth.stack.ingest.queue, synth.stack.ingest.deadLetterQueue]) {
      synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [ref(queue)],
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ],
        },
      });
    }
  });
});
