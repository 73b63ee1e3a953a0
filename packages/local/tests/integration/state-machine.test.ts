import { PIPELINE_ERROR_NAMES } from '@toq/contracts';
import { describe, expect, it } from 'vitest';
import {
  FAKE_ARNS,
  at,
  consolidated,
  eventsOf,
  pipelineError,
  pointerTo,
  processingRequest,
  runPipeline,
  transientError,
  type JsonObject,
  type PipelineRun,
} from '../support/pipeline-run.ts';

/** Step Functions' limit on a state's input or output, and on a task's parameters (bytes, UTF-8). */
const STATE_PAYLOAD_LIMIT = 262_144;

/**
 * The headroom every state keeps at 2,000 items: the limit is a hard failure of the execution, so
 * the worst case stays at least 64 KB under it.
 */
const STATE_HEADROOM = 65_536;
const STATE_SIZE_BUDGET = STATE_PAYLOAD_LIMIT - STATE_HEADROOM;
/** The longest Cause Step Functions keeps (a Lambda error's JSON with its trace, a failed job). */
const LONGEST_CAUSE = 32_768;

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');

describe('the state machine definition, executed by aws-local-stepfunctions', () => {
  it('runs a listing of photos and videos through every state to the callback', async () => {
    // Prepare
    const request = processingRequest(3, 1);
    const ctx = {
      listingId: request.listingId,
      requestId: request.requestId,
      executionName: `${request.listingId}_${request.requestId}`,
    };

    // Act
    const run = await runPipeline(request);

    // Assess: the execution's input is the pointer start gives it, handed to Validate as it is
    expect(run.error).toBeUndefined();
    expect(run.output).toEqual({ delivery: { delivered: true, attempts: 1, statusCode: 204 } });
    expect(run.input).toEqual({
      storedRequest: { listingId: request.listingId, requestId: request.requestId },
    });
    expect(run.calls['Validate']).toEqual([
      {
        FunctionName: FAKE_ARNS.ValidateFunctionArn,
        Payload: { request: run.input, executionName: ctx.executionName },
      },
    ]);
    expect(run.calls['RenderPhoto']?.map((c) => c['Payload'])).toEqual(
      request.media
        .slice(0, 3)
        .map((m) => ({ ctx, mediaType: 'photo', mediaId: m.mediaId, ext: 'jpg' })),
    );
    const video = at(request.media, 3);
    expect(run.calls['PrepareTranscode']?.[0]).toEqual({
      FunctionName: FAKE_ARNS.TranscodeFunctionArn,
      Payload: { ctx, mediaType: 'video', mediaId: video.mediaId, ext: 'mp4' },
    });
    expect(run.calls['Transcode']).toEqual([
      {
        Role: FAKE_ARNS.MediaConvertRoleArn,
        Settings: { Inputs: [{ FileInput: `s3://toq-listing-medias/raw/${video.mediaId}` }] },
        UserMetadata: { executionName: ctx.executionName, mediaId: video.mediaId },
      },
    ]);
    expect(run.calls['FinishVideo']?.[0]).toEqual({
      FunctionName: FAKE_ARNS.ThumbnailsFunctionArn,
      Payload: {
        ctx,
        mediaType: 'video',
        mediaId: video.mediaId,
        ext: 'mp4',
        transcode: {
          jobId: `job-${video.mediaId}`,
          outputGroupDetails: [{ OutputDetails: [{ DurationInMs: 3000 }] }],
        },
      },
    });
    expect(run.calls['BundleZip']?.[0]?.['Payload']).toEqual({ ctx });
    expect(run.calls['Consolidate']?.[0]?.['Payload']).toEqual({
      executionName: ctx.executionName,
      state: {
        ctx,
        photos: request.media.slice(0, 3).map((m) => ({ mediaId: m.mediaId, status: 'succeeded' })),
        videos: [{ mediaId: video.mediaId, status: 'succeeded' }],
        zip: {
          key: `${ctx.listingId}/processed/zip/${ctx.listingId}.zip`,
          bytes: 1234,
          entries: 4,
        },
      },
    });
    expect(run.calls['Callback']?.[0]).toEqual({
      FunctionName: FAKE_ARNS.CallbackFunctionArn,
      Payload: {
        ctx,
        status: 'succeeded',
        resultKey: `_pipeline/${ctx.listingId}/${ctx.requestId}/result.json`,
        callbackUrl: 'https://api.toq.example/webhooks/listing-media',
      },
    });
  });

  it('hands Consolidate a null zip when there was nothing to bundle', async () => {
    const run = await runPipeline(processingRequest(1), { BundleZip: () => null });

    expect(run.error).toBeUndefined();
    expect(consolidated(run)).toHaveProperty('zip', null);
  });

  it('fails only the photo whose task throws, and goes on with the listing', async () => {
    // Prepare
    const request = processingRequest(3);
    const bad = at(request.media, 1).mediaId;

    // Act
    const run = await runPipeline(request, {
      RenderPhoto: ({ mediaId }) => {
        if (mediaId === bad) throw pipelineError('Runtime.ExitError', 'sharp crashed');
        return { mediaId, status: 'succeeded' };
      },
    });

    // Assess
    expect(run.error).toBeUndefined();
    const state = consolidated(run);
    expect(state['photos']).toEqual([
      { mediaId: at(request.media, 0).mediaId, status: 'succeeded' },
      { mediaId: bad, status: 'failed' },
      { mediaId: at(request.media, 2).mediaId, status: 'succeeded' },
    ]);
    // The reason goes to the function that records it, never into the Map's output.
    expect(run.calls['RecordPhotoFailure']?.map((c) => c['Payload'])).toEqual([
      {
        ctx: expect.objectContaining({ listingId: request.listingId }),
        mediaType: 'photo',
        mediaId: bad,
        caught: { Error: 'Runtime.ExitError', Cause: 'sharp crashed' },
      },
    ]);
    expect(eventsOf(run, 'StateRetried', 'RenderPhoto')).toHaveLength(0);
    expect(eventsOf(run, 'StateCaught', 'RenderPhoto')).toHaveLength(1);
    expect(run.calls['BundleZip']).toHaveLength(1);
    expect(run.calls['Callback']).toHaveLength(1);
  });

  it('fails a video at the step that throws (Transcode), and goes on with the listing', async () => {
    const request = processingRequest(1, 2);
    const bad = at(request.media, 2).mediaId;

    const run = await runPipeline(request, {
      Transcode: (input) => {
        const meta = input['UserMetadata'] as { mediaId: string };
        if (meta.mediaId === bad) throw pipelineError('MediaConvert.JobFailed', 'bad input');
        return { Job: { Id: `job-${meta.mediaId}`, OutputGroupDetails: [] } };
      },
    });

    expect(run.error).toBeUndefined();
    const state = consolidated(run);
    expect(state['videos']).toEqual([
      { mediaId: at(request.media, 1).mediaId, status: 'succeeded' },
      { mediaId: bad, status: 'failed' },
    ]);
    expect(run.calls['RecordVideoFailure']?.[0]?.['Payload']).toMatchObject({
      mediaType: 'video',
      mediaId: bad,
      caught: { Error: 'MediaConvert.JobFailed', Cause: 'bad input' },
    });
    expect(run.calls['FinishVideo']).toHaveLength(1);
  });

  it('retries a transient error and then succeeds', async () => {
    // Prepare: the first two renders of the only photo fail with TransientError.
    let renders = 0;
    let validations = 0;

    // Act
    const run = await runPipeline(processingRequest(1), {
      Validate: (input) => {
        validations += 1;
        if (validations === 1) throw transientError();
        const fakes = processingRequest(1);
        return {
          ctx: {
            listingId: fakes.listingId,
            requestId: fakes.requestId,
            executionName: input['executionName'] as string,
          },
          photos: [{ mediaId: at(fakes.media, 0).mediaId, ext: 'jpg' }],
          videos: [],
        };
      },
      RenderPhoto: ({ mediaId }) => {
        renders += 1;
        if (renders <= 2) throw transientError();
        return { mediaId, status: 'succeeded' };
      },
    });

    // Assess
    expect(run.error).toBeUndefined();
    expect(renders).toBe(3);
    expect(eventsOf(run, 'StateRetried', 'RenderPhoto')).toHaveLength(2);
    expect(eventsOf(run, 'StateRetried', 'Validate')).toHaveLength(1);
    const state = consolidated(run);
    expect(state['photos']).toEqual([{ mediaId: expect.any(String), status: 'succeeded' }]);
  });

  it('gives up on a transient error after 3 retries and fails that item only', async () => {
    let renders = 0;
    const run = await runPipeline(processingRequest(2), {
      RenderPhoto: ({ mediaId }) => {
        if (mediaId === at(processingRequest(2).media, 0).mediaId) {
          renders += 1;
          throw transientError();
        }
        return { mediaId, status: 'succeeded' };
      },
    });

    expect(run.error).toBeUndefined();
    expect(renders).toBe(4); // the first attempt and 3 retries
    const state = consolidated(run);
    expect((state['photos'] as JsonObject[])[0]).toEqual({
      mediaId: expect.any(String),
      status: 'failed',
    });
    expect(run.calls['RecordPhotoFailure']?.[0]?.['Payload']).toMatchObject({
      caught: { Error: PIPELINE_ERROR_NAMES.transient },
    });
  });

  it('takes the failure path when Validate fails, without retrying, and still calls back', async () => {
    // Prepare
    const request = processingRequest(2);

    // Act
    const run = await runPipeline(request, {
      Validate: () => {
        throw pipelineError(PIPELINE_ERROR_NAMES.invalidRequest, 'media[0].ext: must be one of …');
      },
    });

    // Assess
    expect(run.error).toBeUndefined();
    expect(eventsOf(run, 'StateRetried', 'Validate')).toHaveLength(0);
    expect(run.calls['RenderPhoto']).toBeUndefined();
    expect(run.calls['BundleZip']).toBeUndefined();
    expect(run.calls['Consolidate']?.[0]?.['Payload']).toEqual({
      executionName: `${request.listingId}_${request.requestId}`,
      state: {
        ...pointerTo(request),
        failure: {
          Error: PIPELINE_ERROR_NAMES.invalidRequest,
          Cause: 'media[0].ext: must be one of …',
        },
      },
    });
    expect(run.calls['Callback']?.[0]?.['Payload']).toMatchObject({ status: 'failed' });
    expect(run.output).toEqual({ delivery: { delivered: true, attempts: 1, statusCode: 204 } });
  });

  it('hands Validate, and the failure path, the request itself when a backend starts the execution with it', async () => {
    // Prepare
    const request = processingRequest(2);
    const failure = { Error: PIPELINE_ERROR_NAMES.transient, Cause: 'S3 503 SlowDown' };

    // Act
    const run = await runPipeline(request, {}, { startedWith: 'request' });
    const failed = await runPipeline(
      request,
      {
        Validate: () => {
          throw pipelineError(failure.Error, failure.Cause);
        },
      },
      { startedWith: 'request' },
    );

    // Assess
    expect(run.error).toBeUndefined();
    expect(run.calls['Validate']?.[0]?.['Payload']).toEqual({
      request,
      executionName: `${request.listingId}_${request.requestId}`,
    });
    expect(consolidated(run)['photos']).toHaveLength(2);
    expect(consolidated(failed)).toEqual({ ...request, failure });
  });

  it('reaches Consolidate with zipError when the zip fails', async () => {
    const run = await runPipeline(processingRequest(1), {
      BundleZip: () => {
        throw pipelineError('Sandbox.Timedout', 'Task timed out after 900.00 seconds');
      },
    });

    expect(run.error).toBeUndefined();
    const state = consolidated(run);
    expect(state['zipError']).toEqual({
      Error: 'Sandbox.Timedout',
      Cause: 'Task timed out after 900.00 seconds',
    });
    expect(state).not.toHaveProperty('zip');
    expect(run.calls['Callback']).toHaveLength(1);
  });

  it.each([
    { error: PIPELINE_ERROR_NAMES.webhookDelivery, cause: 'backend answered 503', attempts: 4 },
    { error: PIPELINE_ERROR_NAMES.webhookRejected, cause: 'backend answered 400', attempts: 1 },
  ])(
    'invokes Callback $attempts time(s) when it throws $error, then fails the execution with that name',
    async ({ error, cause, attempts }) => {
      let invocations = 0;
      const run = await runPipeline(processingRequest(1), {
        Callback: () => {
          invocations += 1;
          throw pipelineError(error, cause);
        },
      });

      expect(invocations).toBe(attempts);
      expect(eventsOf(run, 'ExecutionFailed')).toEqual([
        expect.objectContaining({ Error: error, Cause: cause }),
      ]);
    },
  );

  it('fails the execution with the error name when Consolidate fails for good', async () => {
    const run = await runPipeline(processingRequest(1), {
      Consolidate: () => {
        throw pipelineError(PIPELINE_ERROR_NAMES.configuration, 'MEDIA_BUCKET is required');
      },
    });

    expect(eventsOf(run, 'StateRetried', 'Consolidate')).toHaveLength(0);
    expect(run.calls['Callback']).toBeUndefined();
    expect(eventsOf(run, 'ExecutionFailed')).toEqual([
      expect.objectContaining({ Error: PIPELINE_ERROR_NAMES.configuration }),
    ]);
  });
});

