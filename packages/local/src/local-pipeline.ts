import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { fromBufferPromise } from 'yauzl';
import {
  DEFAULT_RETRY_POLICY,
  FsObjectStore,
  createStartHandler,
  type DeadLetterQueue,
  type ExecutionStarter,
  type ObjectStore,
  type RetryPolicy,
} from '@toq/lambdas';
import { ZipperArchiveWriter } from '@toq/lambdas/archive';
import { ThumbnailsRenderer } from '@toq/lambdas/renderer';
import { HttpWebhookSender } from '@toq/lambdas/webhook-sender';
import {
  DEFAULT_MAX_PHOTO_BYTES,
  DEFAULT_MAX_VIDEO_BYTES,
  pipelineNames,
} from '@toq/lambdas/pipeline';
import type { SQSBatchResponse } from 'aws-lambda';
import { startLoopbackFauxqs } from './dev/loopback-fauxqs.ts';
import { FfmpegTranscoder } from './ffmpeg-transcoder.ts';
import { localContext } from './local-context.ts';
import type { ZipListing } from './contact-sheet.ts';
import { scaledClock } from './local-clock.ts';
import { LocalLog, type LogEntry } from './local-logger.ts';
import {
  LocalStepFunctions,
  type ConcurrencyLimits,
  type EventLog,
  type LocalExecution,
} from './local-step-functions.ts';
import { localFunctions, type LocalFunction, type TaskFunctionId } from './pipeline-functions.ts';
import {
  InMemoryQueue,
  SqsQueue,
  drainQueue,
  sqsRecord,
  type BatchMessage,
  type BatchReport,
  type MessageQueue,
} from './queue.ts';
import { StaticSecretSource, newWebhookSecret } from './static-secret.ts';
import { startWebhookReceiver, type WebhookReceiver } from '@toq/lambdas/webhook-receiver';
import { LocalS3ObjectStore } from './local-s3-object-store.ts';

/** The region of the local stand-ins (the ARNs, the SDK clients). */
export const LOCAL_REGION = 'us-east-1';

/** Credentials a local S3/SQS server accepts (fauxqs ignores them; the SDK needs some). */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * S3 (path-style) and SQS clients for a local S3/SQS server such as fauxqs.
 *
 * @example
 * const { s3, sqs } = localAwsClients('http://127.0.0.1:4566');
 */
export function localAwsClients(endpoint: string): { s3: S3Client; sqs: SQSClient } {
  const aws = { region: LOCAL_REGION, endpoint, credentials: LOCAL_CREDENTIALS };
  return { s3: new S3Client({ ...aws, forcePathStyle: true }), sqs: new SQSClient(aws) };
}

/** Creates `bucket` unless it exists. */
export async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
}

/** Where the media bucket lives. */
export type StoreChoice =
  | { readonly kind: 'fs'; readonly root: string }
  | {
      readonly kind: 's3';
      /** An S3-compatible server (path-style); without one, fauxqs is started in process. */
      readonly endpoint?: string;
      readonly bucket?: string;
    };

/** How the functions and the local Step Functions behave: the knobs of a local run. */
export interface PipelineTuning {
  /**
   * `ffmpeg`'s path, with `ffprobe` beside it. Default: the build npm installed, or the PATH's when
   * newer (`locateFfmpeg`). A missing one fails videos with `TRANSCODE_FAILED`, as MediaConvert would.
   */
  readonly ffmpegPath?: string;
  /** x264 preset of the stand-in transcoder. Default `veryfast`. */
  readonly ffmpegPreset?: string;
  /** Scales the functions' own waits (webhook backoff). Default 1; tests use 0. */
  readonly timeScale?: number;
  /** Every state `Retry` waits this long (ms). Default 0. */
  readonly retryDelayMs?: number;
  /** The callback function's own retry policy. Default the function's. */
  readonly webhookRetry?: RetryPolicy;
  readonly concurrency?: Partial<ConcurrencyLimits>;
  readonly onEvent?: (event: EventLog, execution: LocalExecution) => void;
}

/**
 * The waits of a run a person watches (`npm start`, `npm run dev`): a quarter of the functions'
 * own backoff and 1 s per state retry, so a webhook endpoint that is down costs seconds, not the
 * 21 minutes Step Functions would wait.
 */
export const LOCAL_RUN_TIMING = {
  timeScale: 0.25,
  retryDelayMs: 1000,
} as const satisfies PipelineTuning;

/** Options of {@link wirePipeline}. */
export interface PipelineWiringOptions extends PipelineTuning {
  /** The media bucket as the functions see it. */
  readonly store: ObjectStore;
  readonly bucket: string;
  readonly webhookSecret: string;
  /**
   * Hosts the webhook may go to besides loopback (plain http to `localhost`, `127.0.0.0/8` and
   * `::1` is always allowed locally; production allows none of it).
   */
  readonly allowedCallbackHosts: readonly string[];
  readonly log: LocalLog;
  /** Where the `start` function sends a message that can never parse (the queue's DLQ). */
  readonly deadLetterQueue: DeadLetterQueue;
  /**
   * What the `start` function starts executions with. Default: the local Step Functions itself
   * (`npm run dev` puts its journal in between, so executions are known across restarts).
   */
  readonly starter?: (stepFunctions: LocalStepFunctions) => ExecutionStarter;
}

