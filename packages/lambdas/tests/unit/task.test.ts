import * as z from 'zod';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createZipHandler } from '../../src/functions/zip.ts';
import { defineTask } from '../../src/functions/task.ts';
import { invocationLogger } from '../../src/logger.ts';
import type { ArchiveWriter } from '../../src/ports/archive-writer.ts';
import { LISTING_ID, SCOPE, lambdaContext, silentLogger } from '../setup/fixtures.ts';
import { linesOf } from '../setup/log-lines.ts';
import { MemoryObjectStore } from '../setup/memory-store.ts';

const FUNCTION = 'listing-media-zip-staging';
const CONFIG = { logLevel: 'INFO', serviceName: 'listing-media-test' } as const;

/** An archive writer the tests below never reach (nothing to bundle). */
const unusedArchive: ArchiveWriter = {
  write: () => Promise.reject(new Error('not expected: nothing to bundle')),
};

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('a function wired as its Lambda handler wires it (Powertools logger)', () => {
  it('logs with Lambda’s request id, the cold-start flag and the invocation’s correlation keys, each invocation its own', async () => {
    // Prepare: an on-demand environment, as Lambda says (Powertools reads it at construction).
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    const handler = createZipHandler({
      store: new MemoryObjectStore(),
      archive: unusedArchive,
      logger: invocationLogger(CONFIG),
    });
    const other = {
      listingId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      requestId: 'req-other',
      executionName: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d_req-other',
    };

    // Act
    const lines = await linesOf(async () => {
      await handler({ ctx: SCOPE }, lambdaContext(FUNCTION, 'aws-request-1'));
      await handler({ ctx: other }, lambdaContext(FUNCTION, 'aws-request-2'));
    });

    // Assess
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      message: 'Nothing to bundle',
      service: 'listing-media-test',
      function_name: FUNCTION,
      function_request_id: 'aws-request-1',
      cold_start: true,
      ...SCOPE,
    });
    expect(lines[1]).toMatchObject({
      message: 'Nothing to bundle',
      function_request_id: 'aws-request-2',
      cold_start: false,
      ...other,
    });
  });

  it('drops the previous invocation’s keys when the next payload carries none', async () => {
    // Prepare
    const createProbe = defineTask({
      input: z.looseObject({}),
      subject: 'probe payload',
      run: async (_input, _deps: object, logger) => logger.info('ran'),
    });
    const probe = createProbe({ logger: invocationLogger(CONFIG) });

    // Act
    const lines = await linesOf(async () => {
      await probe({ ctx: SCOPE }, lambdaContext(FUNCTION, 'aws-request-1'));
      await probe({ nothing: true }, lambdaContext(FUNCTION, 'aws-request-2'));
    });

    // Assess
    expect(lines[0]).toMatchObject({ function_request_id: 'aws-request-1', ...SCOPE });
    expect(lines[1]).toMatchObject({ function_request_id: 'aws-request-2', cold_start: false });
    for (const key of ['listingId', 'requestId', 'executionName']) {
      expect(lines[1]).not.toHaveProperty(key);
    }
  });
});

describe('defineTask', () => {
  it('parses the payload at the edge: an invalid one is an InvalidRequestError naming the problem, and the domain never runs', async () => {
    // Prepare
    const ran: unknown[] = [];
    const createProbe = defineTask({
      input: z.object({ ctx: z.object({ listingId: z.uuid() }) }),
      subject: 'Probe payload',
      run: async (input, _deps: object) => ran.push(input),
    });
    const probe = createProbe({ logger: () => silentLogger });

    // Act
    const error = await probe({ ctx: { listingId: '../etc' } }).catch((e: unknown) => e);
    await probe({ ctx: { listingId: LISTING_ID } });

    // Assess
    expect(error).toMatchObject({ name: 'InvalidRequestError' });
    expect((error as Error).message).toMatch(/^Invalid Probe payload: ctx\.listingId: /);
    expect(ran).toEqual([{ ctx: { listingId: LISTING_ID } }]);
  });
});
