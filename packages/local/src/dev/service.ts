import { createWriteStream, type WriteStream } from 'node:fs';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { findPackageJSON } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ListingMediaResult } from '@toq/contracts';
import {
  DeliveryRecord,
  deliveryStateKey,
  parseExecutionInput,
  pointerTo,
  readJsonRecordIfPresent,
  readStoredRequest,
  resultStateKey,
  storeRequest,
  type ExecutionStarter,
  type ObjectStore,
  type StartExecutionRequest,
  type StartExecutionResult,
} from '@toq/lambdas';
import { QUEUE_SETTINGS, pipelineNames } from '@toq/lambdas/pipeline';
import {
  LOCAL_REGION,
  LOCAL_RUN_TIMING,
  ensureBucket,
  localAwsClients,
  wirePipeline,
  type PipelineWiring,
} from '../local-pipeline.ts';
import { LocalLog, type LogEntry } from '../local-logger.ts';
import type { LocalExecution, LocalStepFunctions } from '../local-step-functions.ts';
import { SqsQueue, pollQueue, type BatchHandler } from '../queue.ts';
import { describeDelivery } from '../run-listing.ts';
import { UsageError } from '../usage-error.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { DATA_FILES, type DevOptions } from './command-line.ts';
import {
  startDashboardServer,
  type DashboardServer,
  type ResendOutcome,
} from './dashboard-server.ts';
import { History, type RequestRecord, type ResultSummary } from './history.ts';
import { startLoopbackFauxqs, type LoopbackFauxqs } from './loopback-fauxqs.ts';
import { resolveWebhookSecret, type WebhookSecretSource } from './webhook-secret.ts';
import { LocalS3ObjectStore } from '../local-s3-object-store.ts';

/** `DIR/connection.json`: everything a backend needs to talk to the service, and nothing else. */
export interface Connection {
  /** The S3 + SQS endpoint (`endpoint_url`). */
  readonly endpoint: string;
  readonly region: string;
  /** The media bucket (path-style addressing). */
  readonly bucket: string;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  /** The `whsec_…` secret webhooks are signed with. */
  readonly webhookSecret: string;
  readonly dashboardUrl: string;
  /** `${dashboardUrl}schemas/`: the contracts' JSON Schemas. */
  readonly schemasUrl: string;
}

/** Options of {@link DevService.start}. */
export interface DevServiceOptions extends DevOptions {
  /** Where `TOQ_WEBHOOK_SECRET` is read. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The console: one line per request received and per execution finished. */
  readonly out: (line: string) => void;
}

/**
 * How long a stop waits for running executions before it interrupts them (they resume at the
 * next start), then for the tasks they had invoked to end.
 */
const STOP_GRACE_MS = 5000;

const clock = () => new Date().toTimeString().slice(0, 8);
const seconds = (from: Date, to: Date) =>
  `${((to.getTime() - from.getTime()) / 1000).toFixed(1)} s`;
const codeOf = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code;

/** The folder of `@toq/contracts`' JSON Schemas. */
function schemasDir(): string {
  const packageJson = findPackageJSON('@toq/contracts', import.meta.url);
  if (packageJson === undefined) throw new Error('Cannot find the @toq/contracts package');
  return join(dirname(packageJson), 'schemas');
}

/**
 * Makes the data folder and claims it: a second service on the same folder would share its
 * SQLite file and history. A claim left by a process that is gone is taken over.
 *
 * @returns what releases the claim.
 * @throws {UsageError} when the folder cannot be written, or another service holds it.
 */
async function claimDataDir(dir: string): Promise<() => Promise<void>> {
  const file = join(dir, DATA_FILES.lock);
  // Written whole beside it, then linked in place: a link fails when the claim exists, and a
  // claim is never seen without its process id.
  const mine = `${file}.${process.pid}.tmp`;
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(mine, `${process.pid}\n`);
    for (;;) {
      try {
        await link(mine, file);
        return () => rm(file, { force: true });
      } catch (error) {
        if (codeOf(error) !== 'EEXIST') throw error;
      }
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && isRunning(pid)) {
        throw new UsageError(
          `Another npm run dev (process ${pid}) is using the data folder ${dir}: stop it first, or pass another --data`,
        );
      }
      await rm(file, { force: true });
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`Cannot write to the data folder ${dir}: ${(error as Error).message}`);
  } finally {
    await rm(mine, { force: true }).catch(() => undefined);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return codeOf(error) === 'EPERM';
  }
}

