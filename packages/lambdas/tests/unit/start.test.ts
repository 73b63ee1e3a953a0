import { executionName } from '@toq/contracts';
import { describe, expect, it } from 'vitest';
import { TransientError } from '../../src/domain/errors.ts';
import { startProcessing } from '../../src/domain/start.ts';
import { requestStateKey } from '../../src/domain/state-keys.ts';
import type { DeadLetter, DeadLetterQueue } from '../../src/ports/dead-letter-queue.ts';
import type {
  ExecutionStarter,
  StartExecutionRequest,
  StartExecutionResult,
} from '../../src/ports/execution-starter.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { LISTING_ID, REQUEST_ID, sampleRequest, silentLogger } from '../setup/fixtures.ts';
import { MemoryObjectStore } from '../setup/memory-store.ts';

/** The port's in-memory twin: a state machine that remembers execution names. */
class InMemoryStarter implements ExecutionStarter {
  readonly executions = new Map<string, string>();
  readonly failFor = new Set<string>();

  async start(request: StartExecutionRequest): Promise<StartExecutionResult> {
    if (this.failFor.has(request.name)) throw new TransientError('Rate exceeded');
    if (this.executions.has(request.name)) return { status: 'already-exists' };
    this.executions.set(request.name, request.input);
    return {
      status: 'started',
      executionArn: `arn:aws:states:us-east-1:1:execution:sm:${request.name}`,
    };
  }
}

/** The DLQ port's in-memory twin: keeps what it was sent, or refuses everything when `down`. */
class RecordingDeadLetterQueue implements DeadLetterQueue {
  readonly sent: DeadLetter[] = [];
  down = false;

  async send(message: DeadLetter): Promise<void> {
    if (this.down) throw new TransientError('SendMessage failed: ServiceUnavailable');
    this.sent.push(message);
  }
}

/** A logger port that keeps its lines. */
class RecordingLogger implements Logger {
  readonly lines: { level: string; message: string; extra?: Record<string, unknown> }[] = [];
  debug = (message: string, extra?: Record<string, unknown>) => this.add('debug', message, extra);
  info = (message: string, extra?: Record<string, unknown>) => this.add('info', message, extra);
  warn = (message: string, extra?: Record<string, unknown>) => this.add('warn', message, extra);
  error = (message: string, extra?: Record<string, unknown>) => this.add('error', message, extra);
  private add(level: string, message: string, extra?: Record<string, unknown>) {
    this.lines.push({ level, message, ...(extra ? { extra } : {}) });
  }
}

/** A bucket that refuses every write, as S3 does when it is down. */
class UnwritableStore extends MemoryObjectStore {
  override putIfAbsent(): Promise<never> {
    return Promise.reject(new TransientError('S3 PutObject failed (ServiceUnavailable)'));
  }
}

const STORED_KEY = requestStateKey({ listingId: LISTING_ID, requestId: REQUEST_ID });
const pointer = (listingId: string, requestId = REQUEST_ID) => ({
  storedRequest: { listingId, requestId },
});

