import { afterEach, describe, expect, it, vi } from 'vitest';
import { correlationKeys } from '../../src/functions/task.ts';
import { beginInvocation, createLogger, invocationLogger, loggerPort } from '../../src/logger.ts';
import { SCOPE } from '../setup/fixtures.ts';
import { linesOf } from '../setup/log-lines.ts';

afterEach(() => vi.restoreAllMocks());

describe('logger', () => {
  it('writes JSON lines carrying listingId, requestId and executionName, and drops them at the next invocation', async () => {
    // Prepare
    const logger = createLogger({ logLevel: 'INFO', serviceName: 'listing-media-test' });
    const port = loggerPort(logger);

    // Act
    const lines = await linesOf(() => {
      beginInvocation(logger, SCOPE);
      port.info('Validated', { accepted: 2 });
      beginInvocation(logger, {});
      port.warn('next invocation');
      port.debug('below the level');
    });

    // Assess
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      message: 'Validated',
      service: 'listing-media-test',
      accepted: 2,
      ...SCOPE,
    });
    expect(lines[1]).toMatchObject({ level: 'WARN', message: 'next invocation' });
    expect(lines[1]).not.toHaveProperty('listingId');
  });
});

describe('invocationLogger', () => {
  it('gives each invocation a port whose lines carry that invocation’s keys only', async () => {
    // Prepare
    const forInvocation = invocationLogger({ logLevel: 'INFO', serviceName: 'listing-media-test' });

    // Act
    const lines = await linesOf(() => {
      forInvocation(SCOPE).info('first');
      forInvocation({ listingId: SCOPE.listingId }).info('second');
    });

    // Assess
    expect(lines[0]).toMatchObject({ message: 'first', service: 'listing-media-test', ...SCOPE });
    expect(lines[1]).toMatchObject({ message: 'second', listingId: SCOPE.listingId });
    expect(lines[1]).not.toHaveProperty('requestId');
    expect(lines[1]).not.toHaveProperty('executionName');
  });
});

describe('correlationKeys', () => {
  it.each([
    ['a task payload', { ctx: SCOPE, mediaId: 'x' }, SCOPE],
    [
      'the Consolidate payload',
      { state: { ctx: SCOPE }, executionName: SCOPE.executionName },
      SCOPE,
    ],
    [
      'the Validate payload',
      {
        request: { listingId: SCOPE.listingId, requestId: SCOPE.requestId },
        executionName: SCOPE.executionName,
      },
      SCOPE,
    ],
    ['anything else', 'not an object', {}],
  ])('finds the keys of %s', (_name, event, keys) => {
    expect(correlationKeys(event)).toEqual(keys);
  });
});
