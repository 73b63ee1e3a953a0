import { EventEmitter } from 'node:events';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ProcessingRequest, safeParse, type ListingStatus } from '@toq/contracts';
import type { DeliveryRecord } from '@toq/lambdas';
import type { EventLog } from '../local-step-functions.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { UsageError } from '../usage-error.ts';

/**
 * What became of a message the `start` function was handed: `received` (not yet known),
 * `started` (its execution began),
 * `duplicate` (an execution of that name was already there: a redelivery or a request sent
 * twice), `invalid` (it can never parse: the DLQ takes it), `start-failed` (starting failed; the
 * message is retried).
 */
export type RequestOutcome = 'received' | 'started' | 'duplicate' | 'invalid' | 'start-failed';

/** One message of the queue, as the service saw it (one record per message id). */
export interface RequestRecord {
  readonly messageId: string;
  readonly firstReceivedAt: string;
  lastReceivedAt: string;
  /** Times the `start` function was handed it (`ApproximateReceiveCount` of the last receive). */
  receiveCount: number;
  outcome: RequestOutcome;
  /** Why it is `invalid` or `start-failed`, as the `start` function logged it. */
  reason?: string;
  /**
   * For an `invalid` one: `sent` when the `start` function sent it to the DLQ at once (with its
   * reason), `redrive` when it was left for the queue's redrive (after five receives).
   */
  deadLetter?: 'sent' | 'redrive';
  executionName?: string;
  listingId?: string;
  requestId?: string;
}

/** How an execution stands: `INTERRUPTED` ones (the service stopped) resume at the next start. */
export type ExecutionRecordStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'INTERRUPTED';

/** One state the execution went through (each Map iteration's states are their own). */
export interface StateRecord {
  readonly name: string;
  /** `Task`, `Map`, `Parallel`, `Pass`, … */
  readonly type: string;
  /** The Map iteration it belongs to. */
  readonly index?: number;
  /** Which run of the execution (1, then 2 after a resume, …). */
  readonly run: number;
  readonly enteredAt: string;
  exitedAt?: string;
  status: 'running' | 'succeeded' | 'failed' | 'caught' | 'interrupted';
  retries: number;
  /** The error name when it failed or was caught. */
  error?: string;
}

/** A webhook delivery record (`delivery.json`), and when and why it was made. */
export type DeliveryEntry = DeliveryRecord & {
  readonly recordedAt: string;
  /** `execution`: the `Callback` state; `resend`: the dashboard's "send again". */
  readonly trigger: 'execution' | 'resend';
};

/** The outcome the consolidated result (`result.json`) gives. */
export interface ResultSummary {
  readonly status: ListingStatus;
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly resultKey: string;
  readonly zipKey?: string;
}

/** One execution: the journal entry that makes it survive a restart, and its history. */
export interface ExecutionRecord {
  readonly name: string;
  readonly listingId: string;
  readonly requestId: string;
  readonly callbackUrl: string;
  /**
   * The request as the `start` function parsed it: what the execution works on (its input is a
   * pointer to the request's `request.json`).
   */
  readonly input: ProcessingRequest;
  /** The message that started it. */
  messageId?: string;
  status: ExecutionRecordStatus;
  readonly startedAt: string;
  stoppedAt?: string;
  /** 1, and one more each time it is resumed after a stop. */
  runs: number;
  error?: { readonly Error: string; readonly Cause: string };
  states: StateRecord[];
  deliveries: DeliveryEntry[];
  result?: ResultSummary;
}

/** What changed: the dashboard redraws that record. */
export type HistoryChange =
  | { readonly kind: 'request'; readonly request: RequestRecord }
  | { readonly kind: 'execution'; readonly execution: ExecutionRecord };

/** How the history is written: at most this often per record (ms), and at once when it matters. */
const FLUSH_DELAY_MS = 250;

const REQUESTS_FILE = 'requests.json';
const EXECUTIONS_DIR = 'executions';
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,200}$/;

