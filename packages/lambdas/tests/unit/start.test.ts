import { executionName } from '@toq/contracts';
import { describe, expect, it } from 'vitest';
import { TransientError } from '../../src/domain/errors.ts';
import { startProcessing } from '../../src/domain/start.ts';
import type { DeadLetter, DeadLetterQueue } from '../../src/ports/dead-letter-queue.ts';
import type {
  ExecutionStarter,
  StartExecutionRequest,
  StartExecutionResult,
} from '../../src/ports/execution-starter.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { LISTING_ID, REQUEST_ID, sampleRequest, silentLogger } from '../setup/fixtures.ts';

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

const message = (messageId: string, body: unknown) => ({
  messageId,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

function deps() {
  return {
    starter: new InMemoryStarter(),
    deadLetterQueue: new RecordingDeadLetterQueue(),
    logger: silentLogger,
  };
}

describe('startProcessing', () => {
  it('starts one execution per request, named from listingId and requestId, with the normalised request', async () => {
    // Prepare
    const { starter, deadLetterQueue } = deps();
    const upper = sampleRequest({ listingId: LISTING_ID.toUpperCase() });

    // Act
    const response = await startProcessing([message('m1', upper)], {
      starter,
      deadLetterQueue,
      logger: silentLogger,
    });

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const name = `${LISTING_ID}_${REQUEST_ID}`;
    expect([...starter.executions.keys()]).toEqual([name]);
    expect(JSON.parse(starter.executions.get(name) ?? '')).toMatchObject({ listingId: LISTING_ID });
    expect(deadLetterQueue.sent).toEqual([]);
  });

  it('starts a request for an integer or a slug listing id, the id kept as given', async () => {
    const { starter, deadLetterQueue } = deps();

    const response = await startProcessing(
      [
        message('m1', sampleRequest({ listingId: '12345' })),
        message('m2', sampleRequest({ listingId: 'Maison-rue-1_b' })),
      ],
      { starter, deadLetterQueue, logger: silentLogger },
    );

    expect(response).toEqual({ batchItemFailures: [] });
    const slugName = executionName('Maison-rue-1_b', REQUEST_ID);
    expect([...starter.executions.keys()].sort()).toEqual([`12345_${REQUEST_ID}`, slugName].sort());
    expect(JSON.parse(starter.executions.get(slugName) ?? '')).toMatchObject({
      listingId: 'Maison-rue-1_b',
    });
  });

  it('counts a redelivered message (execution already there) as done', async () => {
    const all = deps();
    await startProcessing([message('m1', sampleRequest())], all);

    const again = await startProcessing([message('m1-redelivered', sampleRequest())], all);

    expect(again).toEqual({ batchItemFailures: [] });
    expect(all.starter.executions.size).toBe(1);
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