/** A port taken by something else, as one line that says what to do. */
function portInUse(error: unknown, flag: string, port: number): unknown {
  return codeOf(error) === 'EADDRINUSE'
    ? new UsageError(
        `Port ${port} on 127.0.0.1 is already in use (another npm run dev, fauxqs or LocalStack?): stop it, or pass ${flag} with another port (0: any free one)`,
      )
    : error;
}

/**
 * The `start` function's {@link ExecutionStarter} in `npm run dev`: the local Step Functions
 * behind the execution journal ({@link History}). An execution is journaled before it starts
 * (and before its message is deleted), so a name the journal knows is `already-exists` even
 * after a restart: a redelivered message, or a request sent twice, starts nothing. The journal
 * keeps the request itself (the dashboard shows its items), read from the record the execution's
 * input points at.
 */
class JournaledStarter implements ExecutionStarter {
  constructor(
    private readonly stepFunctions: LocalStepFunctions,
    private readonly history: History,
    private readonly store: ObjectStore,
    private readonly onStarted: (name: string) => void,
  ) {}

  async start(request: StartExecutionRequest): Promise<StartExecutionResult> {
    if (this.history.hasExecution(request.name)) return { status: 'already-exists' };
    const given = parseExecutionInput(JSON.parse(request.input));
    const input =
      'pointer' in given ? await readStoredRequest(this.store, given.pointer) : given.request;
    await this.history.executionStarted(request.name, input);
    const started = await this.stepFunctions.start(request);
    this.onStarted(request.name);
    return started;
  }
}

/**
 * `npm run dev`: the pipeline as a long-running local service.
 * - fauxqs on 127.0.0.1 (one S3 + SQS endpoint) keeping its queues and messages in SQLite and
 *   its objects as files under the data folder, with the media bucket and both queues made with
 *   the deployed settings (a queue made by hand with other settings gets ours);
 * - the queue consumed as the event source mapping consumes it (long polls, batches of up to
 *   10, partial batch failures), each message handed to the `start` function, each execution
 *   running the deployed definition in process, then the webhook to the request's callback;
 * - the history and execution journal ({@link History}), the dashboard
 *   ({@link startDashboardServer}) and `connection.json`, written once everything answers.
 *
 * Executions the last stop interrupted are resumed under their names (the functions are
 * idempotent by key; a delivered webhook is not sent again).
 *
 * @example
 * const service = await DevService.start({ dataDir: '.local/dev', port: 4566, dashboardPort: 4567, allowedCallbackHosts: [], env: process.env, out: console.log });
 * console.log(service.connection.queueUrl);
 * await service.stop();
 * @throws {UsageError} on a port in use, a data folder that cannot be written, a bad secret.
 */
export class DevService {
  readonly #stopPolling = new AbortController();
  #polling: Promise<void> = Promise.resolve();
  readonly #finishing = new Set<Promise<void>>();
  readonly #resending = new Map<string, Promise<ResendOutcome>>();
  #stopped: Promise<void> | undefined;
  readonly #wiring: PipelineWiring;
  #dashboard: DashboardServer | undefined;
  #connection: Connection | undefined;

