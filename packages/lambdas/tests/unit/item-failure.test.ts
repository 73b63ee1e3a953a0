import { ItemFailure, parse } from '@toq/contracts';
import { describe, expect, it } from 'vitest';
import { runConsolidateTask } from '../../src/domain/consolidate.ts';
import { mediaErrorFromCaught, recordCaughtFailure } from '../../src/domain/item-failure.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { itemStateKey } from '../../src/domain/state-keys.ts';
import { SCOPE, VIDEO_ID, silentLogger } from '../setup/fixtures.ts';
import { FakeClock } from '../setup/fake-clock.ts';
import { MemoryObjectStore } from '../setup/memory-store.ts';

/** A logger that keeps its warnings: the port, as the handlers' Powertools logger receives them. */
function warningsLogger(): { logger: Logger; warnings: Record<string, unknown>[] } {
  const warnings: Record<string, unknown>[] = [];
  return {
    warnings,
    logger: { ...silentLogger, warn: (message, extra) => warnings.push({ message, ...extra }) },
  };
}

/** A failed createJob.sync's Cause as Step Functions records it on AWS: the job itself. */
const MEDIACONVERT_CAUSE = JSON.stringify({
  Id: '1700000000000-abc123',
  Status: 'ERROR',
  ErrorCode: 1010,
  ErrorMessage: 'Failed probe/open:\n[moov atom not found]',
});

describe('mediaErrorFromCaught', () => {
  it.each([
    ['States.Timeout', 'photo', 'TIMEOUT'],
    ['States.Timeout', 'video', 'TIMEOUT'],
    ['MediaConvert.BadRequestException', 'video', 'TRANSCODE_FAILED'],
    ['States.TaskFailed', 'video', 'TRANSCODE_FAILED'],
    ['States.TaskFailed', 'photo', 'PROCESSING_FAILED'],
    ['TransientError', 'video', 'PROCESSING_FAILED'],
    ['Lambda.ServiceException', 'photo', 'PROCESSING_FAILED'],
    ['MediaConvert.BadRequestException', 'photo', 'PROCESSING_FAILED'],
  ] as const)('maps %s in the %s branch to %s', (name, branch, code) => {
    const error = mediaErrorFromCaught(name, branch);

    expect(error.code).toBe(code);
    expect(error.message).toContain(`(${name})`);
  });

  it("adds the reason the cause carries (MediaConvert's own message), trimmed to one line", () => {
    expect(mediaErrorFromCaught('States.TaskFailed', 'video', MEDIACONVERT_CAUSE)).toEqual({
      code: 'TRANSCODE_FAILED',
      message:
        'The video transcode failed (States.TaskFailed): Failed probe/open: [moov atom not found] (error 1010)',
    });
  });
});

describe('recordCaughtFailure', () => {
  it("writes the item's failure with the transcoder's reason where Consolidate reads it, and logs it", async () => {
    // Prepare
    const store = new MemoryObjectStore();
    const { logger, warnings } = warningsLogger();

    // Act
    const outcome = await recordCaughtFailure(
      {
        ctx: SCOPE,
        mediaType: 'video',
        mediaId: VIDEO_ID,
        caught: { Error: 'States.TaskFailed', Cause: MEDIACONVERT_CAUSE },
      },
      { store, logger },
    );

    // Assess: the Map gets the id and status only; the reason is in the record and the log
    expect(outcome).toEqual({ mediaId: VIDEO_ID, status: 'failed' });
    const record = parse(ItemFailure, store.json(itemStateKey(SCOPE, VIDEO_ID)));
    expect(record.error).toEqual({
      code: 'TRANSCODE_FAILED',
      message:
        'The video transcode failed (States.TaskFailed): Failed probe/open: [moov atom not found] (error 1010)',
    });
    expect(warnings).toEqual([
      {
        message: 'Item failed',
        mediaId: VIDEO_ID,
        mediaType: 'video',
        code: 'TRANSCODE_FAILED',
        reason: record.error.message,
      },
    ]);
  });

  it("keeps a Lambda error's message, not its stack trace", async () => {
    const store = new MemoryObjectStore();
    const cause = JSON.stringify({
      errorType: 'Runtime.ExitError',
      errorMessage: 'RequestId: 1 Error: Runtime exited with error: signal: killed',
      trace: ['Error: killed', '    at render (/var/task/index.mjs:1:1)'],
    });

    await recordCaughtFailure(
      {
        ctx: SCOPE,
        mediaType: 'photo',
        mediaId: VIDEO_ID,
        caught: { Error: 'Runtime.ExitError', Cause: cause },
      },
      { store, logger: silentLogger },
    );

    const record = parse(ItemFailure, store.json(itemStateKey(SCOPE, VIDEO_ID)));
    expect(record.error.message).toBe(
      'Processing failed (Runtime.ExitError): RequestId: 1 Error: Runtime exited with error: signal: killed',
    );
  });
});

describe('runConsolidateTask', () => {
  it('records a failure for a payload with a caught error', async () => {
    const store = new MemoryObjectStore();

    const outcome = await runConsolidateTask(
      {
        ctx: SCOPE,
        mediaType: 'video',
        mediaId: VIDEO_ID,
        caught: { Error: 'States.Timeout', Cause: null },
      },
      { store, logger: silentLogger, clock: new FakeClock() },
    );

    expect(outcome).toEqual({ mediaId: VIDEO_ID, status: 'failed' });
    expect(store.json(itemStateKey(SCOPE, VIDEO_ID))).toMatchObject({
      error: { code: 'TIMEOUT', message: 'Processing took too long (States.Timeout)' },
    });
  });
});
