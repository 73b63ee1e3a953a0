import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterQueue } from '../ports/dead-letter-queue.ts';

/**
 * The message attributes a dead letter carries beside its original body, all of type `String`:
 * why it was set aside (the reason's code and message) and the id the ingest queue gave it (the
 * DLQ gives the copy an id of its own).
 */
export const DEAD_LETTER_ATTRIBUTES = {
  code: 'toq-error-code',
  message: 'toq-error-message',
  originalMessageId: 'toq-original-message-id',
} as const;

/**
 * Sends messages that can never be processed to the ingest queue's dead-letter queue through
 * `@aws-sdk/client-sqs`: the original body, unchanged, with {@link DEAD_LETTER_ATTRIBUTES}. The
 * SDK's own retries cover throttling and network trouble; a send that still fails rejects with
 * the SDK's error.
 *
 * @example
 * const deadLetterQueue = new SqsDeadLetterQueue(new SQSClient({}), config.deadLetterQueueUrl);
 * await deadLetterQueue.send({ messageId, body, reason: { code: 'INVALID_INPUT', message } });
 */
export class SqsDeadLetterQueue implements DeadLetterQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: DeadLetter): Promise<void> {
    const text = (value: string) => ({ DataType: 'String', StringValue: value });
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: message.body,
        MessageAttributes: {
          [DEAD_LETTER_ATTRIBUTES.code]: text(message.reason.code),
          [DEAD_LETTER_ATTRIBUTES.message]: text(message.reason.message),
          [DEAD_LETTER_ATTRIBUTES.originalMessageId]: text(message.messageId),
        },
      }),
    );
  }
}