/** The pipeline's functions, wired once on a store: what `npm start` and `npm run dev` share. */
export interface PipelineWiring {
  readonly stepFunctions: LocalStepFunctions;
  /** The six task functions (`callback` is re-run to send a webhook again). */
  readonly functions: Readonly<Record<TaskFunctionId, LocalFunction>>;
  /**
   * The `start` function, built by its handler's factory, on the local Step Functions: the
   * messages handed over as the event source mapping hands them (an `SQSEvent`), with a local
   * Lambda context.
   */
  start(messages: readonly BatchMessage[]): Promise<SQSBatchResponse>;
}

/**
 * The composition root of a local run: the six task functions on their local adapters (sharp,
 * the zipper, the webhook sender allowing loopback, a scaled clock), Step Functions executing the
 * deployed definition with MediaConvert stood in for by ffmpeg, and the `start` function in front
 * of it, as the queue's event source mapping calls it (storing each request in the same store,
 * and starting its execution with a pointer to it).
 *
 * @example
 * const wiring = wirePipeline({ store, bucket, webhookSecret, allowedCallbackHosts: [], log, deadLetterQueue });
 * await wiring.start([{ messageId: 'm-1', body: JSON.stringify(request) }]);
 * await wiring.stepFunctions.settle();
 */
export function wirePipeline(options: PipelineWiringOptions): PipelineWiring {
  const { store, bucket, log } = options;
  const functions = localFunctions({
    store,
    bucket,
    renderer: new ThumbnailsRenderer(),
    archive: new ZipperArchiveWriter(),
    sender: new HttpWebhookSender({
      secret: new StaticSecretSource(options.webhookSecret),
      allowedHosts: options.allowedCallbackHosts,
      allowLoopback: true,
    }),
    clock: scaledClock(options.timeScale ?? 1),
    log,
    limits: { photo: DEFAULT_MAX_PHOTO_BYTES, video: DEFAULT_MAX_VIDEO_BYTES },
    webhookRetry: options.webhookRetry ?? DEFAULT_RETRY_POLICY,
  });
  const stepFunctions = new LocalStepFunctions({
    functions,
    transcoder: new FfmpegTranscoder(store, {
      bucket,
      ...(options.ffmpegPath ? { ffmpegPath: options.ffmpegPath } : {}),
      ...(options.ffmpegPath ? { ffprobePath: join(options.ffmpegPath, '..', 'ffprobe') } : {}),
      ...(options.ffmpegPreset ? { preset: options.ffmpegPreset } : {}),
    }),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    retryDelayMs: options.retryDelayMs ?? 0,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  const startFunction = createStartHandler({
    starter: options.starter?.(stepFunctions) ?? stepFunctions,
    store,
    deadLetterQueue: options.deadLetterQueue,
    logger: (keys, context) => log.forFunction('start', keys, context),
  });
  const names = pipelineNames('local');
  const queueArn = `arn:aws:sqs:${LOCAL_REGION}:000000000000:${names.queue}`;
  return {
    stepFunctions,
    functions,
    start: (messages) =>
      startFunction(
        { Records: messages.map((message) => sqsRecord(message, queueArn)) },
        localContext(names.functions.start),
      ),
  };
}

/** Options of {@link LocalPipeline.create}. */
export interface LocalPipelineOptions extends PipelineTuning {
  readonly store: StoreChoice;
  /**
   * Where the webhook goes: a URL, or (default) a local receiver that verifies the signature.
   * Receiver answers can be scripted with `receiverStatuses`.
   */
  readonly callbackUrl?: string;
  readonly receiverStatuses?: readonly number[];
  /** The signing secret. Default: a fresh one. */
  readonly webhookSecret?: string;
  /** Wraps the store the functions use (the tests inject faults here). */
  readonly wrapStore?: (store: ObjectStore) => ObjectStore;
  readonly onLog?: (entry: LogEntry) => void;
}

/**
 * `npm start`'s pipeline: {@link wirePipeline} on the media bucket (filesystem directory or S3 on
 * a local server), the ingest queue and its DLQ (in memory, or SQS on a local server) drained as
 * Lambda's event source mapping drains it, and the backend's webhook receiver.
 *
 * @example
 * const pipeline = await LocalPipeline.create({ store: { kind: 'fs', root: '.local/bucket' } });
 * await pipeline.queue.send(JSON.stringify(request));
 * const { executions } = await pipeline.drain();
 * await pipeline.close();
 */
export class LocalPipeline {
  /** Batches the event source mapping handed to `start`, over every drain. */
  readonly batches: BatchReport[] = [];

  private constructor(
    /** The store as the functions see it (wrapped, when `wrapStore` is given). */
    readonly store: ObjectStore,
    /** The store itself, unwrapped (what the backend uploads to and the runner reads). */
    readonly rawStore: ObjectStore,
    readonly bucket: string,
    readonly queue: MessageQueue,
    private readonly wiring: PipelineWiring,
    readonly log: LocalLog,
    readonly webhookSecret: string,
    /** The local receiver, when no callback URL was given. */
    readonly receiver: WebhookReceiver | undefined,
    readonly callbackUrl: string,
    /** Where the bucket is, in words: a directory, or `s3://{bucket}` on an endpoint. */
    readonly location: string,
    private readonly closers: readonly (() => Promise<void>)[],
  ) {}

  static async create(options: LocalPipelineOptions): Promise<LocalPipeline> {
    const closers: (() => Promise<void>)[] = [];
    try {
      const names = pipelineNames('local');
      const log = new LocalLog(options.onLog);
      let rawStore: ObjectStore;
      let queue: MessageQueue;
      let bucket = names.mediaBucket;
      let location: string;
      if (options.store.kind === 'fs') {
        await mkdir(options.store.root, { recursive: true });
        rawStore = new FsObjectStore(options.store.root);
        location = options.store.root;
        queue = new InMemoryQueue();
      } else {
        let endpoint = options.store.endpoint;
        if (endpoint === undefined) {
          const server = await startLoopbackFauxqs({ port: 0 });
          closers.push(() => server.stop());
          endpoint = server.endpoint;
        }
        location = `s3://${options.store.bucket ?? bucket} on ${endpoint}${options.store.endpoint === undefined ? ' (fauxqs in process: gone when the run ends)' : ''}`;
        bucket = options.store.bucket ?? bucket;
        const { s3, sqs } = localAwsClients(endpoint);
        await ensureBucket(s3, bucket);
        rawStore = new LocalS3ObjectStore(s3, bucket);
        queue = await SqsQueue.create(sqs, {
          queue: names.queue,
          deadLetterQueue: names.deadLetterQueue,
        });
      }
      const store = options.wrapStore ? options.wrapStore(rawStore) : rawStore;
      const webhookSecret = options.webhookSecret ?? newWebhookSecret();
      let receiver: WebhookReceiver | undefined;
      let callbackUrl = options.callbackUrl;
      if (callbackUrl === undefined) {
        const started = await startWebhookReceiver({
          secret: webhookSecret,
          ...(options.receiverStatuses ? { statuses: options.receiverStatuses } : {}),
        });
        closers.push(() => started.close());
        receiver = started;
        callbackUrl = started.url;
      }
      const callbackHost = URL.canParse(callbackUrl) ? new URL(callbackUrl).hostname : '';
      const wiring = wirePipeline({
        ...options,
        store,
        bucket,
        webhookSecret,
        allowedCallbackHosts: callbackHost ? [callbackHost] : [],
        log,
        deadLetterQueue: queue.deadLetterQueue,
      });
      return new LocalPipeline(
        store,
        rawStore,
        bucket,
        queue,
        wiring,
        log,
        webhookSecret,
        receiver,
        callbackUrl,
        location,
        closers,
      );
    } catch (error) {
      for (const close of closers.reverse()) await close();
      throw error;
    }
  }

  /** The local Step Functions: every execution started so far. */
  get stepFunctions(): LocalStepFunctions {
    return this.wiring.stepFunctions;
  }

  /** The `start` function, as the event source mapping calls it ({@link PipelineWiring.start}). */
  start(messages: readonly BatchMessage[]): Promise<SQSBatchResponse> {
    return this.wiring.start(messages);
  }

  /**
   * Runs the event source mapping until the queue is empty, then waits for every execution.
   *
   * @returns the executions (all of them so far) and the batches of this drain.
   */
  async drain(): Promise<{ executions: LocalExecution[]; batches: BatchReport[] }> {
    const batches = await drainQueue(this.queue, (records) => this.start(records));
    this.batches.push(...batches);
    return { executions: await this.stepFunctions.settle(), batches };
  }

  /** The zip at `key` with its SHA-256 and central directory. */
  async readZip(key: string): Promise<ZipListing> {
    const buffer = await this.rawStore.getBuffer(key);
    const zip = await fromBufferPromise(buffer, { lazyEntries: true });
    const entries: { path: string; bytes: number }[] = [];
    for await (const entry of zip.eachEntry()) {
      entries.push({ path: entry.fileName, bytes: entry.uncompressedSize });
    }
    zip.close();
    return {
      key,
      bytes: buffer.length,
      sha256: createHash('sha256').update(buffer).digest('hex'),
      entries,
    };
  }

  /** Stops what the pipeline started (receiver, in-process server). */
  async close(): Promise<void> {
    for (const close of [...this.closers].reverse()) await close();
  }
}