/** Whether `name` can be an execution name (and so a file name of the history). */
export function isExecutionName(name: string): boolean {
  return EXECUTION_NAME.test(name);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A history file read back, checked enough to be used: a damaged one is named, not guessed at. */
function checkExecution(value: unknown, file: string): ExecutionRecord {
  const damaged = (why: string) =>
    new UsageError(`${file} is damaged (${why}): move it away to start without it`);
  if (!isRecord(value) || typeof value['name'] !== 'string' || !isExecutionName(value['name'])) {
    throw damaged('no execution name');
  }
  const input = safeParse(ProcessingRequest, value['input']);
  if (!input.ok) throw damaged(`its input is not a ProcessingRequest: ${input.error.message}`);
  if (!['RUNNING', 'SUCCEEDED', 'FAILED', 'INTERRUPTED'].includes(String(value['status']))) {
    throw damaged(`unknown status ${JSON.stringify(value['status'])}`);
  }
  if (!Array.isArray(value['states']) || !Array.isArray(value['deliveries'])) {
    throw damaged('no states or deliveries');
  }
  return { ...(value as unknown as ExecutionRecord), input: input.value };
}

function checkRequests(value: unknown, file: string): RequestRecord[] {
  if (
    !Array.isArray(value) ||
    !value.every((r) => isRecord(r) && typeof r['messageId'] === 'string')
  ) {
    throw new UsageError(
      `${file} is damaged (not a list of requests): move it away to start without it`,
    );
  }
  return value as RequestRecord[];
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(
      `${file} is damaged (${(error as Error).message}): move it away to start without it`,
    );
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * What `npm run dev` has seen and done, kept in `{dataDir}/history/`: every message handed to the
 * `start` function (`requests.json`) and every execution (`executions/{name}.json`: its request,
 * status, each state's times, webhook deliveries, the result's summary). It is also the
 * execution journal: an execution is written before its message is deleted, so a restart knows
 * every execution started (a redelivered message starts nothing) and resumes those that were
 * running. Every change is emitted as a `change` event ({@link HistoryChange}) for the dashboard;
 * files are written atomically, each at most every 250 ms, and at once on start and stop.
 *
 * @example
 * const history = await History.open('.local/dev/history', console.error);
 * history.on('change', (change) => console.log(change.kind));
 */
export class History extends EventEmitter<{ change: [HistoryChange] }> {
  readonly #requests = new Map<string, RequestRecord>();
  readonly #executions = new Map<string, ExecutionRecord>();
  readonly #dirtyExecutions = new Set<string>();
  #requestsDirty = false;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    private readonly onWriteError: (error: unknown) => void,
  ) {
    super();
  }

  /**
   * Reads the history kept in `dir` (an empty one when there is none). A write that fails later
   * (disk full) is handed to `onWriteError`; the history goes on in memory.
   *
   * @throws {UsageError} when a file of it is damaged.
   */
  static async open(dir: string, onWriteError: (error: unknown) => void): Promise<History> {
    const history = new History(dir, onWriteError);
    await mkdir(join(dir, EXECUTIONS_DIR), { recursive: true });
    const requestsFile = join(dir, REQUESTS_FILE);
    try {
      for (const request of checkRequests(await readJson(requestsFile), requestsFile)) {
        history.#requests.set(request.messageId, request);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const entry of await readdir(join(dir, EXECUTIONS_DIR))) {
      if (!entry.endsWith('.json')) continue;
      const file = join(dir, EXECUTIONS_DIR, entry);
      const execution = checkExecution(await readJson(file), file);
      history.#executions.set(execution.name, execution);
    }
    return history;
  }

  /** Every message seen, the newest first. */
  requests(): RequestRecord[] {
    return [...this.#requests.values()].sort((a, b) =>
      b.firstReceivedAt.localeCompare(a.firstReceivedAt),
    );
  }

  /** Every execution, the newest first. */
  executions(): ExecutionRecord[] {
    return [...this.#executions.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  request(messageId: string): RequestRecord | undefined {
    return this.#requests.get(messageId);
  }

  execution(name: string): ExecutionRecord | undefined {
    return this.#executions.get(name);
  }

  /** Executions the last stop interrupted (or a crash left running): to be resumed. */
  unfinished(): ExecutionRecord[] {
    return this.executions().filter((e) => e.status === 'RUNNING' || e.status === 'INTERRUPTED');
  }

  /** A message handed to the `start` function (again, when it was seen before). */
  requestReceived(messageId: string, receiveCount: number, at = new Date()): RequestRecord {
    const now = at.toISOString();
    const known = this.#requests.get(messageId);
    const request: RequestRecord = known ?? {
      messageId,
      firstReceivedAt: now,
      lastReceivedAt: now,
      receiveCount,
      outcome: 'received',
    };
    request.lastReceivedAt = now;
    request.receiveCount = Math.max(receiveCount, known ? known.receiveCount + 1 : receiveCount);
    this.#requests.set(messageId, request);
    this.#requestChanged(request);
    return request;
  }

  /** What the `start` function made of a message. */
  requestHandled(
    messageId: string,
    outcome: Exclude<RequestOutcome, 'received'>,
    details: Pick<
      RequestRecord,
      'reason' | 'deadLetter' | 'executionName' | 'listingId' | 'requestId'
    > = {},
  ): RequestRecord | undefined {
    const request = this.#requests.get(messageId);
    if (request === undefined) return undefined;
    request.outcome = outcome;
    Object.assign(request, details);
    this.#requestChanged(request);
    return request;
  }

  /** Whether an execution of that name was ever started (the journal's question). */
  hasExecution(name: string): boolean {
    return this.#executions.has(name);
  }

  /**
   * Journals a new execution, synchronously in memory (so a duplicate in the same batch finds
   * it), and resolves once it is on disk.
   */
  executionStarted(name: string, input: ProcessingRequest, at = new Date()): Promise<void> {
    const execution: ExecutionRecord = {
      name,
      listingId: input.listingId,
      requestId: input.requestId,
      callbackUrl: input.callback.url,
      input,
      status: 'RUNNING',
      startedAt: at.toISOString(),
      runs: 1,
      states: [],
      deliveries: [],
    };
    this.#executions.set(name, execution);
    this.emit('change', { kind: 'execution', execution });
    return this.#writeNow(execution).catch((error: unknown) => {
      // Not journaled, not started: the message is retried and must find no execution.
      this.#executions.delete(name);
      throw error;
    });
  }

  /** Links the message that started (or repeated) an execution to it; says which it was. */
  linkRequest(messageId: string, executionName: string): 'started' | 'duplicate' {
    const execution = this.#executions.get(executionName);
    if (execution === undefined) return 'duplicate';
    if (execution.messageId === undefined) {
      execution.messageId = messageId;
      this.#executionChanged(execution);
    }
    return execution.messageId === messageId ? 'started' : 'duplicate';
  }

  /** An interrupted execution runs again under its name: a new run of its states. */
  executionResumed(name: string): Promise<void> {
    const execution = this.#executions.get(name);
    if (execution === undefined) return Promise.resolve();
    for (const state of execution.states) {
      if (state.status === 'running') state.status = 'interrupted';
    }
    execution.status = 'RUNNING';
    execution.runs += 1;
    delete execution.stoppedAt;
    this.emit('change', { kind: 'execution', execution });
    return this.#writeNow(execution);
  }

  /** One event of the local Step Functions: a state entered, left, retried, failed or caught. */
  stateEvent(name: string, event: EventLog): void {
    const execution = this.#executions.get(name);
    if (execution === undefined || !('state' in event)) return;
    const index = 'index' in event && typeof event.index === 'number' ? event.index : undefined;
    const open = () =>
      execution.states.findLast(
        (s) => s.name === event.state.name && s.index === index && s.status === 'running',
      );
    switch (event.type) {
      case 'StateEntered':
        execution.states.push({
          name: event.state.name,
          type: event.state.type,
          ...(index === undefined ? {} : { index }),
          run: execution.runs,
          enteredAt: iso(event.timestamp),
          status: 'running',
          retries: 0,
        });
        break;
      case 'StateExited': {
        const state = open();
        if (state) Object.assign(state, { status: 'succeeded', exitedAt: iso(event.timestamp) });
        break;
      }
      case 'StateRetried': {
        const state = open();
        if (state) state.retries += 1;
        break;
      }
      case 'StateFailed':
      case 'StateCaught': {
        const state =
          open() ??
          execution.states.findLast((s) => s.name === event.state.name && s.index === index);
        if (state === undefined) break;
        state.status = event.type === 'StateFailed' ? 'failed' : 'caught';
        state.exitedAt ??= iso(event.timestamp);
        if (event.type === 'StateFailed') state.error = event.Error;
        break;
      }
    }
    this.#executionChanged(execution);
  }

  /** The execution stopped (or was interrupted by a stop of the service): written at once. */
  executionStopped(
    name: string,
    outcome: {
      readonly status: Exclude<ExecutionRecordStatus, 'RUNNING'>;
      readonly at: Date;
      readonly error?: { readonly Error: string; readonly Cause: string };
      readonly result?: ResultSummary;
      readonly delivery?: DeliveryRecord;
    },
  ): Promise<void> {
    const execution = this.#executions.get(name);
    if (execution === undefined) return Promise.resolve();
    execution.status = outcome.status;
    execution.stoppedAt = outcome.at.toISOString();
    if (outcome.error) execution.error = outcome.error;
    else delete execution.error;
    if (outcome.result) execution.result = outcome.result;
    if (outcome.status === 'INTERRUPTED') {
      for (const state of execution.states) {
        if (state.status === 'running') state.status = 'interrupted';
      }
    }
    if (outcome.delivery) this.#addDelivery(execution, outcome.delivery, 'execution');
    this.emit('change', { kind: 'execution', execution });
    return this.#writeNow(execution);
  }

  /** A delivery the dashboard's "send again" made. */
  deliveryResent(name: string, delivery: DeliveryRecord): Promise<void> {
    const execution = this.#executions.get(name);
    if (execution === undefined) return Promise.resolve();
    this.#addDelivery(execution, delivery, 'resend');
    this.emit('change', { kind: 'execution', execution });
    return this.#writeNow(execution);
  }

  /** Writes everything not yet on disk; resolves when it is. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const executions = [...this.#dirtyExecutions].flatMap((name) => {
      const execution = this.#executions.get(name);
      return execution ? [execution] : [];
    });
    this.#dirtyExecutions.clear();
    const requests = this.#requestsDirty ? this.requests().reverse() : undefined;
    this.#requestsDirty = false;
    const write = this.#writing.then(async () => {
      for (const execution of executions) await this.#write(execution);
      if (requests) {
        await writeFileAtomic(
          join(this.dir, REQUESTS_FILE),
          `${JSON.stringify(requests, null, 1)}\n`,
        );
      }
    });
    this.#writing = write.catch(() => undefined);
    await write;
  }

  #addDelivery(
    execution: ExecutionRecord,
    delivery: DeliveryRecord,
    trigger: DeliveryEntry['trigger'],
  ): void {
    const last = execution.deliveries.at(-1);
    // The same record read again: a resumed execution whose webhook had been delivered.
    const same =
      last !== undefined &&
      last.webhookId === delivery.webhookId &&
      last.attempts.length === delivery.attempts.length &&
      last.attempts.at(-1)?.at === delivery.attempts.at(-1)?.at;
    if (same) return;
    execution.deliveries.push({ ...delivery, recordedAt: new Date().toISOString(), trigger });
  }

  #requestChanged(request: RequestRecord): void {
    this.#requestsDirty = true;
    this.emit('change', { kind: 'request', request });
    this.#schedule();
  }

  #executionChanged(execution: ExecutionRecord): void {
    this.#dirtyExecutions.add(execution.name);
    this.emit('change', { kind: 'execution', execution });
    this.#schedule();
  }

  #schedule(): void {
    this.#timer ??= setTimeout(() => void this.flush().catch(this.onWriteError), FLUSH_DELAY_MS);
  }

  #writeNow(execution: ExecutionRecord): Promise<void> {
    this.#dirtyExecutions.delete(execution.name);
    const write = this.#writing.then(() => this.#write(execution));
    this.#writing = write.catch(() => undefined);
    return write;
  }

  #write(execution: ExecutionRecord): Promise<void> {
    return writeFileAtomic(
      join(this.dir, EXECUTIONS_DIR, `${execution.name}.json`),
      `${JSON.stringify(execution, null, 1)}\n`,
    );
  }
}
