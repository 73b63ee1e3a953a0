import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { PIPELINE_ERROR_NAMES, executionName } from '@toq/contracts';
import { definitionValues, pipelineNames, renderDefinition } from '@toq/lambdas/pipeline';

/**
 * Runs the deployed definition file in process with `aws-local-stepfunctions`, every Task state
 * overridden by a fake that follows docs/pipeline.md's shapes. Lambda tasks are wrapped as
 * `lambda:invoke` answers (`{ StatusCode, Payload }`) so that `$.Payload` selectors run as on AWS.
 */

type Json = unknown;
/** The interpreter's JSON type (not exported by name). */
type LibJson = Parameters<StateMachine['run']>[0];
export type JsonObject = Record<string, unknown>;

/** Stand-in ARNs for the placeholders (what CloudFormation substitutes on AWS). */
export const FAKE_ARNS = definitionValues(pipelineNames('staging'), {
  account: '058264253741',
  region: 'us-east-1',
});

/** An error as a function throws it: Step Functions matches `name` (Lambda's `errorType`). */
export function pipelineError(name: string, message = `${name} (test)`): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
export const transientError = () => pipelineError(PIPELINE_ERROR_NAMES.transient);

export interface MediaRef {
  mediaId: string;
  ext: string;
}

/** A `ProcessingRequest` with `photos` photos and `videos` videos (ids are UUIDs). */
export function processingRequest(photos: number, videos = 0) {
  const listingId = '4f8a5d36-27b4-4b8f-9d38-5ef1c3b0a001';
  const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;
  const media = [
    ...Array.from({ length: photos }, (_, i) => ({
      mediaId: uuid(i),
      mediaType: 'photo',
      ext: 'jpg',
      bytes: 4_194_304,
    })),
    ...Array.from({ length: videos }, (_, i) => ({
      mediaId: uuid(100_000 + i),
      mediaType: 'video',
      ext: 'mp4',
      bytes: 104_857_600,
    })),
  ];
  return {
    schemaVersion: 1,
    requestId: 'req-2026-11-25-0001',
    listingId,
    media,
    callback: { url: 'https://api.toq.example/webhooks/listing-media' },
  };
}
export type Request = ReturnType<typeof processingRequest>;

/**
 * The execution's input as the `start` function gives it: a pointer to the request it stored at
 * `_pipeline/{listingId}/{requestId}/request.json`.
 */
export function pointerTo(request: { listingId: string; requestId: string }) {
  return { storedRequest: { listingId: request.listingId, requestId: request.requestId } };
}

/** A Task's fake: gets the task's input (after Parameters), returns its result or throws. */
export type Fake = (input: JsonObject) => Promise<Json> | Json;

/**
 * The pipeline's happy fakes, keyed by Task state name. Tests replace the ones they need.
 * `stored` is the request `start` stored: Validate reads it when its input is a pointer.
 */
export function happyFakes(stored: Json): Record<string, Fake> {
  return {
    Validate: ({ request, executionName: name }) => {
      const given = request as JsonObject;
      const req = ('storedRequest' in given ? stored : given) as unknown as Request;
      const refs = (type: string) =>
        req.media
          .filter((m) => m.mediaType === type)
          .map((m) => ({ mediaId: m.mediaId, ext: m.ext }));
      return {
        ctx: { listingId: req.listingId, requestId: req.requestId, executionName: name as string },
        photos: refs('photo'),
        videos: refs('video'),
      };
    },
    RenderPhoto: ({ mediaId }) => ({ mediaId, status: 'succeeded' }),
    PrepareTranscode: ({ mediaId }) => ({
      settings: { Inputs: [{ FileInput: `s3://toq-listing-medias/raw/${String(mediaId)}` }] },
    }),
    FinishVideo: ({ mediaId }) => ({ mediaId, status: 'succeeded' }),
    RecordPhotoFailure: ({ mediaId }) => ({ mediaId, status: 'failed' }),
    RecordVideoFailure: ({ mediaId }) => ({ mediaId, status: 'failed' }),
    BundleZip: ({ ctx }) => {
      const { listingId } = ctx as { listingId: string };
      return { key: `${listingId}/processed/zip/${listingId}.zip`, bytes: 1234, entries: 4 };
    },
    Consolidate: ({ state }) => {
      const s = state as JsonObject;
      const ids = (s['storedRequest'] ?? s) as JsonObject;
      const ctx = (s['ctx'] ?? {
        listingId: ids['listingId'],
        requestId: ids['requestId'],
        executionName: 'from-request',
      }) as JsonObject;
      const outcomes = [
        ...((s['photos'] as JsonObject[]) ?? []),
        ...((s['videos'] as JsonObject[]) ?? []),
      ];
      const failed = 'failure' in s || outcomes.some((o) => o['status'] === 'failed');
      return {
        ctx,
        status: 'failure' in s ? 'failed' : failed ? 'partially_failed' : 'succeeded',
        resultKey: `_pipeline/${String(ctx['listingId'])}/${String(ctx['requestId'])}/result.json`,
        callbackUrl: 'https://api.toq.example/webhooks/listing-media',
      };
    },
    Callback: () => ({ delivered: true, attempts: 1, statusCode: 204 }),
  };
}