  private constructor(
    readonly dataDir: string,
    readonly secretSource: WebhookSecretSource,
    private readonly parts: {
      readonly fauxqs: LoopbackFauxqs;
      readonly s3: S3Client;
      readonly store: ObjectStore;
      readonly bucket: string;
      readonly queue: SqsQueue;
      readonly history: History;
      readonly logFile: WriteStream;
      readonly release: () => Promise<void>;
      readonly secret: string;
      readonly allowedCallbackHosts: readonly string[];
      readonly out: (line: string) => void;
    },
  ) {
    const { store, bucket, queue, history } = parts;
    this.#wiring = wirePipeline({
      ...LOCAL_RUN_TIMING,
      store,
      bucket,
      webhookSecret: parts.secret,
      allowedCallbackHosts: parts.allowedCallbackHosts,
      log: new LocalLog((entry) => {
        this.#writeLog(entry);
        this.#onStartLog(entry);
      }),
      deadLetterQueue: queue.deadLetterQueue,
      starter: (stepFunctions) =>
        new JournaledStarter(stepFunctions, history, store, (name) => this.#watch(name)),
      onEvent: (event, execution) => history.stateEvent(execution.name, event),
    });
  }

  static async start(options: DevServiceOptions): Promise<DevService> {
    const dataDir = resolve(options.dataDir);
    const release = await claimDataDir(dataDir);
    const closers: (() => Promise<void>)[] = [release];
    try {
      // A stale connection.json would send a waiting client to a service that is not up yet.
      await rm(join(dataDir, DATA_FILES.connection), { force: true });
      const { secret, source } = await resolveWebhookSecret(dataDir, options.env);
      const logFile = createWriteStream(join(dataDir, DATA_FILES.log), { flags: 'a' });
      closers.push(() => new Promise((done) => logFile.end(done)));
      const history = await History.open(join(dataDir, DATA_FILES.history), (error) =>
        options.out(`✗ the history could not be written: ${(error as Error).message}`),
      );

      let fauxqs: LoopbackFauxqs;
      try {
        fauxqs = await startLoopbackFauxqs({
          port: options.port,
          dataDir: join(dataDir, DATA_FILES.queues),
          s3StorageDir: join(dataDir, DATA_FILES.objects),
        });
      } catch (error) {
        throw portInUse(error, '--port', options.port);
      }
      closers.push(() => fauxqs.stop());
      const names = pipelineNames('local');
      const { s3, sqs } = localAwsClients(fauxqs.endpoint);
      await ensureBucket(s3, names.mediaBucket);
      const queue = await SqsQueue.create(sqs, {
        queue: names.queue,
        deadLetterQueue: names.deadLetterQueue,
      });
      for (const { queue: name, attribute, was, now } of queue.adjusted) {
        options.out(
          `Queue ${name} already existed with other settings: ${attribute} ${was ?? '(unset)'} → ${now}`,
        );
      }
      // Messages the last run had received but not finished with are its own: the one consumer
      // is gone, so they need not wait out the 60 s visibility timeout.
      for (const receiptHandle of fauxqs.inflightReceipts(names.queue)) {
        // One whose visibility ran out meanwhile is visible already.
        await queue.release({ receiptHandle }).catch(() => undefined);
      }

      const service = new DevService(dataDir, source, {
        fauxqs,
        s3,
        store: new LocalS3ObjectStore(s3, names.mediaBucket),
        bucket: names.mediaBucket,
        queue,
        history,
        logFile,
        release,
        secret,
        allowedCallbackHosts: options.allowedCallbackHosts,
        out: options.out,
      });
      let dashboard: DashboardServer;
      try {
        dashboard = await startDashboardServer(
          {
            history,
            store: service.parts.store,
            schemasDir: schemasDir(),
            resend: (name) => service.resend(name),
          },
          options.dashboardPort,
        );
      } catch (error) {
        throw portInUse(error, '--dashboard-port', options.dashboardPort);
      }
      closers.push(() => dashboard.close());
      service.#dashboard = dashboard;
      service.#connection = {
        endpoint: fauxqs.endpoint,
        region: LOCAL_REGION,
        bucket: names.mediaBucket,
        // fauxqs finds a queue by the URL's path: the same URL on the endpoint always works.
        queueUrl: new URL(new URL(queue.queueUrl).pathname, fauxqs.endpoint).href,
        dlqUrl: new URL(new URL(queue.deadLetterUrl).pathname, fauxqs.endpoint).href,
        webhookSecret: secret,
        dashboardUrl: dashboard.url,
        schemasUrl: `${dashboard.url}schemas/`,
      };
      await service.#resumeUnfinished();
      service.#startPolling();
      await writeFileAtomic(
        join(dataDir, DATA_FILES.connection),
        `${JSON.stringify(service.#connection, null, 2)}\n`,
        { mode: 0o600 },
      );
      service.#writeLog({ level: 'info', message: 'Started', endpoint: fauxqs.endpoint });
      return service;
    } catch (error) {
      for (const close of closers.reverse()) await close().catch(() => undefined);
      throw error;
    }
  }

  /** What `connection.json` holds. */
  get connection(): Connection {
    if (this.#connection === undefined) throw new Error('The service has not started');
    return this.#connection;
  }

  /**
   * Stops cleanly: stops receiving, lets running executions finish for the grace period, then
   * interrupts the rest (journaled: they resume at the next start), writes the history, closes
   * the dashboard and fauxqs and removes `connection.json`. Calling it again waits for the same
   * stop.
   */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  /**
   * Sends an execution's webhook again: forgets its delivery record (`delivery.json`), so the
   * `callback` function, which never repeats a delivered webhook, sends the stored result again
   * as its task would, then keeps the new record in the history. One at a time per execution.
   */
  resend(name: string): Promise<ResendOutcome> {
    const running = this.#resending.get(name);
    if (running) return running;
    const resending = this.#resend(name).finally(() => this.#resending.delete(name));
    this.#resending.set(name, resending);
    return resending;
  }

  async #resend(name: string): Promise<ResendOutcome> {
    const { history, store, s3 } = this.parts;
    const wiring = this.#wiring;
    const execution = history.execution(name);
    if (execution === undefined) return { ok: false, status: 404, message: `No execution ${name}` };
    if (execution.status === 'RUNNING') {
      return { ok: false, status: 409, message: `Execution ${name} is still running` };
    }
    const ctx = {
      listingId: execution.listingId,
      requestId: execution.requestId,
      executionName: name,
    };
    const resultKey = resultStateKey(ctx);
    const result = await readJsonRecordIfPresent(store, resultKey, ListingMediaResult);
    if (result === undefined) {
      return { ok: false, status: 409, message: `Execution ${name} has no result to send` };
    }
    await s3.send(
      new DeleteObjectCommand({ Bucket: this.parts.bucket, Key: deliveryStateKey(ctx) }),
    );
    try {
      await wiring.functions.callback({
        ctx,
        status: result.status,
        resultKey,
        callbackUrl: execution.callbackUrl,
      });
    } catch {
      // Not delivered: the delivery record says why.
    }
    const delivery = await readJsonRecordIfPresent(store, deliveryStateKey(ctx), DeliveryRecord);
    if (delivery === undefined) {
      return { ok: false, status: 502, message: `The webhook of ${name} could not be sent` };
    }
    await history.deliveryResent(name, delivery);
    this.parts.out(`[${clock()}] ↺ webhook of ${name} sent again: ${describeDelivery(delivery)}`);
    return { ok: true, delivery };
  }

  #startPolling(): void {
    const { queue, history, out } = this.parts;
    const wiring = this.#wiring;
    const handler: BatchHandler = async (messages) => {
      for (const message of messages)
        history.requestReceived(message.messageId, message.receiveCount ?? 1);
      const response = await wiring.start(messages);
      const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
      for (const { messageId } of messages) {
        let request = history.request(messageId);
        if (request?.outcome === 'invalid') {
          // Handled (not returned to the queue): the start function sent it to the DLQ itself.
          const deadLetter = failed.has(messageId) ? 'redrive' : 'sent';
          request = history.requestHandled(messageId, 'invalid', { deadLetter });
        }
        // Left for the redrive: said when first seen and when the DLQ takes it, not each time.
        const repeated =
          request?.deadLetter === 'redrive' &&
          request.receiveCount > 1 &&
          request.receiveCount < QUEUE_SETTINGS.maxReceiveCount;
        if (request && !repeated) out(describeRequest(request));
      }
      return response;
    };
    this.#polling = pollQueue(queue, handler, {
      signal: this.#stopPolling.signal,
      onError: (error) => out(`✗ receiving from the queue failed: ${(error as Error).message}`),
    });
  }

  /** A line of `dev.log`: the functions' entries, and the service's own (`function: 'dev'`). */
  #writeLog(entry: Partial<LogEntry> & Pick<LogEntry, 'level' | 'message'>): void {
    const line =
      entry.time === undefined
        ? { time: new Date().toISOString(), function: 'dev', ...entry }
        : entry;
    this.parts.logFile.write(`${JSON.stringify(line)}\n`);
  }

  /**
   * Reads what the `start` function logged about a message: the execution it started (or found),
   * or why the message can never be processed.
   */
  #onStartLog(entry: LogEntry): void {
    const { history } = this.parts;
    const messageId = entry['messageId'];
    if (entry.function !== 'start' || typeof messageId !== 'string') return;
    const executionName =
      typeof entry['executionName'] === 'string' ? entry['executionName'] : undefined;
    const ids = {
      ...(typeof entry['listingId'] === 'string' ? { listingId: entry['listingId'] } : {}),
      ...(typeof entry['requestId'] === 'string' ? { requestId: entry['requestId'] } : {}),
    };
    if (entry.level === 'error') {
      history.requestHandled(messageId, executionName ? 'start-failed' : 'invalid', {
        reason: reasonOf(entry),
        ...(executionName ? { executionName } : {}),
        ...ids,
      });
    } else if (executionName !== undefined) {
      history.requestHandled(messageId, history.linkRequest(messageId, executionName), {
        executionName,
        ...ids,
      });
    }
  }

  async #resumeUnfinished(): Promise<void> {
    const { history, store, out } = this.parts;
    const wiring = this.#wiring;
    for (const execution of history.unfinished()) {
      out(`[${clock()}] ↻ resuming execution ${execution.name} (the last stop interrupted it)`);
      await history.executionResumed(execution.name);
      // Started as `start` starts it: with a pointer to its stored request, stored again if it
      // is gone (a journal older than the pointers, or a data folder cleaned by hand).
      await storeRequest(store, execution.input);
      await wiring.stepFunctions.start({
        name: execution.name,
        input: JSON.stringify(pointerTo(execution.input)),
      });
      this.#watch(execution.name);
    }
  }

  /** Records the execution once it stops, and prints its line. */
  #watch(name: string): void {
    const execution = this.#wiring.stepFunctions.executions.get(name);
    if (execution === undefined) return;
    const finishing = execution.done
      .then(() => this.#finished(execution))
      .catch((error: unknown) =>
        this.parts.out(`✗ recording execution ${name} failed: ${(error as Error).message}`),
      )
      .finally(() => this.#finishing.delete(finishing));
    this.#finishing.add(finishing);
  }

  async #finished(execution: LocalExecution): Promise<void> {
    const { history, store, out } = this.parts;
    const wiring = this.#wiring;
    const at = execution.stoppedAt ?? new Date();
    if (execution.status === 'ABORTED' || execution.status === 'RUNNING') {
      await history.executionStopped(execution.name, { status: 'INTERRUPTED', at });
      out(
        `[${clock()}] ⏸ execution ${execution.name} interrupted by the stop: it resumes at the next start`,
      );
      wiring.stepFunctions.forget(execution.name);
      return;
    }
    const record = history.execution(execution.name);
    const scope = record ? { listingId: record.listingId, requestId: record.requestId } : undefined;
    const result = scope
      ? await readJsonRecordIfPresent(store, resultStateKey(scope), ListingMediaResult)
      : undefined;
    const delivery = scope
      ? await readJsonRecordIfPresent(store, deliveryStateKey(scope), DeliveryRecord)
      : undefined;
    const summary: ResultSummary | undefined =
      result && scope
        ? {
            status: result.status,
            ...result.summary,
            resultKey: resultStateKey(scope),
            ...(result.zip ? { zipKey: result.zip.key } : {}),
          }
        : undefined;
    await history.executionStopped(execution.name, {
      status: execution.status,
      at,
      ...(execution.error ? { error: execution.error } : {}),
      ...(summary ? { result: summary } : {}),
      ...(delivery ? { delivery } : {}),
    });
    wiring.stepFunctions.forget(execution.name);
    const took = seconds(execution.startedAt, at);
    const outcome = summary
      ? `${summary.status}, ${summary.succeeded} of ${summary.total} media`
      : `${execution.error?.Error ?? 'no result'}${execution.error?.Cause ? ` (${execution.error.Cause})` : ''}`;
    out(
      `[${clock()}] ${execution.status === 'SUCCEEDED' ? '✓' : '✗'} execution ${execution.name} ${execution.status} in ${took}: ${outcome}; webhook ${describeDelivery(delivery)}`,
    );
  }

  async #stop(): Promise<void> {
    const { history, fauxqs, release, logFile, out } = this.parts;
    const wiring = this.#wiring;
    this.#stopPolling.abort();
    await this.#polling;
    const running = () =>
      [...wiring.stepFunctions.executions.values()].filter((e) => e.status === 'RUNNING');
    if (running().length > 0) {
      out(
        `[${clock()}] waiting up to ${STOP_GRACE_MS / 1000} s for ${running().length} running execution(s)`,
      );
      await within(STOP_GRACE_MS, Promise.all(running().map((e) => e.done)));
      const left = running();
      for (const execution of left) wiring.stepFunctions.abort(execution.name);
      await Promise.all(left.map((e) => e.done));
      // A task already invoked runs on to its end, so that what it writes (a delivery record
      // after the webhook was accepted) lands before fauxqs closes; one more grace at most.
      await within(STOP_GRACE_MS, wiring.stepFunctions.invocationsSettled());
    }
    await Promise.all(this.#finishing);
    await history.flush();
    await this.#dashboard?.close();
    await fauxqs.stop();
    await rm(join(this.dataDir, DATA_FILES.connection), { force: true });
    await new Promise<void>((done) => logFile.end(done));
    await release();
  }
}

