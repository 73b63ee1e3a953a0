import { readFile, readdir, stat } from 'node:fs/promises';
import { get } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { HeadBucketCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookPayload, parse } from '@toq/contracts';
import type { WebhookReceiver } from '@toq/lambdas/webhook-receiver';
import type { ExecutionRecord, RequestRecord } from '../../src/dev/history.ts';
import {
  FILES,
  clients,
  dashboard,
  dashboardJson,
  sendListing,
  waitFor,
  type RunningDev,
  startDevWithReceiver,
  stopDevWithReceiver,
  verifiedWebhooks,
  CONNECTION_KEYS,
} from './support.ts';

type RequestRow = RequestRecord & { execution?: Pick<ExecutionRecord, 'name' | 'status'> };

let data: string;
let dev: RunningDev;
let receiver: WebhookReceiver;

beforeAll(async () => {
  ({ data, dev, receiver } = await startDevWithReceiver('service'));
});

afterAll(() => stopDevWithReceiver(dev, receiver));

const webhooksOf = (requestId: string) => verifiedWebhooks(receiver, requestId);

describe('npm run dev: the endpoint and connection.json', { timeout: 60_000 }, () => {
  it('writes connection.json with exactly the keys a backend needs, private to its owner', async () => {
    const file = join(data, 'connection.json');
    const connection = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;

    expect(Object.keys(connection).sort()).toEqual([...CONNECTION_KEYS]);
    expect(connection).toMatchObject({
      endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      region: 'us-east-1',
      bucket: 'toq-listing-medias-local',
      queueUrl: `${dev.connection.endpoint}/000000000000/listing-media-processing-local`,
      dlqUrl: `${dev.connection.endpoint}/000000000000/listing-media-processing-dlq-local`,
      webhookSecret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+={0,2}$/),
      dashboardUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/),
    });
    expect(connection['schemasUrl']).toBe(`${String(connection['dashboardUrl'])}schemas/`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // The same block on the console.
    for (const value of Object.values(connection)) expect(dev.output.stdout).toContain(value);
  });

  it('answers S3 and SQS with any access key, on 127.0.0.1 only', async () => {
    const { s3 } = clients(dev.connection);
    await expect(
      s3.send(new HeadBucketCommand({ Bucket: dev.connection.bucket })),
    ).resolves.toBeDefined();

    const port = Number(new URL(dev.connection.endpoint).port);
    const dashboardPort = Number(new URL(dev.connection.dashboardUrl).port);
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((a) => a !== undefined && !a.internal && a.family === 'IPv4')?.address;
    expect(outside, 'a non-loopback address of this machine').toBeDefined();
    for (const target of [port, dashboardPort]) {
      const refused = await new Promise<string>((resolve) => {
        const socket = connect(target, outside as string);
        socket.once('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      expect(refused, `${outside}:${target}`).toBe('ECONNREFUSED');
    }
  });

  it('serves the JSON Schemas of the contracts at schemasUrl', async () => {
    const index = await dashboardJson<{ file: string; url: string }[]>(dev.connection, 'schemas/');
    expect(index.map((s) => s.file)).toEqual(
      expect.arrayContaining(['processing-request.json', 'webhook-payload.json']),
    );
    const schema = await dashboard(dev.connection, 'schemas/webhook-payload.json');
    expect(schema.status).toBe(200);
    expect(schema.type).toBe('application/schema+json');
    expect(JSON.parse(schema.body.toString('utf8'))).toMatchObject({ title: 'WebhookPayload' });
    expect(index.find((s) => s.file === 'webhook-payload.json')?.url).toBe(
      `${dev.connection.schemasUrl}webhook-payload.json`,
    );
    expect((await dashboard(dev.connection, 'schemas/nope.json')).status).toBe(404);
  });

  it('answers only requests addressed to its loopback address (no DNS rebinding)', async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      get(
        new URL('api/requests', dev.connection.dashboardUrl),
        { headers: { host: 'attacker.example:80' } },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      ).on('error', reject);
    });
    expect(status).toBe(421);
    const outside = await dashboard(dev.connection, 'objects/..%2F..%2Fconnection.json');
    expect([outside.status, outside.body.toString('utf8')]).toEqual([
      404,
      expect.stringContaining('No object'),
    ]);
  });
});

