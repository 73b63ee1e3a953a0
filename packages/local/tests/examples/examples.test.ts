import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebhookPayload, parse } from '@toq/contracts';
import { startWebhookReceiver } from '@toq/lambdas/webhook-receiver';
import { everyOnPath } from '../../../../tools/testing/executables.ts';
import { CONNECTION_KEYS } from '../dev/support.ts';

/**
 * The backend examples of `examples/` run against the real `npm run dev`, as a backend engineer
 * runs them (examples/README.md). They need python3 with boto3, the AWS CLI and jq, which Node
 * and npm do not bring: on a machine without them the examples are skipped, NOT RUN, with the
 * command that installs them (CI installs them, `.ci/run`).
 */

const ROOT = join(import.meta.dirname, '../../../..');
const BIN = join(ROOT, 'node_modules/.bin');
const PYTHON_EXAMPLE = join(ROOT, 'examples/python/process_listing.py');
const AWS_CLI_EXAMPLE = join(ROOT, 'examples/aws-cli/send-listing.sh');
const SAMPLE_LISTING = join(ROOT, 'samples/listing');

type Connection = Record<(typeof CONNECTION_KEYS)[number], string>;

const run = promisify(execFile);

/** The first of `candidates` that runs `args` successfully, or undefined. */
async function firstThatRuns(candidates: readonly string[], args: readonly string[]) {
  for (const candidate of candidates) {
    try {
      await run(candidate, args);
      return candidate;
    } catch {
      // not this one: a shim without the tool, or a Python without boto3
    }
  }
  return undefined;
}

const python = await firstThatRuns(everyOnPath('python3'), ['-c', 'import boto3']);
const aws = await firstThatRuns(everyOnPath('aws'), ['--version']);
const jq = await firstThatRuns(everyOnPath('jq'), ['--version']);
const pythonHasJsonSchema =
  python !== undefined && (await firstThatRuns([python], ['-c', 'import jsonschema'])) === python;

const canRunPython = python !== undefined;
const canRunAwsCli = aws !== undefined && jq !== undefined;
if (!canRunPython || !canRunAwsCli) {
  const missing = [
    ...(python ? [] : ['python3 with boto3']),
    ...(aws ? [] : ['the AWS CLI']),
    ...(jq ? [] : ['jq']),
  ];
  console.warn(
    `Backend examples NOT RUN (missing: ${missing.join(', ')}): apt-get install -y python3-boto3 awscli${jq ? '' : ' jq'}`,
  );
}

/** A test's title; when it cannot run here, with the command that installs what it needs. */
function titled(title: string, runs: boolean, packages: string): string {
  return runs ? title : `${title} (NOT RUN: apt-get install -y ${packages})`;
}

/** `npm run dev` in a process group of its own, on free ports, with its data in a scratch folder. */
interface DevService {
  readonly connection: Connection;
  readonly connectionFile: string;
  stop(): Promise<void>;
}

