import { describe, expect, it } from 'vitest';
import { TransientError } from '../../src/domain/errors.ts';
import { startProcessing } from '../../src/domain/start.ts';
import type {
  ExecutionStarter,
  StartExecutionRequest,
  StartExecutionResult,
} from '../../src/ports/execution-starter.ts';
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

const message = (messageId: string, body: unknown) => ({
  messageId,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('startProcessing', () => {
  it('starts one execution per request, named from listingId and requestId, with the normalised request', async () => {
    // Prepare
    const starter = new InMemoryStarter();
    const upper = sampleRequest({ listingId: LISTING_ID.toUpperCase() });

    // Act
    const response = await startProcessing([message('m1', upper)], {
      starter,
      logger: silentLogger,
    });

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const name = `${LISTING_ID}_${REQUEST_ID}`;
    expect([...starter.executions.keys()]).toEqual([name]);
    expect(JSON.parse(starter.executions.get(name) ?? '')).toMatchObject({ listingId: LISTING_ID });
  });

  it('counts a redelivered message (execution already there) as done', async () => {
    const starter = new InMemoryStarter();
    const deps = { starter, logger: silentLogger };
    await startProcessing([message('m1', sampleRequest())], deps);

    const again = await startProcessing([message('m1-redelivered', sampleRequest())], deps);

    expect(again).toEqual({ batchItemFailures: [] });
    expect(starter.executions.size).toBe(1);
  });

  it('fails only the bad messages of a batch, and still starts the good ones', async () => {
    // Prepare
    const starter = new InMemoryStarter();
    const other = sampleRequest({ requestId: 'req-other' });
    const throttled = sampleRequest({ requestId: 'req-throttled' });
    starter.failFor.add(`${LISTING_ID}_req-throttled`);

    // Act
    const response = await startProcessing(
      [
        message('good-1', sampleRequest()),
        message('not-json', '{"schemaVersion":1,'),
        message('not-a-request', { ...sampleRequest(), listingId: '../etc' }),
        message('throttled', throttled),
        message('good-2', other),
      ],
      { starter, logger: silentLogger },
    );

    // Assess
    expect(response).toEqual({
      batchItemFailures: [
        { itemIdentifier: 'not-json' },
        { itemIdentifier: 'not-a-request' },
        { itemIdentifier: 'throttled' },
      ],
    });
    expect([...starter.executions.keys()].sort()).toEqual(
      [`${LISTING_ID}_${REQUEST_ID}`, `${LISTING_ID}_req-other`].sort(),
    );
  });
});