/** The Task states that are Lambda invocations (all but Transcode, a MediaConvert job). */
const LAMBDA_TASKS = [
  'Validate',
  'RenderPhoto',
  'PrepareTranscode',
  'FinishVideo',
  'RecordPhotoFailure',
  'RecordVideoFailure',
  'BundleZip',
  'Consolidate',
  'Callback',
];

/** What one run did: its output or error, every event, and each fake's inputs in call order. */
export interface PipelineRun {
  /** The execution's input: the pointer, or the request itself (`startedWith: 'request'`). */
  readonly input: Json;
  readonly output: Json | undefined;
  readonly error: Error | undefined;
  readonly events: readonly Record<string, unknown>[];
  readonly calls: Readonly<Record<string, JsonObject[]>>;
}

/** How the execution is started. */
export interface RunOptions {
  /**
   * `'pointer'` (default): as the `start` function starts it, the input a pointer to the stored
   * request; `'request'`: as a backend calling StartExecution itself may, the input the request.
   */
  readonly startedWith?: 'pointer' | 'request';
}

/**
 * Runs the definition on `request` with `fakes` (a Lambda task's fake receives the `Payload` and
 * its result is wrapped as `{ StatusCode: 200, Payload }`; Transcode's receives the CreateJob
 * parameters and returns the job). Retries wait no time.
 */
export async function runPipeline(
  request: Json,
  overrides: Partial<Record<string, Fake>> = {},
  options: RunOptions = {},
): Promise<PipelineRun> {
  const fakes = { ...happyFakes(request), ...overrides } as Record<string, Fake>;
  const calls: Record<string, JsonObject[]> = {};
  const record = (state: string, input: JsonObject) => (calls[state] ??= []).push(input);
  const handlers: Record<string, (input: LibJson) => Promise<LibJson>> = {};
  for (const state of LAMBDA_TASKS) {
    handlers[state] = async (input) => {
      // aws-local-stepfunctions forwards the events of Map iterations and Parallel branches to
      // the run's log asynchronously (microtasks) and stops the log at the execution's end: a
      // task that yields to the event loop first lets every earlier event arrive. The tests
      // check the counts, so a lost event fails them instead of shrinking what they measure.
      await new Promise((resolve) => setImmediate(resolve));
      const { Payload } = input as { Payload: JsonObject; FunctionName: string };
      record(state, input as JsonObject);
      const fake = fakes[state];
      if (fake === undefined) throw new Error(`no fake for ${state}`);
      const answer = { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: await fake(Payload) };
      return answer as LibJson;
    };
  }
  handlers['Transcode'] = async (input) => {
    record('Transcode', input as JsonObject);
    const custom = overrides['Transcode'];
    if (custom) return (await custom(input as JsonObject)) as LibJson;
    const meta = (input as { UserMetadata: { mediaId: string } }).UserMetadata;
    return {
      Job: {
        Id: `job-${meta.mediaId}`,
        Status: 'COMPLETE',
        OutputGroupDetails: [{ OutputDetails: [{ DurationInMs: 3000 }] }],
      },
    };
  };

  const definition = renderDefinition(FAKE_ARNS) as unknown as StateMachineDefinition;
  const { listingId, requestId } = request as { listingId?: string; requestId?: string };
  const name =
    listingId !== undefined && requestId !== undefined
      ? executionName(listingId, requestId)
      : 'invalid-request';
  const retryable = [...LAMBDA_TASKS, 'Transcode'];
  const input = (
    options.startedWith === 'request' || listingId === undefined || requestId === undefined
      ? request
      : pointerTo({ listingId, requestId })
  ) as LibJson;
  const run = new StateMachine(definition).run(input, {
    context: { Execution: { Name: name } },
    overrides: {
      taskResourceLocalHandlers: handlers,
      retryIntervalOverrides: Object.fromEntries(retryable.map((state) => [state, 0])),
    },
  });
  const events: Record<string, unknown>[] = [];
  const collecting = (async () => {
    for await (const event of run.eventLogs)
      events.push(event as unknown as Record<string, unknown>);
  })();
  let output: Json | undefined;
  let error: Error | undefined;
  try {
    output = (await run.result) as Json;
  } catch (caught) {
    error = caught as Error;
  }
  await collecting;
  return { input, output, error, events, calls };
}

/** The events of one type (and state, when given). */
export function eventsOf(run: PipelineRun, type: string, state?: string) {
  return run.events.filter(
    (e) =>
      e['type'] === type &&
      (state === undefined || (e['state'] as { name?: string })?.name === state),
  );
}

/** `list[index]`, or a test failure naming what is missing. */
export function at<T>(list: readonly T[] | undefined, index: number): T {
  const item = list?.[index];
  if (item === undefined) throw new Error(`expected an item at [${index}], received none`);
  return item;
}

/** The `state` Consolidate received (its first call). */
export function consolidated(run: PipelineRun): JsonObject {
  const payload = at(run.calls['Consolidate'], 0)['Payload'] as { state: JsonObject };
  return payload.state;
}
