import { DEFINITION_TEXT } from '@toq/lambdas/pipeline';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  at,
  consolidated,
  eventsOf,
  processingRequest,
  runPipeline,
  type Fake,
  type PipelineRun,
} from '../support/pipeline-run.ts';

/**
 * The definition's `TimeoutSeconds`, executed by aws-local-stepfunctions (which races each Task
 * against a `setTimeout` of its TimeoutSeconds): a task that never answers ends as
 * `States.Timeout` at exactly its timeout, and the definition's Catch takes it from there. The
 * clock is vitest's fake one, moved by hand, so the hours pass at once and nothing depends on
 * the machine's speed.
 */

type State = Record<string, unknown>;

/** A state's `TimeoutSeconds` in the definition, nested states included. */
function timeoutOf(name: string): number {
  const find = (states: Record<string, State>): State | undefined =>
    states[name] ??
    Object.values(states)
      .flatMap((s) => [
        ...((s['Branches'] as { States: Record<string, State> }[] | undefined) ?? []),
        ...(s['ItemProcessor'] ? [s['ItemProcessor'] as { States: Record<string, State> }] : []),
      ])
      .map((machine) => find(machine.States))
      .find((found) => found !== undefined);
  const seconds = find((JSON.parse(DEFINITION_TEXT) as { States: Record<string, State> }).States)?.[
    'TimeoutSeconds'
  ];
  if (typeof seconds !== 'number') throw new Error(`expected ${name} to have TimeoutSeconds`);
  return seconds;
}

/** A fake that never answers, and a promise that settles once it has been called. */
function hang() {
  let started!: () => void;
  const called = new Promise<void>((resolve) => (started = resolve));
  const fake: Fake = () => {
    started();
    return new Promise(() => undefined);
  };
  return { fake, called };
}

/**
 * Runs the pipeline with `overrides`; once `hanging` has been called, moves the clock to 1 ms
 * before `seconds` (the run must still be going), then past it.
 */
async function runPastTimeout(
  overrides: Partial<Record<string, Fake>>,
  hanging: Promise<void>,
  seconds: number,
): Promise<{ run: PipelineRun; settledBeforeTimeout: boolean }> {
  let settled = false;
  const pending = runPipeline(processingRequest(2, 1), overrides).finally(() => (settled = true));
  await hanging;
  await vi.advanceTimersByTimeAsync(seconds * 1000 - 1);
  const settledBeforeTimeout = settled;
  await vi.advanceTimersByTimeAsync(1);
  return { run: await pending, settledBeforeTimeout };
}

beforeEach(() => {
  // Only the timers: the runner's tasks yield with setImmediate, which stays real.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('TimeoutSeconds, executed by aws-local-stepfunctions', () => {
  it('fails a photo whose render never answers as States.Timeout, and goes on with the listing', async () => {
    // Prepare
    const request = processingRequest(2, 1);
    const stuck = at(request.media, 1).mediaId;
    const { fake, called } = hang();
    const overrides: Record<string, Fake> = {
      RenderPhoto: (input) =>
        input['mediaId'] === stuck
          ? fake(input)
          : { mediaId: input['mediaId'], status: 'succeeded' },
    };

    // Act
    const { run, settledBeforeTimeout } = await runPastTimeout(
      overrides,
      called,
      timeoutOf('RenderPhoto'),
    );

    // Assess
    expect(settledBeforeTimeout).toBe(false);
    expect(run.error).toBeUndefined();
    expect(consolidated(run)['photos']).toEqual([
      { mediaId: at(request.media, 0).mediaId, status: 'succeeded' },
      { mediaId: stuck, status: 'failed' },
    ]);
    expect(run.calls['RecordPhotoFailure']?.[0]?.['Payload']).toMatchObject({
      mediaId: stuck,
      caught: { Error: 'States.Timeout' },
    });
    expect(eventsOf(run, 'StateRetried', 'RenderPhoto')).toHaveLength(0);
    expect(run.calls['Callback']).toHaveLength(1);
  });

  it('fails a video whose MediaConvert job outlasts its 2 h as States.Timeout', async () => {
    const { fake, called } = hang();

    const { run, settledBeforeTimeout } = await runPastTimeout(
      { Transcode: fake },
      called,
      timeoutOf('Transcode'),
    );

    expect(settledBeforeTimeout).toBe(false);
    expect(run.error).toBeUndefined();
    expect(consolidated(run)['videos']).toEqual([
      { mediaId: at(processingRequest(2, 1).media, 2).mediaId, status: 'failed' },
    ]);
    expect(run.calls['RecordVideoFailure']?.[0]?.['Payload']).toMatchObject({
      caught: { Error: 'States.Timeout' },
    });
    expect(run.calls['FinishVideo']).toBeUndefined();
  });

  it('hands Consolidate the zip timeout when BundleZip never answers', async () => {
    const { fake, called } = hang();

    const { run } = await runPastTimeout({ BundleZip: fake }, called, timeoutOf('BundleZip'));

    expect(run.error).toBeUndefined();
    expect(consolidated(run)['zipError']).toMatchObject({ Error: 'States.Timeout' });
  });

  it('fails the execution with States.Timeout when the callback never answers', async () => {
    const { fake, called } = hang();

    const { run, settledBeforeTimeout } = await runPastTimeout(
      { Callback: fake },
      called,
      timeoutOf('Callback'),
    );

    expect(settledBeforeTimeout).toBe(false);
    expect(run.error).toBeDefined();
    expect(eventsOf(run, 'ExecutionFailed')).toEqual([
      expect.objectContaining({ Error: 'States.Timeout' }),
    ]);
    expect(eventsOf(run, 'StateRetried', 'Callback')).toHaveLength(0);
  });
});
