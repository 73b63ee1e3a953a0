import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEAD_LETTER_ATTRIBUTES,
  SqsDeadLetterQueue,
} from '../../src/adapters/sqs-dead-letter-queue.ts';
import { createTestQueue, localSqsClient, receiveAll } from '../setup/aws.ts';

const sqs = localSqsClient();
let queueUrl: string;

beforeAll(async () => {
  queueUrl = await createTestQueue(sqs, 'dlq');
});
afterAll(() => sqs.destroy());

describe('SqsDeadLetterQueue (fauxqs)', () => {
  it('sends the original body with the reason and the original message id as String attributes', async () => {
    // Prepare
    const deadLetterQueue = new SqsDeadLetterQueue(sqs, queueUrl);
    const body = '{"schemaVersion":1, "listingId": "caf\u00e9", not json';

    // Act
    await deadLetterQueue.send({
      messageId: '0d6e2c1f-original',
      body,
      reason: { code: 'INVALID_INPUT', message: 'The body is not JSON: Unexpected token' },
    });

    // Assess
    const [message, ...others] = await receiveAll(sqs, queueUrl);
    expect(others).toEqual([]);
    expect(message?.Body).toBe(body);
    expect(message?.MessageAttributes).toEqual({
      [DEAD_LETTER_ATTRIBUTES.code]: { DataType: 'String', StringValue: 'INVALID_INPUT' },
      [DEAD_LETTER_ATTRIBUTES.message]: {
        DataType: 'String',
        StringValue: 'The body is not JSON: Unexpected token',
      },
      [DEAD_LETTER_ATTRIBUTES.originalMessageId]: {
        DataType: 'String',
        StringValue: '0d6e2c1f-original',
      },
    });
    expect(Object.values(DEAD_LETTER_ATTRIBUTES)).toEqual([
      'toq-error-code',
      'toq-error-message',
      'toq-original-message-id',
    ]);
  });

  it('rejects when the queue is not there, so the caller can leave the message to the redrive', async () => {
    const missing = queueUrl.replace(/[^/]+$/, 'no-such-queue');
    const deadLetterQueue = new SqsDeadLetterQueue(sqs, missing);

    await expect(
      deadLetterQueue.send({
        messageId: 'm1',
        body: 'x',
        reason: { code: 'INVALID_INPUT', message: 'x' },
      }),
    ).rejects.toMatchObject({ name: expect.stringMatching(/QueueDoesNotExist|NonExistentQueue/) });
  });
});
