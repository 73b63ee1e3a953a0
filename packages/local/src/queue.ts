import { createHash, randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeadLetterQueue } from '@toq/lambdas';
import { SqsDeadLetterQueue } from '@toq/lambdas/dead-letter-queue';
import { QUEUE_SETTINGS } from '@toq/lambdas/pipeline';
import type { SQSRecord } from 'aws-lambda';

/** A message as a receive hands it out. */
export interface ReceivedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly receiptHandle: string;
  /** How many times it has been received, this time included (`ApproximateReceiveCount`). */
  readonly receiveCount: number;
}

/**
 * The ingest queue and its DLQ, as the local run uses them: the backend's `SendMessage`, and what
 * Lambda's SQS event source mapping does (receive a batch, delete what the function handled,
 * return the rest). Two twins: {@link InMemoryQueue} (the default, no server) and
 * {@link SqsQueue} (a real SQS-protocol server such as fauxqs).
 */
export interface MessageQueue {
  send(body: string): Promise<string>;
  /** Up to `max` visible messages; each becomes invisible until deleted or released. */
  receive(max: number, options?: ReceiveOptions): Promise<ReceivedMessage[]>;
  delete(message: ReceivedMessage): Promise<void>;
  /** Makes a received message visible again at once (its visibility timeout cut short). */
  release(message: Pick<ReceivedMessage, 'receiptHandle'>): Promise<void>;
  /** The bodies in the dead-letter queue (read without consuming them). */
  deadLetters(): Promise<string[]>;
  /** The DLQ as the `start` function sends to it: a message that can never parse, at once. */
  readonly deadLetterQueue: DeadLetterQueue;
}

/** How long a receive may wait for a first message (long polling), and what cancels it. */
export interface ReceiveOptions {
  /** Up to 20 s, as SQS allows. Default 0: answer at once. */
  readonly waitSeconds?: number;
  /** Ends the wait early (the receive then rejects with an `AbortError`). */
  readonly signal?: AbortSignal;
}

interface Stored {
  readonly messageId: string;
  readonly body: string;
  receiveCount: number;
  receipt: string | undefined;
}

/**
 * The queue in memory, with SQS's redrive rule: a message received `QUEUE_SETTINGS.maxReceiveCount`
 * (5) times and not deleted moves to the DLQ instead of being received a sixth time. A receive
 * answers at once (`npm start` drains it; only a server's queue is long-polled).
 */
export class InMemoryQueue implements MessageQueue {
  readonly #messages: Stored[] = [];
  readonly #dead: string[] = [];
  readonly deadLetterQueue: DeadLetterQueue = {
    send: async (letter) => {
      this.#dead.push(letter.body);
    },
  };

  constructor(private readonly maxReceiveCount: number = QUEUE_SETTINGS.maxReceiveCount) {}

  async send(body: string): Promise<string> {
    const messageId = randomUUID();
    this.#messages.push({ messageId, body, receiveCount: 0, receipt: undefined });
    return messageId;
  }

  async receive(max: number): Promise<ReceivedMessage[]> {
    const batch: ReceivedMessage[] = [];
    for (const message of [...this.#messages]) {
      if (batch.length >= max) break;
      if (message.receipt !== undefined) continue;
      if (message.receiveCount >= this.maxReceiveCount) {
        this.#messages.splice(this.#messages.indexOf(message), 1);
        this.#dead.push(message.body);
        continue;
      }
      message.receiveCount += 1;
      message.receipt = randomUUID();
      batch.push({
        messageId: message.messageId,
        body: message.body,
        receiptHandle: message.receipt,
        receiveCount: message.receiveCount,
      });
    }
    return batch;
  }

  async delete(received: ReceivedMessage): Promise<void> {
    const index = this.#messages.findIndex((m) => m.receipt === received.receiptHandle);
    if (index >= 0) this.#messages.splice(index, 1);
  }

  async release(received: Pick<ReceivedMessage, 'receiptHandle'>): Promise<void> {
    const message = this.#messages.find((m) => m.receipt === received.receiptHandle);
    if (message) message.receipt = undefined;
  }

  async deadLetters(): Promise<string[]> {
    return [...this.#dead];
  }
}

/** Names of the queue pair (the spec's names carry the stage). */
export interface SqsQueueNames {
  readonly queue: string;
  readonly deadLetterQueue: string;
}

/** An attribute a queue that already existed had, and the value it was given. */
export interface AdjustedAttribute {
  readonly queue: string;
  readonly attribute: string;
  /** Absent when the queue did not have it. */
  readonly was?: string;
  readonly now: string;
}

/**
 * Creates the queue `name` with `attributes`, or, when a queue of that name already exists with
 * other values (made by hand, or by an older version: SQS answers `QueueNameExists`), sets its
 * attributes to these and says which ones changed.
 */
async function ensureQueue(
  client: SQSClient,
  name: string,
  attributes: Readonly<Record<string, string>>,
): Promise<{ url: string; adjusted: AdjustedAttribute[] }> {
  try {
    const created = await client.send(
      new CreateQueueCommand({ QueueName: name, Attributes: { ...attributes } }),
    );
    return { url: created.QueueUrl as string, adjusted: [] };
  } catch (error) {
    // SQS's query-compatible answer: `AWS.SimpleQueueService.QueueNameExists`.
    if (!/QueueNameExists$/.test((error as Error).name)) throw error;
  }
  const { QueueUrl: url } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
  const current = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
  );
  await client.send(
    new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { ...attributes } }),
  );
  const before: Readonly<Record<string, string | undefined>> = current.Attributes ?? {};
  const adjusted = Object.entries(attributes)
    .filter(([attribute, value]) => before[attribute] !== value)
    .map(([attribute, now]) => {
      const was = before[attribute];
      return { queue: name, attribute, ...(was === undefined ? {} : { was }), now };
    });
  return { url: url as string, adjusted };
}

