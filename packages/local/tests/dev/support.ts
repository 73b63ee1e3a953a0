import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { Webhook } from 'standardwebhooks';
import { WebhookPayload, parse, rawKey, type ProcessingRequestInput } from '@toq/contracts';
import { startWebhookReceiver, type WebhookReceiver } from '@toq/lambdas/webhook-receiver';
import type { Connection } from '../../src/dev/service.ts';

const ROOT = join(import.meta.dirname, '../../../..');
const BIN = join(ROOT, 'node_modules/.bin');

/** The small files the tests upload (from the repository's fixtures and sample listing). */
export const FILES = {
  photo: join(ROOT, 'fixtures/exif-orientation/Landscape_6.jpg'),
  png: join(ROOT, 'samples/listing/floor-plan.png'),
  broken: join(ROOT, 'samples/listing/broken.jpg'),
} as const;

/** A fresh data folder. */
export function dataDir(name: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `toq-dev-${name}-`));
}

/**
 * Polls `probe` until it returns something other than undefined (generous: a slow 2-core
 * machine), then returns it.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** `npm run dev` as the root script runs it: tsx with the @toq/source condition, Node 24 first. */
async function devCommand(): Promise<{ command: string; args: string[] }> {
  const script = (
    JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: { dev: string };
    }
  ).scripts.dev;
  const [command = '', ...args] = script.split(' ');
  return { command: join(BIN, command), args };
}

/** The services a test started and has not stopped (a test that timed out, say). */
const started = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});