describe('npm run dev: requests', { timeout: 180_000 }, () => {
  it('processes a request end to end: renditions, zip, one signed webhook, the history', async () => {
    // Prepare
    const files = [FILES.photo, FILES.png, FILES.broken];

    // Act
    const { request, messageId } = await sendListing(dev.connection, files, receiver.url);

    // Assess
    const [webhook] = await waitFor('the webhook', () => {
      const got = webhooksOf(request.requestId);
      return got.length > 0 ? got : undefined;
    });
    expect(webhook?.status).toBe(204);
    expect(webhook?.headers['webhook-id']).toBe(`msg_${request.listingId}_${request.requestId}`);
    const { data: result } = parse(WebhookPayload, webhook?.payload);
    expect(result).toMatchObject({
      listingId: request.listingId,
      status: 'partially_failed',
      summary: { total: 3, succeeded: 2, failed: 1 },
    });
    const { s3 } = clients(dev.connection);
    for (const item of result.media) {
      if (item.status !== 'succeeded') {
        expect(item.error.code).toBe('CORRUPT_IMAGE');
        continue;
      }
      for (const rendition of item.renditions) {
        const head = await s3.send(
          new HeadObjectCommand({ Bucket: dev.connection.bucket, Key: rendition.key }),
        );
        expect(head.ContentLength, rendition.key).toBe(rendition.bytes);
      }
    }
    const zipKey = result.zip?.key ?? '';
    const zip = await dashboard(dev.connection, `objects/${zipKey}`);
    expect([zip.status, zip.type, zip.length]).toEqual([
      200,
      'application/zip',
      String(result.zip?.bytes),
    ]);
    expect(zip.body.subarray(0, 2).toString()).toBe('PK');

    const name = `${request.listingId}_${request.requestId}`;
    const execution = await waitFor('the execution recorded', async () => {
      const record = await dashboardJson<ExecutionRecord>(dev.connection, `api/executions/${name}`);
      return record.status === 'SUCCEEDED' ? record : undefined;
    });
    expect(execution.deliveries.map((d) => [d.delivered, d.statusCode])).toEqual([[true, 204]]);
    expect(execution.result).toMatchObject({ status: 'partially_failed', total: 3, failed: 1 });
    expect(execution.states.map((s) => s.name)).toEqual(
      expect.arrayContaining(['Validate', 'RenderPhoto', 'BundleZip', 'Consolidate', 'Callback']),
    );
    for (const state of execution.states) {
      expect(state.status, state.name).not.toBe('running');
      expect(Date.parse(state.exitedAt ?? '') >= Date.parse(state.enteredAt), state.name).toBe(
        true,
      );
    }
    const requests = await dashboardJson<RequestRow[]>(dev.connection, 'api/requests');
    expect(requests.find((r) => r.messageId === messageId)).toMatchObject({
      outcome: 'started',
      executionName: name,
      execution: { status: 'SUCCEEDED' },
    });
    expect(dev.output.stdout).toContain(`message ${messageId}: request ${request.requestId}`);
    expect(dev.output.stdout).toMatch(new RegExp(`execution ${name} SUCCEEDED in .*HTTP 204`));
    const page = (await dashboard(dev.connection, '')).body.toString('utf8');
    expect(page).toContain(messageId);
    expect(page).toContain(name);
  });

  it('starts one execution for a request sent twice, and sends a message that can never parse to the DLQ with its reason', async () => {
    // Prepare
    const { sqs } = clients(dev.connection);
    const first = await sendListing(dev.connection, [FILES.png], receiver.url);
    const name = `${first.request.listingId}_${first.request.requestId}`;

    // Act
    const again = await sqs.send(
      new SendMessageCommand({
        QueueUrl: dev.connection.queueUrl,
        MessageBody: JSON.stringify(first.request),
      }),
    );
    const poison = await sqs.send(
      new SendMessageCommand({
        QueueUrl: dev.connection.queueUrl,
        MessageBody: '{"schemaVersion": 1, "listingId": "a/b"}',
      }),
    );

    // Assess
    const rows = await waitFor('both messages handled', async () => {
      const requests = await dashboardJson<RequestRow[]>(dev.connection, 'api/requests');
      const duplicate = requests.find((r) => r.messageId === again.MessageId);
      const invalid = requests.find((r) => r.messageId === poison.MessageId);
      return duplicate?.outcome !== 'received' && invalid?.outcome === 'invalid'
        ? { duplicate, invalid }
        : undefined;
    });
    expect(rows.duplicate).toMatchObject({ outcome: 'duplicate', executionName: name });
    expect(rows.invalid.reason).toContain('listingId');
    expect(rows.invalid.deadLetter).toBe('sent');
    await waitFor('the webhook', () =>
      webhooksOf(first.request.requestId).length ? true : undefined,
    );
    const letters = await waitFor('the dead letter', async () => {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dev.connection.dlqUrl,
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ['All'],
          VisibilityTimeout: 0,
        }),
      );
      const letter = out.Messages?.find(
        (m) => m.Body === '{"schemaVersion": 1, "listingId": "a/b"}',
      );
      return letter;
    });
    expect(letters.MessageAttributes?.['toq-error-code']?.StringValue).toBe('INVALID_INPUT');
    expect(dev.output.stdout).toContain(`message ${poison.MessageId} can never be processed`);
    expect(dev.output.stdout).toContain(`execution ${name} already exists`);
    // One execution: one webhook.
    expect(webhooksOf(first.request.requestId)).toHaveLength(1);
  });

  it('sends a finished execution’s webhook again from the dashboard', async () => {
    // Prepare
    const { request } = await sendListing(dev.connection, [FILES.png], receiver.url);
    const name = `${request.listingId}_${request.requestId}`;
    await waitFor('the execution recorded', async () => {
      const record = await dashboardJson<ExecutionRecord>(dev.connection, `api/executions/${name}`);
      return record.status === 'SUCCEEDED' && record.deliveries.length === 1 ? record : undefined;
    });

    // Act
    const resent = await dashboard(dev.connection, `api/executions/${name}/resend`, {
      method: 'POST',
    });

    // Assess
    expect(resent.status).toBe(200);
    expect(JSON.parse(resent.body.toString('utf8'))).toMatchObject({
      delivery: { delivered: true, statusCode: 204 },
    });
    const sent = webhooksOf(request.requestId);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.headers['webhook-id']).toBe(sent[0]?.headers['webhook-id']);
    const record = await dashboardJson<ExecutionRecord>(dev.connection, `api/executions/${name}`);
    expect(record.deliveries.map((d) => d.trigger)).toEqual(['execution', 'resend']);
    const foreign = await dashboard(dev.connection, `api/executions/${name}/resend`, {
      method: 'POST',
      headers: { origin: 'http://example.com' },
    });
    expect(foreign.status).toBe(403);
    const unknown = await dashboard(dev.connection, 'api/executions/nope/resend', {
      method: 'POST',
    });
    expect(unknown.status).toBe(404);
  });
});

describe('npm run dev: stopping', { timeout: 60_000 }, () => {
  it('stops on SIGTERM with exit 0, everything saved and connection.json removed, not half-written', async () => {
    // Act
    const exit = await dev.stop('SIGTERM');

    // Assess
    expect(exit.code).toBe(0);
    expect(exit.stdout).toMatch(/Stopped: everything is saved \(peak RSS \d+ MiB\)\./);
    expect(exit.stderr).toBe('');
    const left = await readdir(data);
    expect(left).not.toContain('connection.json');
    expect(left.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const history = join(data, 'history');
    JSON.parse(await readFile(join(history, 'requests.json'), 'utf8'));
    for (const file of await readdir(join(history, 'executions'))) {
      expect(file).toMatch(/\.json$/);
      expect(JSON.parse(await readFile(join(history, 'executions', file), 'utf8'))).toMatchObject({
        status: 'SUCCEEDED',
      });
    }
  });
});
