import { availableParallelism } from 'node:os';
import pLimit, { type LimitFunction } from 'p-limit';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type {
  ExecutionStarter,
  StartExecutionRequest,
  StartExecutionResult,
  TranscodeSettings,
} from '@toq/lambdas';
import {
  DEFINITION_PLACEHOLDERS,
  definitionValues,
  pipelineNames,
  placeholderFunction,
  renderDefinition,
} from '@toq/lambdas/pipeline';
import type { VideoTranscoder } from './video-transcoder.ts';
import type { LocalFunction, TaskFunctionId } from './pipeline-functions.ts';

/** One event of an execution's log (the package declares the type but does not export it). */
export type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** Step Functions' limit on a state's input or output (bytes, UTF-8). */
export const STATE_PAYLOAD_LIMIT = 262_144;

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const MEDIACONVERT_SYNC = 'arn:aws:states:::mediaconvert:createJob.sync';

/** How many invocations of each function (and MediaConvert jobs) run at once. */
export type ConcurrencyLimits = Readonly<Record<TaskFunctionId | 'mediaconvert', number>>;

/**
 * Local "reserved concurrency": the definition's Map allows 20 photos at once (Lambda runs them
 * on 20 machines); here they share this machine's cores, so the thumbnails function runs one
 * invocation per core, ffmpeg one job at a time, and the light functions a few.
 */
export function defaultConcurrency(): ConcurrencyLimits {
  const cores = Math.max(1, availableParallelism());
  return {
    validate: 2,
    thumbnails: cores,
    transcode: 4,
    zip: 1,
    consolidate: 2,
    callback: 2,
    mediaconvert: 1,
  };
}

/** How a local execution ended (or that it has not yet); `ABORTED`: by {@link LocalStepFunctions.abort}. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

/** What the run of one state cost, summed over its invocations. */
export interface TaskTiming {
  invocations: number;
  totalMs: number;
}

/** One execution of the local state machine, as `DescribeExecution` (and its history) tell. */
export interface LocalExecution {
  readonly name: string;
  readonly input: unknown;
  readonly startedAt: Date;
  status: ExecutionStatus;
  stoppedAt?: Date;
  output?: unknown;
  error?: { readonly Error: string; readonly Cause: string };
  /** Per Task state: invocations and the time they ran (queueing for a slot excluded). */
  readonly tasks: Record<string, TaskTiming>;
  /** Per state: how many times it was retried, and caught. */
  readonly retries: Record<string, number>;
  readonly caught: Record<string, number>;
  /** The largest state input or output seen, and every one over {@link STATE_PAYLOAD_LIMIT}. */
  largestState: { readonly what: string; readonly bytes: number };
  readonly oversizedStates: { readonly what: string; readonly bytes: number }[];
  /** Resolves when the execution has stopped (never rejects). */
  readonly done: Promise<void>;
}

/** Options of {@link LocalStepFunctions}. */
export interface LocalStepFunctionsOptions {
  /** The task functions, bound by the `FunctionName` each Lambda task names. */
  readonly functions: Readonly<Record<TaskFunctionId, LocalFunction>>;
  /** What runs `mediaconvert:createJob.sync` tasks (the ffmpeg stand-in). */
  readonly transcoder: VideoTranscoder;
  /** Stage of the stand-in ARNs (`listing-media-validate-{stage}`). Default `local`. */
  readonly stage?: string;
  /** Default {@link defaultConcurrency}. */
  readonly concurrency?: Partial<ConcurrencyLimits>;
  /**
   * How long every `Retry` waits, in ms, instead of the definition's backoff (2 s to minutes,
   * with jitter). Default 0.
   */
  readonly retryDelayMs?: number;
  /** Called with every event of every execution (the progress display listens here). */
  readonly onEvent?: (event: EventLog, execution: LocalExecution) => void;
}

/** The Task states of a definition, nested ones (Map, Parallel) included. */
function taskStates(states: Record<string, unknown>): { name: string; resource: string }[] {
  const found: { name: string; resource: string }[] = [];
  for (const [name, raw] of Object.entries(states)) {
    const state = raw as {
      Type?: string;
      Resource?: string;
      Branches?: { States: Record<string, unknown> }[];
      ItemProcessor?: { States: Record<string, unknown> };
      Iterator?: { States: Record<string, unknown> };
    };
    if (state.Type === 'Task') found.push({ name, resource: state.Resource ?? '' });
    for (const branch of state.Branches ?? []) found.push(...taskStates(branch.States));
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) found.push(...taskStates(processor.States));
  }
  return found;
}