/** Waits for `work`, or `ms` at most. */
async function within(ms: number, work: Promise<unknown>): Promise<void> {
  const timer = new AbortController();
  await Promise.race([work, delay(ms, undefined, { signal: timer.signal }).catch(() => undefined)]);
  timer.abort();
}

/** Why the `start` function could not take a message: the reason it gave, or its log line. */
function reasonOf(entry: LogEntry): string {
  if (typeof entry['reason'] === 'string') return entry['reason'];
  const issues = entry['issues'];
  const details = Array.isArray(issues)
    ? issues
        .map((issue) => {
          const { path, message } = issue as { path?: unknown; message?: unknown };
          return `${String(path)}: ${String(message)}`;
        })
        .join('; ')
    : typeof entry['error'] === 'string'
      ? entry['error']
      : '';
  return details ? `${entry.message}: ${details}` : entry.message;
}

/** The console line of a message the `start` function was handed. */
function describeRequest(request: RequestRecord): string {
  const at = `[${clock()}]`;
  switch (request.outcome) {
    case 'started':
      return `${at} → message ${request.messageId}: request ${request.requestId ?? '?'} of listing ${request.listingId ?? '?'}, execution ${request.executionName ?? '?'} started`;
    case 'duplicate':
      return `${at} → message ${request.messageId}: execution ${request.executionName ?? '?'} already exists (a repeated request): nothing to do`;
    case 'invalid':
      return `${at} ✗ message ${request.messageId} can never be processed, ${request.deadLetter === 'sent' ? 'sent to the DLQ' : `receive ${request.receiveCount} of ${QUEUE_SETTINGS.maxReceiveCount} (then the redrive moves it to the DLQ)`}: ${request.reason ?? 'no reason given'}`;
    case 'start-failed':
      return `${at} ✗ message ${request.messageId}: execution ${request.executionName ?? '?'} could not start (retried): ${request.reason ?? 'no reason given'}`;
    case 'received':
      return `${at} → message ${request.messageId} received`;
  }
}