describe('state sizes for a 2,000-media listing', () => {
  /**
   * The execution's input, every state's input and output and every task's parameters, with
   * their sizes.
   */
  function largest(run: PipelineRun) {
    const sizes: { what: string; bytes: number }[] = [
      { what: 'execution input', bytes: bytes(run.input) },
    ];
    for (const event of run.events) {
      const state = event['state'] as
        { name: string; input?: unknown; output?: unknown } | undefined;
      if (state === undefined) continue;
      if (event['type'] === 'StateEntered')
        sizes.push({ what: `${state.name} input`, bytes: bytes(state.input) });
      if (event['type'] === 'StateExited')
        sizes.push({ what: `${state.name} output`, bytes: bytes(state.output) });
    }
    for (const [task, inputs] of Object.entries(run.calls)) {
      for (const input of inputs) sizes.push({ what: `${task} parameters`, bytes: bytes(input) });
    }
    return sizes.sort((a, b) => b.bytes - a.bytes);
  }

  /** What is over the budget (64 KiB under the limit), the execution's input included. */
  function overBudget(run: PipelineRun) {
    return largest(run).filter((s) => s.bytes > STATE_SIZE_BUDGET);
  }

  /** The size of one state's largest input, output or parameters (0 when never seen). */
  function sizeOf(run: PipelineRun, what: string) {
    return largest(run).find((s) => s.what === what)?.bytes ?? 0;
  }

  it('keeps every state, the execution input included, 64 KiB under 262,144 bytes when all 2,000 photos succeed', async () => {
    const run = await runPipeline(processingRequest(2000));

    expect(run.error).toBeUndefined();
    // Every state's events reached the log (see runPipeline): 2,000 iterations, each one task.
    expect(eventsOf(run, 'StateEntered', 'RenderPhoto')).toHaveLength(2000);
    expect(eventsOf(run, 'StateExited', 'RenderPhoto')).toHaveLength(2000);
    expect(eventsOf(run, 'StateExited', 'RenderPhotos')).toHaveLength(1);
    // The request (about 198 KB here) stays in the bucket: the input is a pointer to it.
    expect(sizeOf(run, 'execution input')).toBeLessThan(200);
    expect(sizeOf(run, 'Validate input')).toBe(sizeOf(run, 'execution input'));
    expect(sizeOf(run, 'RenderPhotos input')).toBeGreaterThan(100_000);
    expect(sizeOf(run, 'RenderPhotos output')).toBeGreaterThan(100_000);
    expect(overBudget(run)).toEqual([]);
  });

  it('keeps every state 64 KiB under 262,144 bytes when all 2,000 items fail with the longest Cause', async () => {
    const run = await runPipeline(processingRequest(1000, 1000), {
      RenderPhoto: () => {
        throw pipelineError('Runtime.OutOfMemory', 'x'.repeat(LONGEST_CAUSE));
      },
      Transcode: () => {
        throw pipelineError('States.TaskFailed', 'y'.repeat(LONGEST_CAUSE));
      },
    });

    expect(run.error).toBeUndefined();
    expect(consolidated(run)['photos']).toHaveLength(1000);
    expect(eventsOf(run, 'StateExited', 'RecordPhotoFailure')).toHaveLength(1000);
    expect(eventsOf(run, 'StateExited', 'RecordVideoFailure')).toHaveLength(1000);
    expect(eventsOf(run, 'StateExited', 'ProcessMedia')).toHaveLength(1);
    expect(overBudget(run)).toEqual([]);
  });

  it('keeps every state 64 KiB under 262,144 bytes when no failure can be recorded', async () => {
    const run = await runPipeline(processingRequest(2000), {
      RenderPhoto: () => {
        throw pipelineError('Runtime.OutOfMemory', 'x'.repeat(LONGEST_CAUSE));
      },
      RecordPhotoFailure: () => {
        throw pipelineError('Runtime.ExitError', 'z'.repeat(LONGEST_CAUSE));
      },
    });

    expect(run.error).toBeUndefined();
    expect(eventsOf(run, 'StateExited', 'PhotoFailed')).toHaveLength(2000);
    expect(overBudget(run)).toEqual([]);
  });

  it('keeps the failure path (the pointer and the longest Cause in the state) 64 KiB under 262,144 bytes', async () => {
    const run = await runPipeline(processingRequest(2000), {
      Validate: () => {
        throw pipelineError(PIPELINE_ERROR_NAMES.transient, 'v'.repeat(LONGEST_CAUSE));
      },
    });

    expect(run.error).toBeUndefined();
    expect(run.calls['Callback']).toHaveLength(1);
    expect(overBudget(run)).toEqual([]);
  });

  it('keeps a directly started execution (the request itself as its input) within 262,144 bytes', async () => {
    // A backend may start an execution with the request itself (docs/system.md): its input, and
    // Validate's, are then the request (about 198 KB here), whose bound is the request schema's;
    // the definition adds no more than the failure to it. Everything else keeps the headroom.
    const request = /^(execution input|Validate (input|parameters))$/;
    const failurePath = /^(Validate output|PipelineFailed|Consolidate)/;
    const runs = [
      await runPipeline(processingRequest(2000), {}, { startedWith: 'request' }),
      await runPipeline(
        processingRequest(2000),
        {
          Validate: () => {
            throw pipelineError(PIPELINE_ERROR_NAMES.transient, 'v'.repeat(LONGEST_CAUSE));
          },
        },
        { startedWith: 'request' },
      ),
    ];

    for (const run of runs) {
      expect(run.error).toBeUndefined();
      expect(sizeOf(run, 'execution input')).toBeGreaterThan(190_000);
      expect(largest(run).filter((s) => s.bytes > STATE_PAYLOAD_LIMIT)).toEqual([]);
      expect(
        overBudget(run).filter((s) => !request.test(s.what) && !failurePath.test(s.what)),
      ).toEqual([]);
    }
  });
});