const message = (messageId: string, body: unknown) => ({
  messageId,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

function deps() {
  return {
    starter: new InMemoryStarter(),
    store: new MemoryObjectStore(),
    deadLetterQueue: new RecordingDeadLetterQueue(),
    logger: silentLogger,
  };
}

describe('startProcessing', () => {
  it('stores the normalised request, then starts one execution named from its ids with a pointer to it', async () => {
    // Prepare
    const { starter, store, deadLetterQueue } = deps();
    const upper = sampleRequest({ listingId: LISTING_ID.toUpperCase() });

    // Act
    const response = await startProcessing([message('m1', upper)], {
      starter,
      store,
      deadLetterQueue,
      logger: silentLogger,
    });

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const name = `${LISTING_ID}_${REQUEST_ID}`;
    expect([...starter.executions.keys()]).toEqual([name]);
    expect(starter.executions.get(name)).toBe(JSON.stringify(pointer(LISTING_ID)));
    expect([...store.objects.keys()]).toEqual([STORED_KEY]);
    expect(store.objects.get(STORED_KEY)?.contentType).toBe('application/json');
    const stored = store.objects.get(STORED_KEY)?.body.toString('utf8');
    expect(stored).toBe(JSON.stringify(sampleRequest(), null, 2));
    expect(deadLetterQueue.sent).toEqual([]);
  });

  it('starts a request for an integer or a slug listing id, the id kept as given', async () => {
    const { starter, store, deadLetterQueue } = deps();

    const response = await startProcessing(
      [
        message('m1', sampleRequest({ listingId: '12345' })),
        message('m2', sampleRequest({ listingId: 'Maison-rue-1_b' })),
      ],
      { starter, store, deadLetterQueue, logger: silentLogger },
    );

    expect(response).toEqual({ batchItemFailures: [] });
    const slugName = executionName('Maison-rue-1_b', REQUEST_ID);
    expect([...starter.executions.keys()].sort()).toEqual([`12345_${REQUEST_ID}`, slugName].sort());
    expect(JSON.parse(starter.executions.get(slugName) ?? '')).toEqual(pointer('Maison-rue-1_b'));
    expect(
      store.json(requestStateKey({ listingId: 'Maison-rue-1_b', requestId: REQUEST_ID })),
    ).toMatchObject({ listingId: 'Maison-rue-1_b' });
  });

  it('counts a redelivered message as done: one stored request, the execution already there', async () => {
    // Prepare
    const all = { ...deps(), logger: new RecordingLogger() };
    await startProcessing([message('m1', sampleRequest())], all);
    const first = all.store.objects.get(STORED_KEY);

    // Act: the same request, its keys in another order
    const reordered = Object.fromEntries(Object.entries(sampleRequest()).reverse());
    const again = await startProcessing([message('m1-redelivered', reordered)], all);

    // Assess
    expect(again).toEqual({ batchItemFailures: [] });
    expect(all.starter.executions.size).toBe(1);
    expect([...all.store.objects.keys()]).toEqual([STORED_KEY]);
    expect(all.store.objects.get(STORED_KEY)).toBe(first);
    expect(all.logger.lines.at(-1)).toMatchObject({
      level: 'info',
      message: 'Execution already exists; done',
      extra: { messageId: 'm1-redelivered', executionName: `${LISTING_ID}_${REQUEST_ID}` },
    });
  });

  it('starts a stored request whose first start failed when its message comes back', async () => {
    // Prepare
    const all = deps();
    const name = `${LISTING_ID}_${REQUEST_ID}`;
    all.starter.failFor.add(name);
    const failed = await startProcessing([message('m1', sampleRequest())], all);
    all.starter.failFor.clear();

    // Act
    const retried = await startProcessing([message('m1', sampleRequest())], all);

    // Assess
    expect(failed).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(retried).toEqual({ batchItemFailures: [] });
    expect(all.starter.executions.get(name)).toBe(JSON.stringify(pointer(LISTING_ID)));
  });

  it('sends a different request with the ids of one already recorded to the DLQ: nothing started, the record untouched', async () => {
    // Prepare
    const all = { ...deps(), logger: new RecordingLogger() };
    await startProcessing([message('m1', sampleRequest())], all);
    const recorded = Buffer.from(all.store.objects.get(STORED_KEY)?.body ?? '');
    const other = sampleRequest({ callback: { url: 'https://other.example/hook' } });
    const starter = new InMemoryStarter();

    // Act
    const response = await startProcessing([message('m2', other)], { ...all, starter });

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(starter.executions.size).toBe(0);
    expect(all.store.objects.get(STORED_KEY)?.body.equals(recorded)).toBe(true);
    expect(all.deadLetterQueue.sent).toEqual([
      {
        messageId: 'm2',
        body: JSON.stringify(other),
        reason: {
          code: 'REQUEST_ID_REUSED',
          message: `Another request with listingId ${LISTING_ID} and requestId ${REQUEST_ID} is already recorded at ${STORED_KEY} (the recorded request differs from this message's): send this one with a new requestId to process it`,
        },
      },
    ]);
    expect(all.logger.lines.filter((l) => l.extra?.['messageId'] === 'm2')).toEqual([
      {
        level: 'error',
        message: 'Message reuses the ids of another request; sent to the DLQ',
        extra: expect.objectContaining({ code: 'REQUEST_ID_REUSED' }),
      },
    ]);
  });

  it('sends a request whose ids hold a record that is not a request to the DLQ, naming what is wrong', async () => {
    const all = { ...deps(), logger: new RecordingLogger() };
    all.store.seed(STORED_KEY, 'not json', 'application/json');

    const response = await startProcessing([message('m1', sampleRequest())], all);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(all.starter.executions.size).toBe(0);
    expect(all.store.objects.get(STORED_KEY)?.body.toString()).toBe('not json');
    expect(all.deadLetterQueue.sent[0]?.reason).toMatchObject({
      code: 'REQUEST_ID_REUSED',
      message: expect.stringMatching(/\(Invalid record at .*request\.json": not JSON/),
    });
  });

  it('leaves a message to be retried, starting nothing, when its request cannot be stored', async () => {
    // Prepare
    const all = { ...deps(), store: new UnwritableStore(), logger: new RecordingLogger() };

    // Act
    const response = await startProcessing([message('m1', sampleRequest())], all);

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(all.starter.executions.size).toBe(0);
    expect(all.logger.lines).toEqual([
      {
        level: 'error',
        message: 'Could not store the request; the message will be retried',
        extra: expect.objectContaining({
          messageId: 'm1',
          storedRequestKey: STORED_KEY,
          error: 'TransientError: S3 PutObject failed (ServiceUnavailable)',
        }),
      },
    ]);
  });

  it('sends what can never be a request to the DLQ with its reason, counts it done, and still starts the good ones', async () => {
    // Prepare
    const all = deps();
    const other = sampleRequest({ requestId: 'req-other' });
    const throttled = sampleRequest({ requestId: 'req-throttled' });
    all.starter.failFor.add(`${LISTING_ID}_req-throttled`);
    const notJson = '{"schemaVersion":1,';
    const notARequest = JSON.stringify({ ...sampleRequest(), listingId: '../etc' });

    // Act
    const response = await startProcessing(
      [
        message('good-1', sampleRequest()),
        message('not-json', notJson),
        message('not-a-request', notARequest),
        message('throttled', throttled),
        message('good-2', other),
      ],
      all,
    );

    // Assess: only the start that failed goes back to the queue
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'throttled' }] });
    expect([...all.starter.executions.keys()].sort()).toEqual(
      [`${LISTING_ID}_${REQUEST_ID}`, `${LISTING_ID}_req-other`].sort(),
    );
    expect(all.deadLetterQueue.sent).toEqual([
      {
        messageId: 'not-json',
        body: notJson,
        reason: {
          code: 'INVALID_INPUT',
          message: expect.stringMatching(/^The body is not JSON: .+/),
        },
      },
      {
        messageId: 'not-a-request',
        body: notARequest,
        reason: {
          code: 'INVALID_INPUT',
          message: expect.stringMatching(
            /^Not a ProcessingRequest: listingId: must be 1-128 characters .*received "\.\.\/etc", which starts with "\."$/,
          ),
        },
      },
    ]);
  });

  it('sums up many problems in a short, printable reason; the log line has every issue', async () => {
    // Prepare
    const all = { ...deps(), logger: new RecordingLogger() };
    const body = JSON.stringify({
      schemaVersion: 2,
      requestId: 'bad id',
      listingId: 'maison\u202Erue',
      media: [],
      callback: { url: 'ftp://x' },
      ['caf\u00e9']: 'x'.repeat(5000),
    });

    // Act
    const response = await startProcessing([message('m1', body)], all);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const [letter] = all.deadLetterQueue.sent;
    expect(letter?.reason.message).toMatch(
      /^Not a ProcessingRequest: schemaVersion: .*; requestId: .*; listingId: .*; and 3 more$/,
    );
    expect(letter?.reason.message).toMatch(/^[\x20-\x7e]{1,1000}$/);
    expect(letter?.body).toBe(body);
    const line = all.logger.lines.find((l) => l.extra?.['messageId'] === 'm1');
    expect(line).toMatchObject({
      level: 'error',
      message: 'Message can never be a ProcessingRequest; sent to the DLQ',
      extra: { code: 'INVALID_INPUT', reason: letter?.reason.message },
    });
    expect(line?.extra?.['issues']).toHaveLength(6);
  });

  it('cuts a long reason at 1,000 printable characters', async () => {
    // Unknown keys are named in full, in one issue: 20 keys of 100 non-ASCII letters.
    const all = deps();
    const unknown = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`${i}${'\u00e9'.repeat(100)}`, true]),
    );

    await startProcessing([message('m1', { ...sampleRequest(), ...unknown })], all);

    const reason = all.deadLetterQueue.sent[0]?.reason.message ?? '';
    expect(reason).toMatch(/^Not a ProcessingRequest: \(root\): Unrecognized keys: "0\\u\{e9\}/);
    expect(reason).toHaveLength(1000);
    expect(reason.endsWith('...')).toBe(true);
    expect(reason).toMatch(/^[\x20-\x7e]+$/);
  });

  it('leaves a bad message to the redrive, as before, when the DLQ cannot take it', async () => {
    // Prepare
    const all = { ...deps(), logger: new RecordingLogger() };
    all.deadLetterQueue.down = true;

    // Act
    const response = await startProcessing(
      [message('not-json', 'this is not json'), message('good', sampleRequest())],
      all,
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'not-json' }] });
    expect(all.starter.executions.size).toBe(1);
    expect(all.logger.lines).toContainEqual({
      level: 'error',
      message:
        'Message can never be a ProcessingRequest, and sending it to the DLQ failed; left for the redrive',
      extra: expect.objectContaining({
        messageId: 'not-json',
        code: 'INVALID_INPUT',
        error: 'TransientError: SendMessage failed: ServiceUnavailable',
      }),
    });
  });
});
