import { HeadObjectCommand } from '@aws-sdk/client-s3';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookReceiver } from '@toq/lambdas/webhook-receiver';
import type { ExecutionRecord, RequestRecord } from '../../src/dev/history.ts';
import {
  FILES,
  clients,
  dashboardJson,
  sendListing,
  startDev,
  startHoldingReceiver,
  waitFor,
  type RunningDev,
  startDevWithReceiver,
  stopDevWithReceiver,
  verifiedWebhooks,
} from './support.ts';

const POISON = '{"schemaVersion": 1, "requestId": "never"}';

let data: string;
let dev: RunningDev;
let receiver: WebhookReceiver;

beforeAll(async () => {
  ({ data, dev, receiver } = await startDevWithReceiver('restart'));
});

afterAll(() => stopDevWithReceiver(dev, receiver));

const webhooksOf = (requestId: string) => verifiedWebhooks(receiver, requestId);

const execution = (name: string) =>
  dashboardJson<ExecutionRecord>(dev.connection, `api/executions/${name}`);

/** Stops the service (SIGTERM, exit 0) and starts it again on the same data folder. */
async function restart(): Promise<void> {
  const exit = await dev.stop('SIGTERM');
  expect(exit.code, exit.stderr).toBe(0);
  dev = await startDev(data);
}

describe('npm run dev: stop, start again', { timeout: 240_000 }, () => {
  it('keeps the objects, the history, the DLQ and the webhook secret', async () => {
    // Prepare
    const { request, messageId } = await sendListing(dev.connection, [FILES.png], receiver.url);
    const name = `${request.listingId}_${request.requestId}`;
    await waitFor('the execution', async () =>
      (await execution(name)).status === 'SUCCEEDED' ? true : undefined,
    );
    const poison = await clients(dev.connection).sqs.send(
      new SendMessageCommand({ QueueUrl: dev.connection.queueUrl, MessageBody: POISON }),
    );
    await waitFor('the poison message handled', async () => {
      const requests = await dashboardJson<RequestRecord[]>(dev.connection, 'api/requests');
      return requests.find((r) => r.messageId === poison.MessageId)?.outcome === 'invalid'
        ? true
        : undefined;
    });
    const secret = dev.connection.webhookSecret;
    const zipKey = (await execution(name)).result?.zipKey ?? '';

    // Act
    await restart();

    // Assess
    expect(dev.connection.webhookSecret).toBe(secret);
    const requests = await dashboardJson<RequestRecord[]>(dev.connection, 'api/requests');
    expect(requests.map((r) => r.messageId)).toEqual(
      expect.arrayContaining([messageId, poison.MessageId]),
    );
    expect(await execution(name)).toMatchObject({ status: 'SUCCEEDED', runs: 1 });
    const { s3, sqs } = clients(dev.connection);
    const zip = await s3.send(
      new HeadObjectCommand({ Bucket: dev.connection.bucket, Key: zipKey }),
    );
    expect(zip.ContentLength).toBeGreaterThan(0);
    const letters = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dev.connection.dlqUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
      }),
    );
    expect(letters.Messages?.map((m) => m.Body)).toContain(POISON);
    expect(webhooksOf(request.requestId)).toHaveLength(1);
  });

  it('processes a message sent right before SIGTERM exactly once, after the restart at the latest', async () => {
    // Prepare
    const { request } = await sendListing(dev.connection, [FILES.png], receiver.url);
    const name = `${request.listingId}_${request.requestId}`;

    // Act
    await restart();

    // Assess
    await waitFor('the execution', async () =>
      (await execution(name)).status === 'SUCCEEDED' ? true : undefined,
    );
    const { sqs } = clients(dev.connection);
    await waitFor('the queue empty', async () => {
      const { Attributes: counts } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: dev.connection.queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return counts?.ApproximateNumberOfMessages === '0' &&
        counts.ApproximateNumberOfMessagesNotVisible === '0'
        ? true
        : undefined;
    });
    expect(webhooksOf(request.requestId)).toHaveLength(1);
    expect(await execution(name)).toMatchObject({
      status: 'SUCCEEDED',
      deliveries: [{ delivered: true }],
    });
  });

  it('resumes an execution the stop interrupted, under its name, and delivers its webhook once', async () => {
    // Prepare: a backend that holds the webhook, so Callback is running at the stop.
    const backend = await startHoldingReceiver(dev.connection.webhookSecret);
    try {
      const { request } = await sendListing(dev.connection, [FILES.png], backend.url);
      const name = `${request.listingId}_${request.requestId}`;
      await waitFor('the first webhook', () => (backend.received.length > 0 ? true : undefined));

      // Act
      const stopped = await dev.stop('SIGTERM');
      backend.answer();
      dev = await startDev(data);

      // Assess
      expect(stopped.code).toBe(0);
      expect(stopped.stdout).toContain(`execution ${name} interrupted by the stop`);
      expect(dev.output.stdout).toContain(`resuming execution ${name}`);
      const resumed = await waitFor('the resumed execution', async () => {
        const record = await execution(name);
        return record.status === 'SUCCEEDED' ? record : undefined;
      });
      expect(resumed.runs).toBe(2);
      expect(resumed.deliveries.map((d) => [d.delivered, d.statusCode])).toEqual([[true, 204]]);
      expect(
        resumed.states.filter((s) => s.name === 'Callback').map((s) => [s.run, s.status]),
      ).toEqual([
        [1, 'interrupted'],
        [2, 'succeeded'],
      ]);
      // Held (the attempts the stop cut short, unanswered), then delivered once after the resume.
      expect(backend.received.map((w) => w.answered)).toEqual([
        ...backend.received.slice(1).map(() => false),
        true,
      ]);
      expect(backend.received.every((w) => w.payload !== undefined)).toBe(true);
      expect(new Set(backend.received.map((w) => w.headers['webhook-id']))).toEqual(
        new Set([`msg_${name}`]),
      );
    } finally {
      await backend.close();
    }
  });
});