/**
 * The queue on an SQS-protocol server (fauxqs on 127.0.0.1 in the tests, `--store s3` and
 * `npm run dev`): created as the stack creates it, with the deployed `QUEUE_SETTINGS` (visibility
 * 60 s, long polling 20 s, retention 4 days, DLQ after 5 receives, DLQ retention 14 days). A queue
 * of that name that already exists with other settings is reused with its settings set to these
 * ({@link SqsQueue.adjusted} says what changed). A released message's visibility is set to 0 so
 * the local run need not wait out the 60 s.
 *
 * @example
 * const queue = await SqsQueue.create(new SQSClient({ endpoint }), { queue: 'q', deadLetterQueue: 'q-dlq' });
 */
export class SqsQueue implements MessageQueue {
  readonly deadLetterQueue: DeadLetterQueue;

  private constructor(
    private readonly client: SQSClient,
    /** The queue's URL as the server gave it. */
    readonly queueUrl: string,
    readonly deadLetterUrl: string,
    /** The settings a queue that already existed was given (empty when both were created). */
    readonly adjusted: readonly AdjustedAttribute[],
  ) {
    this.deadLetterQueue = new SqsDeadLetterQueue(client, deadLetterUrl);
  }

  /** Creates (or finds, and sets the settings of) the queue and its DLQ. */
  static async create(client: SQSClient, names: SqsQueueNames): Promise<SqsQueue> {
    const dlq = await ensureQueue(client, names.deadLetterQueue, {
      MessageRetentionPeriod: String(QUEUE_SETTINGS.deadLetterRetentionSeconds),
    });
    const attributes = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.url, AttributeNames: ['QueueArn'] }),
    );
    const queue = await ensureQueue(client, names.queue, {
      VisibilityTimeout: String(QUEUE_SETTINGS.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(QUEUE_SETTINGS.retentionSeconds),
      ReceiveMessageWaitTimeSeconds: String(QUEUE_SETTINGS.receiveWaitSeconds),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: attributes.Attributes?.['QueueArn'],
        maxReceiveCount: QUEUE_SETTINGS.maxReceiveCount,
      }),
    });
    return new SqsQueue(client, queue.url, dlq.url, [...dlq.adjusted, ...queue.adjusted]);
  }

  async send(body: string): Promise<string> {
    const out = await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: body }),
    );
    return out.MessageId as string;
  }

  async receive(max: number, options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    const out = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: Math.min(max, 10),
        WaitTimeSeconds: options.waitSeconds ?? 0,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
      options.signal ? { abortSignal: options.signal } : {},
    );
    return (out.Messages ?? []).map((m) => ({
      messageId: m.MessageId as string,
      body: m.Body ?? '',
      receiptHandle: m.ReceiptHandle as string,
      receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
    }));
  }

  async delete(message: ReceivedMessage): Promise<void> {
    await this.client.send(
      new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: message.receiptHandle }),
    );
  }

  async release(message: Pick<ReceivedMessage, 'receiptHandle'>): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: message.receiptHandle,
        VisibilityTimeout: 0,
      }),
    );
  }

  async deadLetters(): Promise<string[]> {
    const bodies: string[] = [];
    const handles: string[] = [];
    for (;;) {
      const out = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.deadLetterUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 30,
        }),
      );
      const messages = out.Messages ?? [];
      if (messages.length === 0) break;
      for (const m of messages) {
        bodies.push(m.Body ?? '');
        handles.push(m.ReceiptHandle as string);
      }
    }
    // Put them back: reading the DLQ must not consume it.
    await Promise.all(
      handles.map((handle) =>
        this.client.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: this.deadLetterUrl,
            ReceiptHandle: handle,
            VisibilityTimeout: 0,
          }),
        ),
      ),
    );
    return bodies;
  }
}