/** States with a `Retry`, nested ones included. */
function retryingStates(states: Record<string, unknown>): string[] {
  const found: string[] = [];
  for (const [name, raw] of Object.entries(states)) {
    const state = raw as {
      Retry?: unknown[];
      Branches?: { States: Record<string, unknown> }[];
      ItemProcessor?: { States: Record<string, unknown> };
    };
    if (state.Retry?.length) found.push(name);
    for (const branch of state.Branches ?? []) found.push(...retryingStates(branch.States));
    if (state.ItemProcessor) found.push(...retryingStates(state.ItemProcessor.States));
  }
  return found;
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');

/** An error as a Lambda function reports it: Step Functions matches its `name`. */
function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * Step Functions on this machine: executes the deployed definition file
 * (`@toq/lambdas/pipeline`'s `definition.asl.json`, placeholders filled with stand-in ARNs) with
 * `aws-local-stepfunctions`. Every `lambda:invoke` task calls the function its `FunctionName`
 * names, in process, and answers as Lambda does (`{ StatusCode: 200, Payload }`, the payload
 * round-tripped through JSON); the `mediaconvert:createJob.sync` task runs the transcoder and
 * answers with the finished job. It is also the `start` function's {@link ExecutionStarter}:
 * executions are named, and a second start of a name returns `already-exists`, as Step Functions
 * does for a standard workflow.
 *
 * @example
 * const sfn = new LocalStepFunctions({ functions, transcoder });
 * await sfn.start({ name: executionName(listingId, requestId), input: JSON.stringify(request) });
 * const [execution] = await sfn.settle();
 */
export class LocalStepFunctions implements ExecutionStarter {
  readonly executions = new Map<string, LocalExecution>();
  readonly #definition: StateMachineDefinition;
  readonly #tasks: { name: string; resource: string }[];
  readonly #byArn = new Map<string, TaskFunctionId>();
  readonly #limiters: Record<keyof ConcurrencyLimits, LimitFunction>;
  readonly #retryOverrides: Record<string, number>;
  readonly #stateMachineArn: string;
  /** How to stop each running execution. */
  readonly #aborts = new Map<string, () => void>();
  /** Executions stopped by {@link abort}: their queued invocations never start. */
  readonly #aborted = new Set<string>();
  /** The task invocations running now (started, not queued for a slot). */
  readonly #running = new Set<Promise<unknown>>();

  constructor(private readonly options: LocalStepFunctionsOptions) {
    const names = pipelineNames(options.stage ?? 'local');
    const arns = definitionValues(names, { account: ACCOUNT, region: REGION });
    this.#stateMachineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${names.stateMachine}`;
    this.#definition = renderDefinition(arns) as unknown as StateMachineDefinition;

    for (const placeholder of DEFINITION_PLACEHOLDERS) {
      const fn = placeholderFunction(placeholder);
      if (fn && fn !== 'start') this.#byArn.set(arns[placeholder], fn);
    }
    const limits = { ...defaultConcurrency(), ...options.concurrency };
    this.#limiters = Object.fromEntries(
      Object.entries(limits).map(([fn, limit]) => [fn, pLimit(limit)]),
    ) as Record<keyof ConcurrencyLimits, LimitFunction>;
    this.#tasks = taskStates(this.#definition.States);
    for (const { name, resource } of this.#tasks) {
      if (resource !== LAMBDA_INVOKE && resource !== MEDIACONVERT_SYNC) {
        throw new Error(
          `The local runner cannot run the Task state "${name}": expected a Resource of ${LAMBDA_INVOKE} or ${MEDIACONVERT_SYNC}, received ${resource}`,
        );
      }
    }
    this.#retryOverrides = Object.fromEntries(
      retryingStates(this.#definition.States).map((name) => [name, options.retryDelayMs ?? 0]),
    );
  }

  /** The stand-in state machine ARN (`…:stateMachine:listing-media-processing-local`). */
  get stateMachineArn(): string {
    return this.#stateMachineArn;
  }

  async start(request: StartExecutionRequest): Promise<StartExecutionResult> {
    if (this.executions.has(request.name)) return { status: 'already-exists' };
    this.#aborted.delete(request.name);
    const input = JSON.parse(request.input) as unknown;
    const startedAt = new Date();
    let finish!: () => void;
    const execution: LocalExecution = {
      name: request.name,
      input,
      startedAt,
      status: 'RUNNING',
      tasks: {},
      retries: {},
      caught: {},
      largestState: { what: 'none', bytes: 0 },
      oversizedStates: [],
      done: new Promise<void>((resolve) => (finish = resolve)),
    };
    this.executions.set(request.name, execution);
    void this.#run(execution).finally(finish);
    return {
      status: 'started',
      executionArn: `${this.#stateMachineArn.replace(':stateMachine:', ':execution:')}:${request.name}`,
    };
  }

  /** Waits until every execution started so far has stopped; returns them in start order. */
  async settle(): Promise<LocalExecution[]> {
    for (;;) {
      const running = [...this.executions.values()].filter((e) => e.status === 'RUNNING');
      if (running.length === 0) return [...this.executions.values()];
      await Promise.all(running.map((e) => e.done));
    }
  }

  /**
   * Stops a running execution where it is, as `StopExecution` does: it ends `ABORTED`; a task
   * already invoked runs on to its end, but no further state starts.
   *
   * @returns whether the execution was running.
   */
  abort(name: string): boolean {
    const abort = this.#aborts.get(name);
    if (abort === undefined) return false;
    this.#aborted.add(name);
    abort();
    return true;
  }

  /**
   * Resolves once no task invocation is running (those of aborted executions included), so
   * that what they write has landed before the stores close.
   */
  async invocationsSettled(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /**
   * Drops a stopped execution from {@link executions}: a long-running service keeps its own
   * record and need not hold every input and output in memory. A running one is kept.
   */
  forget(name: string): void {
    if (this.executions.get(name)?.status !== 'RUNNING') this.executions.delete(name);
  }

  /** Each Task state's local handler, timing its invocations into `execution`. */
  #handlersFor(execution: LocalExecution): Record<string, (input: unknown) => Promise<unknown>> {
    const timed = async <T>(state: string, work: () => Promise<T>): Promise<T> => {
      if (this.#aborted.has(execution.name)) {
        throw named('States.Aborted', `Execution ${execution.name} was aborted`);
      }
      const started = performance.now();
      const running = work();
      this.#running.add(running);
      try {
        return await running;
      } finally {
        this.#running.delete(running);
        const timing = (execution.tasks[state] ??= { invocations: 0, totalMs: 0 });
        timing.invocations += 1;
        timing.totalMs += performance.now() - started;
      }
    };
    return Object.fromEntries(
      this.#tasks.map(({ name, resource }) => [
        name,
        resource === LAMBDA_INVOKE
          ? (input: unknown) =>
              this.#invokeLambda(input as { FunctionName: string; Payload: unknown }, (work) =>
                timed(name, work),
              )
          : (input: unknown) =>
              this.#limiters.mediaconvert(() =>
                timed(name, () => this.#transcode(input as { Settings: TranscodeSettings })),
              ),
      ]),
    );
  }

  async #run(execution: LocalExecution): Promise<void> {
    const run = new StateMachine(this.#definition).run(execution.input as never, {
      context: {
        Execution: {
          Id: `${this.#stateMachineArn.replace(':stateMachine:', ':execution:')}:${execution.name}`,
          Name: execution.name,
          Input: execution.input as never,
          StartTime: execution.startedAt.toISOString(),
        },
      },
      overrides: {
        taskResourceLocalHandlers: this.#handlersFor(execution) as never,
        retryIntervalOverrides: this.#retryOverrides,
      },
    });
    this.#aborts.set(execution.name, () => run.abort());
    const collecting = (async () => {
      for await (const event of run.eventLogs) this.#record(execution, event);
    })();
    try {
      execution.output = await run.result;
      execution.status = 'SUCCEEDED';
    } catch (error) {
      const failed = error as { name?: string; message?: string; cause?: unknown };
      if (this.#aborted.has(execution.name)) execution.status = 'ABORTED';
      else {
        execution.status = 'FAILED';
        execution.error ??= { Error: failed.name ?? 'Error', Cause: failed.message ?? '' };
      }
    } finally {
      this.#aborts.delete(execution.name);
    }
    await collecting;
    execution.stoppedAt = new Date();
  }

  #record(execution: LocalExecution, event: EventLog): void {
    if (event.type === 'StateEntered' || event.type === 'StateExited') {
      const what = `${event.state.name} ${event.type === 'StateEntered' ? 'input' : 'output'}`;
      const size = bytes(event.type === 'StateEntered' ? event.state.input : event.state.output);
      if (size > execution.largestState.bytes) execution.largestState = { what, bytes: size };
      if (size > STATE_PAYLOAD_LIMIT) execution.oversizedStates.push({ what, bytes: size });
    } else if (event.type === 'StateRetried') {
      execution.retries[event.state.name] = (execution.retries[event.state.name] ?? 0) + 1;
    } else if (event.type === 'StateCaught') {
      execution.caught[event.state.name] = (execution.caught[event.state.name] ?? 0) + 1;
    } else if (event.type === 'ExecutionFailed') {
      execution.error = { Error: event.Error, Cause: String(event.Cause ?? '') };
    }
    this.options.onEvent?.(event, execution);
  }

  async #invokeLambda(
    input: { FunctionName: string; Payload: unknown },
    timed: (work: () => Promise<unknown>) => Promise<unknown>,
  ): Promise<unknown> {
    // The interpreter forwards Map and Parallel events to the log asynchronously: yielding once
    // lets every earlier event reach it before this task's own.
    await new Promise((resolve) => setImmediate(resolve));
    const fn = this.#byArn.get(input.FunctionName);
    if (fn === undefined) {
      throw named('Lambda.ResourceNotFoundException', `Function not found: ${input.FunctionName}`);
    }
    const handler = this.options.functions[fn];
    // Timed inside the limiter: the time an invocation ran, not the time it queued.
    const result = await this.#limiters[fn](() => timed(() => handler(input.Payload)));
    return {
      StatusCode: 200,
      ExecutedVersion: '$LATEST',
      Payload: JSON.parse(JSON.stringify(result ?? null)) as unknown,
    };
  }

  async #transcode(input: { Settings: TranscodeSettings }): Promise<unknown> {
    const job = await this.options.transcoder.transcode(input.Settings);
    return JSON.parse(JSON.stringify(job)) as unknown;
  }
}