async function startDevService(): Promise<DevService> {
  const data = await mkdtemp(join(tmpdir(), 'toq-examples-dev-'));
  const args = ['run', 'dev', '--', '--data', data, '--port', '0', '--dashboard-port', '0'];
  const child = spawn('npm', args, {
    cwd: ROOT,
    detached: true, // its own process group: stopping it stops tsx and the service under npm
    env: { ...process.env, PATH: `${BIN}${delimiter}${process.env['PATH'] ?? ''}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close': npm, tsx and the service have all exited (npm dies of the signal at once, the
  // service after saving everything, still holding the output pipes).
  let running = true;
  const closed = new Promise<void>((resolve) =>
    child.once('close', () => {
      running = false;
      resolve();
    }),
  );
  const stop = async () => {
    // The whole group, as Ctrl-C in a terminal: npm does not pass a signal on to its script.
    try {
      if (running && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    } catch {
      // the group ended between the check and the signal
    }
    await closed;
    await rm(data, { recursive: true, force: true });
  };

  // The service writes connection.json (atomically) once its endpoints answer.
  const connectionFile = join(data, 'connection.json');
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(
        `npm run dev exited (${child.exitCode ?? child.signalCode}) before writing ${connectionFile}:\n${output}`,
      );
    }
    try {
      const connection = JSON.parse(await readFile(connectionFile, 'utf8')) as Connection;
      return { connection, connectionFile, stop };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await sleep(200);
  }
}

/** Runs an example; its exit code and output, whatever the code. */
async function runExample(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run(file, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      timeout: 280_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number | string; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

let dev: DevService | undefined;

beforeAll(async () => {
  if (canRunPython || canRunAwsCli) dev = await startDevService();
}, 120_000);

afterAll(async () => {
  await dev?.stop();
});

/** The running service (the examples that need it run only when it was started). */
function service(): DevService {
  if (dev === undefined) throw new Error('npm run dev was not started');
  return dev;
}

describe('the backend examples against npm run dev', () => {
  it.skipIf(!canRunPython && !canRunAwsCli)(
    titled(
      'npm run dev writes connection.json with exactly the keys the examples read',
      canRunPython || canRunAwsCli,
      'python3-boto3 awscli',
    ),
    () => {
      expect(Object.keys(service().connection).sort()).toEqual([...CONNECTION_KEYS]);
    },
  );

  it.skipIf(!canRunPython)(
    titled(
      'examples/python: uploads the sample listing, receives the webhook, verifies and validates it',
      canRunPython,
      'python3-boto3',
    ),
    async () => {
      // Prepare
      const { connection, connectionFile } = service();

      // Act: the sample listing, as the README runs it
      const { code, stdout, stderr } = await runExample(python ?? '', [
        PYTHON_EXAMPLE,
        connectionFile,
        '--timeout',
        '240',
      ]);

      // Assess
      expect(code, `${stdout}\n${stderr}`).toBe(0);
      expect(stdout).toContain(`Uploaded 15 files to s3://${connection.bucket}/`);
      expect(stdout).toContain('(skipped: LICENSE)');
      const checked = (name: string) =>
        pythonHasJsonSchema
          ? `valid against ${connection.schemasUrl}${name}`
          : 'schema NOT CHECKED: jsonschema is not installed';
      expect(stdout).toMatch(/^Sent request py-\w+ \(SQS message \S+\), /m);
      expect(stdout).toContain(checked('processing-request.json'));
      expect(stdout).toContain(`signature valid, body ${checked('webhook-payload.json')}`);
      expect(stdout).toContain('Listing partially_failed: 14 of 15 media processed, 1 failed');
      expect(stdout).toMatch(/✗ broken\.jpg: CORRUPT_IMAGE/);
      expect(stdout).toMatch(/^Zip: \S+\/processed\/zip\/\S+\.zip \(\d+ entries, \d+ bytes\)$/m);
    },
    300_000,
  );

  it.skipIf(!pythonHasJsonSchema)(
    titled(
      'examples/python: a listing id the schema refuses is one line and exit 2, before any upload',
      pythonHasJsonSchema,
      'python3-boto3 python3-jsonschema',
    ),
    async () => {
      const { connection, connectionFile } = service();

      const { code, stdout, stderr } = await runExample(python ?? '', [
        PYTHON_EXAMPLE,
        connectionFile,
        '--listing-id',
        'flat/12',
      ]);

      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.trimEnd().split('\n')).toEqual([
        expect.stringContaining(
          `process_listing: the request does not match ${connection.schemasUrl}processing-request.json at listingId: `,
        ),
      ]);
      const s3 = new S3Client({
        endpoint: connection.endpoint,
        region: connection.region,
        forcePathStyle: true,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      const listed = await s3.send(
        new ListObjectsV2Command({ Bucket: connection.bucket, Prefix: 'flat/' }),
      );
      expect(listed.KeyCount).toBe(0);
    },
  );

  it.skipIf(!canRunAwsCli)(
    titled(
      'examples/aws-cli: uploads a listing and sends its request; the signed webhook arrives',
      canRunAwsCli,
      jq ? 'awscli' : 'awscli jq',
    ),
    async () => {
      // Prepare
      const { connection, connectionFile } = service();
      const receiver = await startWebhookReceiver({ secret: connection.webhookSecret });
      const folder = await mkdtemp(join(tmpdir(), 'toq-examples-listing-'));
      for (const name of ['Landscape_3.jpg', 'Portrait_5.jpg', 'LICENSE']) {
        await copyFile(join(SAMPLE_LISTING, name), join(folder, name));
      }
      const listingId = 'apartment-12'; // an opaque id, as a backend's own ids are
      const requestId = 'cli-example-1';

      try {
        // Act
        const { code, stdout, stderr } = await runExample(
          'bash',
          [AWS_CLI_EXAMPLE, connectionFile, receiver.url, folder],
          {
            // The AWS CLI and jq that were found, first: the script calls them by name.
            PATH: [dirname(aws ?? ''), dirname(jq ?? ''), process.env['PATH']].join(delimiter),
            LISTING_ID: listingId,
            REQUEST_ID: requestId,
          },
        );

        // Assess
        expect(code, `${stdout}\n${stderr}`).toBe(0);
        expect(stdout).toMatch(/^\S+\n$/); // the message id alone
        expect(stderr).toContain(
          `Uploaded 2 files to s3://${connection.bucket}/${listingId}/raw/ (skipped: LICENSE)`,
        );
        await vi.waitFor(() => expect(receiver.received).not.toHaveLength(0), {
          timeout: 240_000,
          interval: 250,
        });
        const [webhook] = receiver.received;
        expect(webhook?.verificationError).toBeUndefined();
        const { data } = parse(WebhookPayload, webhook?.payload);
        expect(data).toMatchObject({
          listingId,
          requestId,
          status: 'succeeded',
          summary: { total: 2, succeeded: 2, failed: 0 },
          zip: { key: `${listingId}/processed/zip/${listingId}.zip` },
        });
      } finally {
        await receiver.close();
        await rm(folder, { recursive: true, force: true });
      }
    },
    300_000,
  );
});