/** What one poll did. */
export interface BatchReport {
  readonly received: number;
  readonly failed: number;
}

/** A message as the event source mapping hands it to the `start` function. */
export type BatchMessage = Pick<ReceivedMessage, 'messageId' | 'body'> &
  Partial<Pick<ReceivedMessage, 'receiveCount'>>;

/** The `start` function as the event source mapping calls it. */
export type BatchHandler = (
  messages: readonly BatchMessage[],
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

/**
 * One message as Lambda's SQS event source mapping delivers it (an `SQSRecord` of the
 * `SQSEvent`), from the queue `queueArn`.
 *
 * @example
 * await start({ Records: messages.map((m) => sqsRecord(m, queueArn)) }, context);
 */
export function sqsRecord(message: BatchMessage, queueArn: string): SQSRecord {
  const now = String(Date.now());
  return {
    messageId: message.messageId,
    receiptHandle: `local-${message.messageId}`,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount ?? 1),
      SentTimestamp: now,
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(message.body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? 'us-east-1',
  };
}

/**
 * One batch as the event source mapping handles it: hands it to the `start` function, deletes
 * the messages it handled and releases the ones it reported in `batchItemFailures`
 * (`ReportBatchItemFailures`) at once, rather than after the visibility timeout: a local run need
 * not wait 60 s per retry.
 */
async function handleBatch(
  queue: MessageQueue,
  batch: readonly ReceivedMessage[],
  handler: BatchHandler,
): Promise<BatchReport> {
  const response = await handler(batch);
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  await Promise.all(
    batch.map((message) =>
      failed.has(message.messageId) ? queue.release(message) : queue.delete(message),
    ),
  );
  return { received: batch.length, failed: failed.size };
}

/**
 * Lambda's SQS event source mapping, locally, until the queue is empty: receives batches of up
 * to `batchSize` (10, the default) and handles each ({@link handleBatch}). A message that keeps
 * failing is received five times, then the redrive moves it to the DLQ.
 *
 * @returns one report per batch handled.
 * @example
 * await drainQueue(queue, (messages) => start({ Records: messages.map((m) => sqsRecord(m, arn)) }));
 */
export async function drainQueue(
  queue: MessageQueue,
  handler: BatchHandler,
  batchSize = 10,
): Promise<BatchReport[]> {
  const reports: BatchReport[] = [];
  for (;;) {
    const batch = await queue.receive(batchSize);
    if (batch.length === 0) return reports;
    reports.push(await handleBatch(queue, batch, handler));
  }
}

/** Options of {@link pollQueue}. */
export interface PollOptions {
  /** Stops the polling: the current long poll is cut short, the batch in hand is finished. */
  readonly signal: AbortSignal;
  /** Default 10, the mapping's default. */
  readonly batchSize?: number;
  /** Long polling. Default `QUEUE_SETTINGS.receiveWaitSeconds` (20 s). */
  readonly waitSeconds?: number;
  /** A receive or a batch that failed (the poller waits `retryDelayMs`, then goes on). */
  readonly onError?: (error: unknown) => void;
  /** Default 1000 ms. */
  readonly retryDelayMs?: number;
}

/**
 * Lambda's SQS event source mapping, locally, for as long as it runs: long-polls the queue for
 * batches of up to 10 and handles each as {@link drainQueue} does, until `signal` aborts. Resolves
 * once the batch in hand (if any) has been handled, so nothing is left half-done.
 *
 * @example
 * const stop = new AbortController();
 * const polling = pollQueue(queue, handler, { signal: stop.signal });
 * stop.abort();
 * await polling;
 */
export async function pollQueue(
  queue: MessageQueue,
  handler: BatchHandler,
  options: PollOptions,
): Promise<void> {
  const { signal } = options;
  while (!signal.aborted) {
    try {
      const batch = await queue.receive(options.batchSize ?? 10, {
        waitSeconds: options.waitSeconds ?? QUEUE_SETTINGS.receiveWaitSeconds,
        signal,
      });
      if (batch.length > 0) await handleBatch(queue, batch, handler);
    } catch (error) {
      if (signal.aborted) return;
      options.onError?.(error);
      await abortableDelay(options.retryDelayMs ?? 1000, signal);
    }
  }
}

/** Waits `ms`, or less when `signal` aborts first (never rejects). */
function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
