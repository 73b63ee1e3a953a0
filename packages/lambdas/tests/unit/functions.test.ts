import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createConsolidateHandler,
  createValidateHandler,
  type CorrelationKeys,
  type InvocationLogger,
  type Logger,
} from '../../src/index.ts';
import { SCOPE, silentLogger } from '../setup/fixtures.ts';
import { MemoryObjectStore } from '../setup/memory-store.ts';

const FUNCTION_VARIABLES = [
  'MEDIA_BUCKET',
  'STATE_MACHINE_ARN',
  'DEAD_LETTER_QUEUE_URL',
  'WEBHOOK_SECRET_ARN',
  'CALLBACK_ALLOWED_HOSTS',
];

/** An InvocationLogger that remembers the keys of every invocation (the port, not a mock). */
function recordingLogger(): { logger: InvocationLogger; invocations: CorrelationKeys[] } {
  const invocations: CorrelationKeys[] = [];
  const logger = (keys: CorrelationKeys): Logger => {
    invocations.push(keys);
    return silentLogger;
  };
  return { logger, invocations };
}

/** The package entry, loaded afresh with none of the functions' variables set. */
async function loadEntryWithoutEnvironment() {
  for (const name of FUNCTION_VARIABLES) vi.stubEnv(name, undefined);
  vi.resetModules();
  return import('../../src/index.ts');
}

afterEach(() => vi.unstubAllEnvs());

describe('the package entry (what the local run imports)', () => {
  it('loads without any function environment and builds a working function from its factory', async () => {
    // Prepare
    const { createTranscodeHandler } = await loadEntryWithoutEnvironment();
    const { logger, invocations } = recordingLogger();
    const transcode = createTranscodeHandler({ bucket: 'local-bucket', logger });
    const mediaId = '0b7c1a52-1f0e-4c7e-9a51-6f6d2a7b9c10';

    // Act
    const { settings } = await transcode({ ctx: SCOPE, mediaType: 'video', mediaId, ext: 'mov' });

    // Assess
    expect(settings.Inputs[0]?.FileInput).toBe(
      `s3://local-bucket/${SCOPE.listingId}/raw/video/${mediaId}.mov`,
    );
    expect(invocations).toEqual([SCOPE]);
  });

  it('hands each invocation its own correlation keys and rejects a bad payload with the handler’s error', async () => {
    // Prepare
    const { createTranscodeHandler } = await loadEntryWithoutEnvironment();
    const { logger, invocations } = recordingLogger();
    const transcode = createTranscodeHandler({ bucket: 'local-bucket', logger });

    // Act
    const error = await transcode({
      ctx: SCOPE,
      mediaType: 'video',
      mediaId: 'not-a-uuid',
      ext: 'mov',
    }).catch((e: unknown) => e);
    await transcode({ nothing: true }).catch(() => undefined);

    // Assess
    expect(error).toMatchObject({ name: 'InvalidRequestError' });
    expect((error as Error).message).toMatch(/^Invalid PrepareTranscode payload: mediaId/);
    expect(invocations).toEqual([SCOPE, {}]);
  });
});

describe('the correlation keys of an execution input given as a stored request pointer', () => {
  it('logs a Validate or failure-path Consolidate invocation under the pointer’s ids', async () => {
    // Prepare
    const { logger, invocations } = recordingLogger();
    const deps = { store: new MemoryObjectStore(), logger };
    const validate = createValidateHandler({ ...deps, limits: { photo: 1, video: 1 } });
    const consolidate = createConsolidateHandler({
      ...deps,
      clock: { now: () => new Date(), sleep: async () => undefined },
    });
    const pointer = { storedRequest: { listingId: SCOPE.listingId, requestId: SCOPE.requestId } };
    const failure = { Error: 'States.Timeout', Cause: 'Task timed out' };

    // Act: no request.json, so both refuse the pointer
    const errors = [
      await validate({ request: pointer, executionName: SCOPE.executionName }).catch(
        (e: unknown) => e,
      ),
      await consolidate({
        state: { ...pointer, failure },
        executionName: SCOPE.executionName,
      }).catch((e: unknown) => e),
    ];

    // Assess
    expect(invocations).toEqual([SCOPE, SCOPE]);
    for (const error of errors) expect(error).toMatchObject({ name: 'InvalidRequestError' });
  });
});
