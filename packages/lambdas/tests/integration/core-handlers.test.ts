import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  ListingMediaResult,
  ValidationReport,
  WebhookPayload,
  parse,
  rawKey,
  type ProcessingRequestInput,
} from '@toq/contracts';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { HttpWebhookSender } from '../../src/adapters/http-webhook-sender.ts';
import { S3ObjectStore } from '../../src/adapters/s3-object-store.ts';
import { SecretsManagerSecretSource } from '../../src/adapters/secrets-manager-secret-source.ts';
import { systemClock } from '../../src/adapters/system-clock.ts';
import { itemStateKey } from '../../src/domain/state-keys.ts';
import { createCallbackHandler } from '../../src/functions/callback.ts';
import { SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { DEAD_LETTER_ATTRIBUTES } from '../../src/adapters/sqs-dead-letter-queue.ts';
import {
  createTestBucket,
  createTestQueue,
  localClientConfig,
  localS3Client,
  localSqsClient,
  receiveAll,
  s3FunctionEnv,
  useLocalhostDns,
} from '../setup/aws.ts';
import { startAwsJsonServer } from '../setup/aws-json-server.ts';
import {
  LISTING_ID,
  PHOTO_2_ID,
  PHOTO_ID,
  REQUEST_ID,
  SCOPE,
  VIDEO_ID,
  sampleRequest,
  silentLogger,
  thumbnailRendition,
} from '../setup/fixtures.ts';
import { startWebhookReceiver } from '../../src/adapters/webhook-receiver.ts';
import { fixturePath } from '../../../../tools/testing/fixtures.ts';
import type * as StartModule from '../../src/handlers/start.ts';
import type * as ValidateModule from '../../src/handlers/validate.ts';
import type * as ConsolidateModule from '../../src/handlers/consolidate.ts';
import type * as CallbackModule from '../../src/handlers/callback.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const STATE_MACHINE =
  'arn:aws:states:us-east-1:058264253741:stateMachine:listing-media-processing-staging';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:058264253741:secret:toq-webhook-AbCdEf';
const MISSING_ID = '3eaf4d85-4c3b-4fab-8d84-9c9a5dadcf43';
const PREFIX = `_pipeline/${LISTING_ID}/${REQUEST_ID}/`;

let bucket: string;
let store: S3ObjectStore;
const sqs = localSqsClient();
/** The ingest queue and its DLQ, in fauxqs. */
let queueUrl: string;
let deadLetterQueueUrl: string;
let aws: Awaited<ReturnType<typeof startAwsJsonServer>>;
let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;
const executions = new Map<string, string>();

/** The AWS JSON-protocol stand-in: Step Functions remembers names; Secrets Manager has one secret. */
function answer(call: { target: string; body: Record<string, unknown> }) {
  if (call.target === 'AWSStepFunctions.StartExecution') {
    const name = String(call.body['name']);
    if (executions.has(name)) {
      return {
        status: 400,
        body: { __type: 'ExecutionAlreadyExists', message: `Execution Already Exists: '${name}'` },
      };
    }
    executions.set(name, String(call.body['input']));
    return {
      status: 200,
      body: { executionArn: `${STATE_MACHINE}:${name}`, startDate: 1_700_000_000 },
    };
  }
  if (call.target === 'secretsmanager.GetSecretValue') {
    return { status: 200, body: { ARN: SECRET_ARN, Name: 'toq-webhook', SecretString: SECRET } };
  }
  return { status: 400, body: { __type: 'UnknownOperationException', message: call.target } };
}

/** An SQS record shaped exactly as the event source mapping delivers it. */
function sqsRecord(body: string, receiveCount = 1): SQSRecord {
  return {
    messageId: randomUUID(),
    receiptHandle: `AQEB${randomUUID()}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '1761998400000',
      SenderId: 'AROAEXAMPLE:toq-backend',
      ApproximateFirstReceiveTimestamp: '1761998400100',
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:058264253741:listing-media-processing-staging',
    awsRegion: 'us-east-1',
  };
}

/** A message received from a real queue, as the event source mapping hands it to Lambda. */
function recordOf(message: Message): SQSRecord {
  return {
    ...sqsRecord(message.Body ?? ''),
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    md5OfBody: message.MD5OfBody ?? '',
  };
}

async function fileAt(key: string): Promise<Buffer> {
  return store.getBuffer(key);
}

async function json(key: string): Promise<unknown> {
  return JSON.parse((await fileAt(key)).toString('utf8'));
}

/** Imports a handler module afresh, as a cold start does. */
async function coldStart<T>(path: string): Promise<T> {
  vi.resetModules();
  return (await import(path)) as T;
}

// The Lambda modules on a fauxqs bucket with the SDK's defaults, as on AWS: virtual-hosted-style
// requests to `<bucket>.s3.localhost`, which resolves to 127.0.0.1 while this file runs.
useLocalhostDns();

beforeAll(async () => {
  const client = localS3Client();
  bucket = await createTestBucket(client);
  store = new S3ObjectStore(client, bucket);
  aws = await startAwsJsonServer(answer);
  webhook = await startWebhookReceiver({ secret: SECRET, statuses: [200] });
  queueUrl = await createTestQueue(sqs, 'ingest');
  deadLetterQueueUrl = await createTestQueue(sqs, 'ingest-dlq');
});
afterAll(async () => {
  await aws.close();
  await webhook.close();
  sqs.destroy();
});

beforeEach(() => {
  vi.unstubAllEnvs();
  for (const [name, value] of Object.entries({
    ...s3FunctionEnv(bucket),
    LOG_LEVEL: 'SILENT',
    STATE_MACHINE_ARN: STATE_MACHINE,
    WEBHOOK_SECRET_ARN: SECRET_ARN,
    CALLBACK_ALLOWED_HOSTS: 'api.example.com',
    AWS_ENDPOINT_URL_SFN: aws.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
    AWS_ENDPOINT_URL_SQS: inject('awsEndpoint'),
    DEAD_LETTER_QUEUE_URL: deadLetterQueueUrl,
  })) {
    vi.stubEnv(name, value);
  }
});

describe('core handlers end to end, S3 bucket (fauxqs, SDK defaults)', () => {
  let request: ProcessingRequestInput;
  let rawHashes: Map<string, string>;

  beforeAll(async () => {
    // Prepare the bucket: a real JPEG, a "PNG" that is really a JPEG, an MP4's header boxes; one item missing.
    const jpeg = await readFile(fixturePath('exif-orientation', 'Landscape_1.jpg'));
    // ftyp, then a moov whose mvhd declares 4 s (1000 units a second), then stand-in media data
    const mvhd = Buffer.alloc(108);
    mvhd.writeUInt32BE(108, 0);
    mvhd.write('mvhd', 4, 'latin1');
    mvhd.writeUInt32BE(1000, 20);
    mvhd.writeUInt32BE(4000, 24);
    const moovHeader = Buffer.alloc(8);
    moovHeader.writeUInt32BE(8 + mvhd.length, 0);
    moovHeader.write('moov', 4, 'latin1');
    const mp4 = Buffer.concat([
      Buffer.from('00000018667479706d703432000000006d70343269736f6d', 'hex'),
      moovHeader,
      mvhd,
      Buffer.alloc(4096, 7),
    ]);
    const raw = [
      [
        rawKey({ listingId: LISTING_ID, mediaType: 'photo', mediaId: PHOTO_ID, ext: 'jpg' }),
        jpeg,
        'image/jpeg',
      ],
      [
        rawKey({ listingId: LISTING_ID, mediaType: 'photo', mediaId: PHOTO_2_ID, ext: 'png' }),
        jpeg,
        'image/png',
      ],
      [
        rawKey({ listingId: LISTING_ID, mediaType: 'video', mediaId: VIDEO_ID, ext: 'mp4' }),
        mp4,
        'video/mp4',
      ],
    ] as const;
    rawHashes = new Map();
    for (const [key, body, contentType] of raw) {
      await store.put(key, body, { contentType });
      rawHashes.set(key, createHash('sha256').update(body).digest('hex'));
    }
    const base = sampleRequest();
    request = {
      ...base,
      media: [...base.media, { mediaId: MISSING_ID, mediaType: 'photo', ext: 'jpg' }],
      callback: { url: webhook.url },
    };
  });

  it('start: starts one execution per good message, sends the ones that can never parse to the DLQ with their reason, and counts a redelivery as done', async () => {
    // Prepare: three messages sent to the real queue, received as the event source mapping does
    const { handler } = await coldStart<typeof StartModule>('../../src/handlers/start.ts');
    const bodies = {
      bad: JSON.stringify({ ...request, listingId: 'not/a-listing' }),
      good: JSON.stringify(request),
      garbage: 'this is not json',
    };
    for (const body of Object.values(bodies)) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    }
    const received = await receiveAll(sqs, queueUrl);
    const [bad, good, garbage] = Object.values(bodies).map((body) => {
      const message = received.find((m) => m.Body === body);
      if (message === undefined) throw new Error(`not received: ${body}`);
      return recordOf(message);
    }) as [SQSRecord, SQSRecord, SQSRecord];

    // Act
    const first = await handler({ Records: [bad, good, garbage] } satisfies SQSEvent);
    const redelivered = await handler({ Records: [sqsRecord(bodies.good, 2)] });

    // Assess: nothing goes back to the queue; the two bad messages are in the DLQ, with why
    expect(first).toEqual({ batchItemFailures: [] });
    expect(redelivered).toEqual({ batchItemFailures: [] });
    const starts = aws.calls.filter((c) => c.target === 'AWSStepFunctions.StartExecution');
    expect(starts).toHaveLength(2);
    expect(starts.map((c) => c.body['name'])).toEqual([SCOPE.executionName, SCOPE.executionName]);
    expect(starts[0]?.body['stateMachineArn']).toBe(STATE_MACHINE);
    // Each start's input is a pointer to the request start stored first, byte for byte as
    // validate would record it.
    for (const start of starts) {
      expect(JSON.parse(String(start.body['input']))).toEqual({
        storedRequest: { listingId: LISTING_ID, requestId: REQUEST_ID },
      });
    }
    expect((await fileAt(`${PREFIX}request.json`)).toString('utf8')).toBe(
      JSON.stringify(request, null, 2),
    );
    expect((await store.head(`${PREFIX}request.json`))?.contentType).toBe('application/json');
    const dead = await receiveAll(sqs, deadLetterQueueUrl);
    const attributes = (record: SQSRecord) =>
      dead.find((m) => m.Body === record.body)?.MessageAttributes;
    expect(dead).toHaveLength(2);
    expect(attributes(bad)).toEqual({
      [DEAD_LETTER_ATTRIBUTES.code]: { DataType: 'String', StringValue: 'INVALID_INPUT' },
      [DEAD_LETTER_ATTRIBUTES.message]: {
        DataType: 'String',
        StringValue: expect.stringMatching(
          /^Not a ProcessingRequest: listingId: must be 1-128 characters .* which has "\/" at position 4$/,
        ),
      },
      [DEAD_LETTER_ATTRIBUTES.originalMessageId]: {
        DataType: 'String',
        StringValue: bad.messageId,
      },
    });
    expect(attributes(garbage)).toEqual({
      [DEAD_LETTER_ATTRIBUTES.code]: { DataType: 'String', StringValue: 'INVALID_INPUT' },
      [DEAD_LETTER_ATTRIBUTES.message]: {
        DataType: 'String',
        StringValue: expect.stringMatching(/^The body is not JSON: /),
      },
      [DEAD_LETTER_ATTRIBUTES.originalMessageId]: {
        DataType: 'String',
        StringValue: garbage.messageId,
      },
    });
  });

  it('start: leaves a bad message to the redrive when the DLQ cannot take it', async () => {
    vi.stubEnv('DEAD_LETTER_QUEUE_URL', deadLetterQueueUrl.replace(/[^/]+$/, 'no-such-queue'));
    const { handler } = await coldStart<typeof StartModule>('../../src/handlers/start.ts');
    const garbage = sqsRecord('this is not json either');

    const response = await handler({ Records: [garbage] });

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: garbage.messageId }] });
  });

  it('validate: reads the request start stored, writes validation.json and returns the accepted items', async () => {
    // Prepare: the execution's input as start gave it
    const { handler } = await coldStart<typeof ValidateModule>('../../src/handlers/validate.ts');
    const input = JSON.parse(executions.get(SCOPE.executionName) ?? '{}') as unknown;

    // Act
    const result = await handler({ request: input, executionName: SCOPE.executionName });

    // Assess
    expect(result).toEqual({
      ctx: SCOPE,
      photos: [{ mediaId: PHOTO_ID, ext: 'jpg' }],
      videos: [{ mediaId: VIDEO_ID, ext: 'mp4' }],
    });
    expect(await json(`${PREFIX}request.json`)).toEqual(request);
    const report = parse(ValidationReport, await json(`${PREFIX}validation.json`));
    expect(report.accepted.map((m) => m.mediaId)).toEqual([PHOTO_ID, VIDEO_ID]);
    expect(report.rejected.map((r) => [r.mediaId, r.error.code])).toEqual([
      [PHOTO_2_ID, 'TYPE_MISMATCH'],
      [MISSING_ID, 'OBJECT_NOT_FOUND'],
    ]);
    expect(report.rejected[0]?.error.message).toBe(
      'Declared a photo .png: received jpeg content (a photo)',
    );
  });

  it('validate: rejects an invalid request with InvalidRequestError', async () => {
    const { handler } = await coldStart<typeof ValidateModule>('../../src/handlers/validate.ts');

    const error = await handler({
      request: { ...request, media: [] },
      executionName: 'x',
    }).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'InvalidRequestError' });
    expect((error as Error).message).toBe(
      'Invalid ProcessingRequest: media: must list at least one media item',
    );
  });

  it('consolidate: merges the branches into result.json', async () => {
    // Prepare: what the thumbnails function wrote for the photo.
    const { handler } = await coldStart<typeof ConsolidateModule>(
      '../../src/handlers/consolidate.ts',
    );
    await store.put(
      itemStateKey(SCOPE, PHOTO_ID),
      JSON.stringify({
        mediaId: PHOTO_ID,
        mediaType: 'photo',
        source: { format: 'jpeg', width: 1800, height: 1200 },
        renditions: [thumbnailRendition(PHOTO_ID)],
      }),
      { contentType: 'application/json' },
    );
    const zip = { key: `${LISTING_ID}/processed/zip/${LISTING_ID}.zip`, bytes: 9100, entries: 1 };

    // The video's Map iteration was caught: RecordVideoFailure kept its reason
    await handler({
      ctx: SCOPE,
      mediaType: 'video',
      mediaId: VIDEO_ID,
      caught: {
        Error: 'States.TaskFailed',
        Cause: 'ffmpeg exited with code 1: moov atom not found',
      },
    });

    // Act
    const out = await handler({
      state: {
        ctx: SCOPE,
        photos: [{ mediaId: PHOTO_ID, status: 'succeeded' }],
        videos: [{ mediaId: VIDEO_ID, status: 'failed' }],
        zip,
      },
      executionName: SCOPE.executionName,
    });

    // Assess
    expect(out).toEqual({
      ctx: SCOPE,
      status: 'partially_failed',
      resultKey: `${PREFIX}result.json`,
      callbackUrl: webhook.url,
    });
    const result = parse(ListingMediaResult, await json(`${PREFIX}result.json`));
    expect(result.summary).toEqual({ total: 4, succeeded: 1, failed: 3 });
    expect(result.media.map((m) => (m.status === 'failed' ? m.error.code : m.status))).toEqual([
      'succeeded',
      'TYPE_MISMATCH',
      'TRANSCODE_FAILED',
      'OBJECT_NOT_FOUND',
    ]);
    expect(result.media[2]).toMatchObject({
      error: {
        message:
          'The video transcode failed (States.TaskFailed): ffmpeg exited with code 1: moov atom not found',
      },
    });
    expect(result.zip).toEqual(zip);
  });

  it.each([
    ['over http', 'api.example.com', () => webhook.url, 'expected an https URL, received http'],
    [
      'over https, even with 127.0.0.1 on the allowlist',
      'api.example.com,127.0.0.1',
      () => webhook.url.replace('http:', 'https:'),
      'host 127.0.0.1 resolves to a non-public address (127.0.0.1)',
    ],
  ])(
    'callback: never posts to a loopback backend (%s): the refusal is recorded in delivery.json',
    async (_, allowedHosts, url, reason) => {
      // Prepare
      vi.stubEnv('CALLBACK_ALLOWED_HOSTS', allowedHosts);
      const { handler } = await coldStart<typeof CallbackModule>('../../src/handlers/callback.ts');
      const event = {
        ctx: SCOPE,
        status: 'partially_failed',
        resultKey: `${PREFIX}result.json`,
        callbackUrl: url(),
      };

      // Act
      const error = await handler(event).catch((e: unknown) => e);

      // Assess: refused before the secret is read, never retried, nothing sent
      expect(error).toMatchObject({ name: 'WebhookRejectedError' });
      expect((error as Error).message).toBe(
        `Webhook msg_${SCOPE.executionName} to 127.0.0.1:${webhook.port} not delivered: expected a 2xx answer, received a refused URL (${reason}) after 1 attempt(s)`,
      );
      expect(await json(`${PREFIX}delivery.json`)).toMatchObject({
        url: url(),
        delivered: false,
        statusCode: null,
        attempts: [{ attempt: 1, outcome: 'refused', reason }],
      });
      expect(webhook.received).toHaveLength(0);
      expect(aws.calls.filter((c) => c.target === 'secretsmanager.GetSecretValue')).toHaveLength(0);
    },
  );

  it('callback: delivers the signed webhook once and records delivery.json (wired as the local run wires it); the Lambda module, retried, sends nothing more', async () => {
    // Prepare: the function with the Lambda's adapters on the same bucket and secret, but a
    // sender that allows the loopback backend, as packages/local passes to the factory.
    const local = createCallbackHandler({
      store: new S3ObjectStore(localS3Client(), bucket),
      sender: new HttpWebhookSender({
        secret: new SecretsManagerSecretSource(
          new SecretsManagerClient(localClientConfig(aws.endpoint)),
          SECRET_ARN,
        ),
        allowedHosts: [],
        allowLoopback: true,
      }),
      clock: systemClock,
      logger: () => silentLogger,
    });
    const { handler } = await coldStart<typeof CallbackModule>('../../src/handlers/callback.ts');
    const event = {
      ctx: SCOPE,
      status: 'partially_failed',
      resultKey: `${PREFIX}result.json`,
      callbackUrl: webhook.url,
    };

    // Act
    const first = await local(event);
    const retried = await handler(event);

    // Assess
    expect(first).toEqual({ delivered: true, attempts: 1, statusCode: 200 });
    expect(retried).toEqual(first);
    expect(webhook.received).toHaveLength(1);
    const payload = parse(WebhookPayload, webhook.received[0]?.payload);
    expect(payload.data).toEqual(await json(`${PREFIX}result.json`));
    expect(await json(`${PREFIX}delivery.json`)).toMatchObject({
      delivered: true,
      statusCode: 200,
    });
    expect(aws.calls.filter((c) => c.target === 'secretsmanager.GetSecretValue')).toHaveLength(1);
  });

  it('never modifies a raw upload', async () => {
    for (const [key, hash] of rawHashes) {
      expect(
        createHash('sha256')
          .update(await fileAt(key))
          .digest('hex'),
      ).toBe(hash);
    }
  });
});

describe('validate given the request itself (a backend starting the execution directly)', () => {
  it('records request.json and validates as from a pointer', async () => {
    // Prepare
    const { handler } = await coldStart<typeof ValidateModule>('../../src/handlers/validate.ts');
    const direct = sampleRequest({ requestId: 'req-direct' });

    // Act
    const result = await handler({ request: direct, executionName: `${LISTING_ID}_req-direct` });

    // Assess
    expect(result.ctx).toEqual({
      listingId: LISTING_ID,
      requestId: 'req-direct',
      executionName: `${LISTING_ID}_req-direct`,
    });
    expect((await fileAt(`_pipeline/${LISTING_ID}/req-direct/request.json`)).toString()).toBe(
      JSON.stringify(direct, null, 2),
    );
  });
});

describe('consolidate on the failure path', () => {
  it('reads the stored request a pointer points at, and fails every item', async () => {
    // Prepare: start stored the request, then Validate failed
    const { handler } = await coldStart<typeof ConsolidateModule>(
      '../../src/handlers/consolidate.ts',
    );
    const failed = sampleRequest({ requestId: 'req-pointer-failed' });
    const prefix = `_pipeline/${LISTING_ID}/req-pointer-failed/`;
    await store.put(`${prefix}request.json`, JSON.stringify(failed, null, 2), {
      contentType: 'application/json',
    });

    // Act
    const out = await handler({
      state: {
        storedRequest: { listingId: LISTING_ID, requestId: 'req-pointer-failed' },
        failure: { Error: 'States.Timeout', Cause: 'Task timed out' },
      },
      executionName: `${LISTING_ID}_req-pointer-failed`,
    });

    // Assess
    expect(out).toMatchObject({ status: 'failed', callbackUrl: failed.callback.url });
    const result = parse(ListingMediaResult, await json(`${prefix}result.json`));
    expect(result.summary).toEqual({ total: 3, succeeded: 0, failed: 3 });
  });

  it('refuses a pointer whose request.json is missing as an invalid request', async () => {
    const { handler } = await coldStart<typeof ConsolidateModule>(
      '../../src/handlers/consolidate.ts',
    );

    const error = await handler({
      state: {
        storedRequest: { listingId: LISTING_ID, requestId: 'req-never-stored' },
        failure: { Error: 'States.Timeout', Cause: 'Task timed out' },
      },
      executionName: `${LISTING_ID}_req-never-stored`,
    }).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'InvalidRequestError' });
    expect(
      await store.head(`_pipeline/${LISTING_ID}/req-never-stored/result.json`),
    ).toBeUndefined();
  });

  it('records the request and fails every item when Validate failed', async () => {
    // Prepare
    const { handler } = await coldStart<typeof ConsolidateModule>(
      '../../src/handlers/consolidate.ts',
    );
    const failed = sampleRequest({ requestId: 'req-failed' });
    const prefix = `_pipeline/${LISTING_ID}/req-failed/`;

    // Act
    const out = await handler({
      state: { ...failed, failure: { Error: 'States.Timeout', Cause: 'Task timed out' } },
      executionName: `${LISTING_ID}_req-failed`,
    });

    // Assess
    expect(out).toMatchObject({ status: 'failed', resultKey: `${prefix}result.json` });
    expect(await json(`${prefix}request.json`)).toEqual(failed);
    const result = parse(ListingMediaResult, await json(`${prefix}result.json`));
    expect(result.errors).toEqual([
      {
        code: 'PIPELINE_FAILED',
        message: 'The pipeline failed at Validate (States.Timeout: Task timed out)',
      },
    ]);
    expect(result.summary).toEqual({ total: 3, succeeded: 0, failed: 3 });
  });
});

describe('cold start', () => {
  it.each([
    ['validate', 'MEDIA_BUCKET', 'MEDIA_BUCKET is required'],
    ['consolidate', 'MEDIA_BUCKET', 'MEDIA_BUCKET is required'],
    ['callback', 'WEBHOOK_SECRET_ARN', 'WEBHOOK_SECRET_ARN is required'],
    ['start', 'MEDIA_BUCKET', 'MEDIA_BUCKET is required'],
    ['start', 'STATE_MACHINE_ARN', 'STATE_MACHINE_ARN is required'],
    ['start', 'DEAD_LETTER_QUEUE_URL', 'DEAD_LETTER_QUEUE_URL is required'],
  ])('fails %s when %s is missing', async (fn, variable, message) => {
    vi.stubEnv(variable, undefined);

    const error = await coldStart(`../../src/handlers/${fn}.ts`).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'ConfigurationError' });
    expect((error as Error).message).toBe(`Invalid environment: ${message}`);
  });
});
