import { createHash, randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
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
  receive(max: number): Promise<ReceivedMessage[]>;
  delete(message: ReceivedMessage): Promise<void>;
  /** Makes a received message visible again at once (its visibility timeout cut short). */
  release(message: ReceivedMessage): Promise<void>;
  /** The bodies in the dead-letter queue (read without consuming them). */
  deadLetters(): Promise<string[]>;
}

interface Stored {
  readonly messageId: string;
  readonly body: string;
  receiveCount: number;
  receipt: string | undefined;
}

/**
 * The queue in memory, with SQS's redrive rule: a message received `QUEUE_SETTINGS.maxReceiveCount`
 * (5) times and not deleted moves to the DLQ instead of being received a sixth time.
 */
export class InMemoryQueue implements MessageQueue {
  readonly #messages: Stored[] = [];
  readonly #dead: string[] = [];

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

  async release(received: ReceivedMessage): Promise<void> {
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

/**
 * The queue on an SQS-protocol server (fauxqs on 127.0.0.1 in the tests and `--store s3`):
 * created as the stack creates it, with the deployed `QUEUE_SETTINGS` (visibility 60 s,
 * retention 4 days, DLQ after 5 receives, DLQ retention 14 days). A released message's visibility is set to 0 so the local run need not
 * wait out the 60 s.
 *
 * @example
 * const queue = await SqsQueue.create(new SQSClient({ endpoint }), { queue: 'q', deadLetterQueue: 'q-dlq' });
 */
export class SqsQueue implements MessageQueue {
  private constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly deadLetterUrl: string,
  ) {}

  /** Creates (or finds) the queue and its DLQ. */
  static async create(client: SQSClient, names: SqsQueueNames): Promise<SqsQueue> {
    const dlq = await client.send(
      new CreateQueueCommand({
        QueueName: names.deadLetterQueue,
        Attributes: { MessageRetentionPeriod: String(QUEUE_SETTINGS.deadLetterRetentionSeconds) },
      }),
    );
    const dlqUrl = dlq.QueueUrl as string;
    const attributes = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
    );
    const queue = await client.send(
      new CreateQueueCommand({
        QueueName: names.queue,
        Attributes: {
          VisibilityTimeout: String(QUEUE_SETTINGS.visibilityTimeoutSeconds),
          MessageRetentionPeriod: String(QUEUE_SETTINGS.retentionSeconds),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: attributes.Attributes?.['QueueArn'],
            maxReceiveCount: QUEUE_SETTINGS.maxReceiveCount,
          }),
        },
      }),
    );
    return new SqsQueue(client, queue.QueueUrl as string, dlqUrl);
  }

  async send(body: string): Promise<string> {
    const out = await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: body }),
    );
    return out.MessageId as string;
  }

  async receive(max: number): Promise<ReceivedMessage[]> {
    const out = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: Math.min(max, 10),
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
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

  async release(message: ReceivedMessage): Promise<void> {
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
 * Lambda's SQS event source mapping, locally: receives batches of up to `batchSize` (10, the
 * default), hands them to the `start` function, deletes the messages it handled and releases
 * the ones it reported in `batchItemFailures` (`ReportBatchItemFailures`), until the queue is
 * empty. A message that keeps failing is received five times, then the redrive moves it to the
 * DLQ.
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
    const response = await handler(batch);
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    await Promise.all(
      batch.map((message) =>
        failed.has(message.messageId) ? queue.release(message) : queue.delete(message),
      ),
    );
    reports.push({ received: batch.length, failed: failed.size });
  }
}
