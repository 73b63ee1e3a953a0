import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { rawKey } from '@toq/contracts';
import { startWebhookReceiver } from '@toq/lambdas/webhook-receiver';
import type { ExecutionRecord, RequestRecord } from '../../src/dev/history.ts';
import {
  FILES,
  clients,
  dashboardJson,
  dataDir,
  startDev,
  waitFor,
  type RunningDev,
} from './support.ts';

const REQUESTS = 50;
const REPEATED = 10;
const NEVER = ['not json at all', '{"schemaVersion": 1, "listingId": "../etc"}'];

let dev: RunningDev | undefined;

afterAll(async () => {
  if (dev?.child.exitCode === null) await dev.stop();
});

describe('npm run dev under load, stopped in the middle', { timeout: 400_000 }, () => {
  it('ends every request in exactly one webhook, the unparseable ones in the DLQ, across a SIGTERM', async () => {
    // Prepare
    const data = await dataDir('load');
    dev = await startDev(data);
    const receiver = await startWebhookReceiver({ secret: dev.connection.webhookSecret });
    try {
      const { s3, sqs } = clients(dev.connection);
      const photo = await readFile(FILES.photo);
      const bytes = (await stat(FILES.photo)).size;
      const bodies: string[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        const listingId = randomUUID();
        const mediaId = randomUUID();
        await s3.send(
          new PutObjectCommand({
            Bucket: dev.connection.bucket,
            Key: rawKey({ listingId, mediaType: 'photo', mediaId, ext: 'jpg' }),
            Body: photo,
            ContentType: 'image/jpeg',
          }),
        );
        bodies.push(
          JSON.stringify({
            schemaVersion: 1,
            requestId: `load-${i}`,
            listingId,
            media: [{ mediaId, mediaType: 'photo', ext: 'jpg', bytes }],
            callback: { url: receiver.url },
          }),
        );
      }
      // Every request, some of them twice (as SQS may deliver them), and two that never parse.
      const messages = [...bodies, ...bodies.slice(0, REPEATED), ...NEVER];

      // Act
      for (let i = 0; i < messages.length; i += 10) {
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: dev.connection.queueUrl,
            Entries: messages
              .slice(i, i + 10)
              .map((body, j) => ({ Id: `m${j}`, MessageBody: body })),
          }),
        );
      }
      await waitFor('a few webhooks', () => (receiver.received.length >= 3 ? true : undefined));
      const stopped = await dev.stop('SIGTERM');
      dev = await startDev(data);

      // Assess
      expect(stopped.code, stopped.stderr).toBe(0);
      const connection = dev.connection;
      const delivered = () =>
        new Set(
          receiver.received
            .filter((w) => w.payload !== undefined && w.status === 204)
            .map((w) => w.headers['webhook-id']),
        );
      await waitFor(
        'every webhook',
        () => (delivered().size === REQUESTS ? true : undefined),
        300_000,
      );
      await waitFor('the queue empty and every execution stopped', async () => {
        const { Attributes: counts } = await clients(connection).sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: connection.queueUrl,
            AttributeNames: [
              'ApproximateNumberOfMessages',
              'ApproximateNumberOfMessagesNotVisible',
            ],
          }),
        );
        const requests = await dashboardJson<(RequestRecord & { execution?: ExecutionRecord })[]>(
          connection,
          'api/requests',
        );
        const idle =
          counts?.ApproximateNumberOfMessages === '0' &&
          counts.ApproximateNumberOfMessagesNotVisible === '0' &&
          requests.every((r) => r.execution === undefined || r.execution.status === 'SUCCEEDED');
        return idle ? requests : undefined;
      });
      const perWebhook = new Map<unknown, number>();
      for (const webhook of receiver.received) {
        if (webhook.status !== 204) continue;
        const id = webhook.headers['webhook-id'];
        perWebhook.set(id, (perWebhook.get(id) ?? 0) + 1);
      }
      expect([...perWebhook.values()].filter((count) => count !== 1)).toEqual([]);
      expect(perWebhook.size).toBe(REQUESTS);

      const requests = await dashboardJson<RequestRecord[]>(connection, 'api/requests');
      const outcomes = requests.reduce<Record<string, number>>((counts, r) => {
        counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
        return counts;
      }, {});
      expect(outcomes).toEqual({ started: REQUESTS, duplicate: REPEATED, invalid: NEVER.length });

      const letters = await clients(connection).sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: connection.dlqUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
        }),
      );
      expect(letters.Messages?.map((m) => m.Body).sort()).toEqual([...NEVER].sort());
      const peak = /peak RSS (\d+) MiB/.exec(stopped.stdout)?.[1];
      expect(Number(peak)).toBeGreaterThan(0);
      console.log(`npm run dev under load: peak RSS ${peak} MiB before the stop`);
    } finally {
      await receiver.close();
    }
  });
});
