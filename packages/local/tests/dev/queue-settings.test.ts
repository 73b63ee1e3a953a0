import { join } from 'node:path';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { QUEUE_SETTINGS } from '@toq/lambdas/pipeline';
import { startWebhookReceiver } from '@toq/lambdas/webhook-receiver';
import { DATA_FILES } from '../../src/dev/command-line.ts';
import { startLoopbackFauxqs } from '../../src/dev/loopback-fauxqs.ts';
import { localAwsClients } from '../../src/local-pipeline.ts';
import { SqsQueue } from '../../src/queue.ts';
import { FILES, clients, dataDir, sendListing, startDev, waitFor } from './support.ts';

const NAMES = {
  queue: 'listing-media-processing-local',
  deadLetterQueue: 'listing-media-processing-dlq-local',
};

describe('a queue that already exists with other settings', { timeout: 180_000 }, () => {
  it('is reused by SqsQueue.create, with the deployed settings, saying which changed', async () => {
    // Prepare
    const server = await startLoopbackFauxqs({ port: 0 });
    try {
      const { sqs } = localAwsClients(server.endpoint);
      await sqs.send(
        new CreateQueueCommand({
          QueueName: NAMES.queue,
          Attributes: { VisibilityTimeout: '30', MessageRetentionPeriod: '345600' },
        }),
      );

      // Act
      const queue = await SqsQueue.create(sqs, NAMES);

      // Assess
      expect(queue.adjusted.map((a) => [a.attribute, a.was, a.now])).toEqual([
        ['VisibilityTimeout', '30', '60'],
        ['ReceiveMessageWaitTimeSeconds', '0', '20'],
        ['RedrivePolicy', undefined, expect.stringContaining('"maxReceiveCount":5')],
      ]);
      const { Attributes: attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queue.queueUrl, AttributeNames: ['All'] }),
      );
      expect(attributes).toMatchObject({
        VisibilityTimeout: String(QUEUE_SETTINGS.visibilityTimeoutSeconds),
        ReceiveMessageWaitTimeSeconds: String(QUEUE_SETTINGS.receiveWaitSeconds),
      });
      expect(JSON.parse(attributes?.RedrivePolicy ?? '{}')).toEqual({
        deadLetterTargetArn: `arn:aws:sqs:us-east-1:000000000000:${NAMES.deadLetterQueue}`,
        maxReceiveCount: QUEUE_SETTINGS.maxReceiveCount,
      });
      // Created again as it is now: nothing to adjust.
      expect((await SqsQueue.create(sqs, NAMES)).adjusted).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('made by hand in the data folder: npm run dev says so in one line, sets ours and runs', async () => {
    // Prepare
    const data = await dataDir('queue');
    const byHand = await startLoopbackFauxqs({
      port: 0,
      dataDir: join(data, DATA_FILES.queues),
    });
    await localAwsClients(byHand.endpoint).sqs.send(
      new CreateQueueCommand({ QueueName: NAMES.queue, Attributes: { VisibilityTimeout: '30' } }),
    );
    await byHand.stop();

    // Act
    const dev = await startDev(data);
    const receiver = await startWebhookReceiver({ secret: dev.connection.webhookSecret });
    try {
      // Assess
      expect(dev.output.stdout).toContain(
        `Queue ${NAMES.queue} already existed with other settings: VisibilityTimeout 30 → 60`,
      );
      const { sqs } = clients(dev.connection);
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: NAMES.queue }));
      const { Attributes: attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['VisibilityTimeout'] }),
      );
      expect(attributes?.VisibilityTimeout).toBe('60');
      await sendListing(dev.connection, [FILES.png], receiver.url);
      await waitFor('the webhook', () => (receiver.received.length > 0 ? true : undefined));
      expect(receiver.received.map((w) => w.status)).toEqual([204]);
    } finally {
      await receiver.close();
      expect((await dev.stop()).code).toBe(0);
    }
  });
});