async function spawnDev(args: readonly string[], env: Readonly<Record<string, string>> = {}) {
  const { command, args: fixed } = await devCommand();
  const child = spawn(command, [...fixed, ...args], {
    cwd: ROOT,
    env: { ...process.env, PATH: `${BIN}:${process.env['PATH'] ?? ''}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  child.on('exit', () => started.delete(child));
  return child;
}

/** A finished run of the command. */
export interface DevExit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function collect(child: ChildProcess) {
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<DevExit>((resolve) =>
    child.on('exit', (code) => resolve({ code, ...output })),
  );
  return { output, exited };
}

/** Runs `npm run dev -- …args` to its end (for the commands that must refuse to start). */
export async function runDev(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<DevExit> {
  return collect(await spawnDev(args, env)).exited;
}

/** A running `npm run dev`. */
export interface RunningDev {
  readonly connection: Connection;
  readonly child: ChildProcess;
  /** What it printed so far. */
  readonly output: { readonly stdout: string; readonly stderr: string };
  /** Sends `signal` and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<DevExit>;
}

/**
 * Starts `npm run dev -- --data {data} --port 0 --dashboard-port 0 …args` and waits for
 * `{data}/connection.json` (written once everything answers).
 */
export async function startDev(
  data: string,
  args: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
): Promise<RunningDev> {
  const child = await spawnDev(
    ['--data', data, '--port', '0', '--dashboard-port', '0', ...args],
    env,
  );
  const { output, exited } = collect(child);
  let ended: DevExit | undefined;
  void exited.then((exit) => (ended = exit));
  const connection = await waitFor('connection.json', async () => {
    if (ended) {
      throw new Error(`npm run dev exited ${ended.code}: ${ended.stderr}${ended.stdout}`);
    }
    try {
      return JSON.parse(await readFile(join(data, 'connection.json'), 'utf8')) as Connection;
    } catch {
      return undefined;
    }
  });
  return {
    connection,
    child,
    output,
    stop: (signal = 'SIGTERM') => {
      child.kill(signal);
      return exited;
    },
  };
}

/** S3 (path-style) and SQS clients on the service's endpoint, with any key at all. */
export function clients(connection: Connection) {
  const aws = {
    region: connection.region,
    endpoint: connection.endpoint,
    credentials: { accessKeyId: `any-${randomUUID()}`, secretAccessKey: 'anything' },
  };
  return { s3: new S3Client({ ...aws, forcePathStyle: true }), sqs: new SQSClient(aws) };
}

/**
 * What a backend does: uploads `files` to their raw keys of a new listing and sends a
 * `ProcessingRequest` calling back `callbackUrl`.
 *
 * @returns the request (its ids) and the message id.
 */
export async function sendListing(
  connection: Connection,
  files: readonly string[],
  callbackUrl: string,
  requestId = `req-${randomUUID().slice(0, 8)}`,
): Promise<{ request: ProcessingRequestInput; messageId: string }> {
  const { s3, sqs } = clients(connection);
  const listingId = randomUUID();
  const media: ProcessingRequestInput['media'] = [];
  for (const file of files) {
    const mediaId = randomUUID();
    const ext = file.endsWith('.png') ? 'png' : 'jpg';
    await s3.send(
      new PutObjectCommand({
        Bucket: connection.bucket,
        Key: rawKey({ listingId, mediaType: 'photo', mediaId, ext }),
        Body: await readFile(file),
        ContentType: ext === 'png' ? 'image/png' : 'image/jpeg',
      }),
    );
    media.push({ mediaId, mediaType: 'photo', ext, bytes: (await stat(file)).size });
  }
  const request = {
    schemaVersion: 1 as const,
    requestId,
    listingId,
    media,
    callback: { url: callbackUrl },
  };
  const { MessageId } = await sqs.send(
    new SendMessageCommand({ QueueUrl: connection.queueUrl, MessageBody: JSON.stringify(request) }),
  );
  return { request, messageId: MessageId ?? '' };
}

/** One POST a holding receiver got. */
export interface HeldWebhook {
  readonly headers: IncomingHttpHeaders;
  /** The payload, when the signature verified. */
  readonly payload?: unknown;
  /** False for the POSTs it held without answering. */
  readonly answered: boolean;
}

/**
 * A backend that verifies each webhook (Standard Webhooks, the secret of `connection.json`) and
 * holds every one without answering (so that the `Callback` state is still running when the
 * service is stopped) until `answer()`; from then on it answers 204.
 */
export async function startHoldingReceiver(secret: string) {
  const verifier = new Webhook(secret);
  const received: HeldWebhook[] = [];
  let holding = true;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let payload: unknown;
      try {
        payload = verifier.verify(
          Buffer.concat(chunks).toString('utf8'),
          req.headers as Record<string, string>,
        );
      } catch {
        payload = undefined;
      }
      received.push({ headers: req.headers, payload, answered: !holding });
      if (!holding) res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/media`,
    received,
    answer: () => {
      holding = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** GET (or POST) a dashboard path: the status, headers and body. */
export async function dashboard(
  connection: Connection,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; type: string | null; length: string | null; body: Buffer }> {
  const response = await fetch(new URL(path, connection.dashboardUrl), init);
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    length: response.headers.get('content-length'),
    body: Buffer.from(await response.arrayBuffer()),
  };
}

/** The dashboard's JSON at `path`. */
export async function dashboardJson<T>(connection: Connection, path: string): Promise<T> {
  return JSON.parse((await dashboard(connection, path)).body.toString('utf8')) as T;
}

/** A test file's service and the webhook receiver that verifies with its secret. */
export interface DevWithReceiver {
  readonly data: string;
  readonly dev: RunningDev;
  readonly receiver: WebhookReceiver;
}

/** Starts the service on a fresh data folder named after `name`, and a receiver for its webhooks. */
export async function startDevWithReceiver(name: string): Promise<DevWithReceiver> {
  const data = await dataDir(name);
  const dev = await startDev(data);
  const receiver = await startWebhookReceiver({ secret: dev.connection.webhookSecret });
  return { data, dev, receiver };
}

/** Stops what {@link startDevWithReceiver} started (either may be missing after a failed start). */
export async function stopDevWithReceiver(
  dev: RunningDev | undefined,
  receiver: WebhookReceiver | undefined,
): Promise<void> {
  await receiver?.close();
  if (dev?.child.exitCode === null) await dev.stop();
}

/** The webhooks of one request the receiver got with a valid signature, so far. */
export function verifiedWebhooks(receiver: WebhookReceiver, requestId: string) {
  return receiver.received.filter(
    (w) => w.payload !== undefined && parse(WebhookPayload, w.payload).data.requestId === requestId,
  );
}

/** The keys of `{data}/connection.json`, exactly: all a backend (and the examples) may rely on. */
export const CONNECTION_KEYS = [
  'bucket',
  'dashboardUrl',
  'dlqUrl',
  'endpoint',
  'queueUrl',
  'region',
  'schemasUrl',
  'webhookSecret',
] as const;
