import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everyOnPath } from '../../../../tools/testing/executables.ts';
import { startLoopbackFauxqs, type LoopbackFauxqs } from '../../src/dev/loopback-fauxqs.ts';

const run = promisify(execFile);

/** What an SDK of the query protocol era sends: a form, signed for `sqs` (never checked here). */
async function queryCall(
  endpoint: string,
  parameters: Record<string, string>,
): Promise<{ status: number; xml: string }> {
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization:
        'AWS4-HMAC-SHA256 Credential=local/20261204/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Version: '2012-11-05', ...parameters }),
  });
  return { status: response.status, xml: await response.text() };
}

/** The text of each `<tag>` of `xml`, in order. */
const elements = (xml: string, tag: string) =>
  [...xml.matchAll(new RegExp(`<${tag}>(.*?)</${tag}>`, 'gs'))].map((m) => m[1]);

let server: LoopbackFauxqs;
let sqs: SQSClient;
let queueUrl: string;

beforeAll(async () => {
  server = await startLoopbackFauxqs({ port: 0 });
  sqs = new SQSClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'query-protocol' })))
    .QueueUrl as string;
});

afterAll(async () => {
  sqs?.destroy();
  await server?.stop();
});

/** Every message of the queue, received (JSON protocol) and deleted. */
async function drain() {
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      MessageAttributeNames: ['All'],
    }),
  );
  for (const message of out.Messages ?? []) {
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
    );
  }
  return out.Messages ?? [];
}

describe('SQS query protocol on the local endpoint', () => {
  it('sends a message with attributes that the JSON protocol receives as sent', async () => {
    const body = '{"listingId":"apartment-12","note":"<&>"}';
    const sent = await queryCall(server.endpoint, {
      Action: 'SendMessage',
      QueueUrl: queueUrl,
      MessageBody: body,
      'MessageAttribute.1.Name': 'origin',
      'MessageAttribute.1.Value.DataType': 'String',
      'MessageAttribute.1.Value.StringValue': 'backend',
    });
    expect(sent.status).toBe(200);
    expect(sent.xml).toContain('<SendMessageResponse');
    const [messageId] = elements(sent.xml, 'MessageId');
    const [md5] = elements(sent.xml, 'MD5OfMessageBody');

    const [received] = await drain();
    expect(received?.MessageId).toBe(messageId);
    expect(received?.Body).toBe(body);
    expect(received?.MD5OfBody).toBe(md5);
    expect(received?.MessageAttributes?.['origin']?.StringValue).toBe('backend');
  });

  it('sends a batch, looks the queue up and reads its attributes', async () => {
    const batch = await queryCall(server.endpoint, {
      Action: 'SendMessageBatch',
      QueueUrl: queueUrl,
      'SendMessageBatchRequestEntry.1.Id': 'first',
      'SendMessageBatchRequestEntry.1.MessageBody': 'one',
      'SendMessageBatchRequestEntry.2.Id': 'second',
      'SendMessageBatchRequestEntry.2.MessageBody': 'two',
    });
    expect(batch.status).toBe(200);
    expect(elements(batch.xml, 'Id')).toEqual(['first', 'second']);
    expect(elements(batch.xml, 'SendMessageBatchResultEntry')).toHaveLength(2);

    const url = await queryCall(server.endpoint, {
      Action: 'GetQueueUrl',
      QueueName: 'query-protocol',
    });
    expect(elements(url.xml, 'QueueUrl')).toEqual([queueUrl]);

    const attributes = await queryCall(server.endpoint, {
      Action: 'GetQueueAttributes',
      QueueUrl: queueUrl,
      'AttributeName.1': 'ApproximateNumberOfMessages',
    });
    expect(attributes.xml).toContain(
      '<Attribute><Name>ApproximateNumberOfMessages</Name><Value>2</Value></Attribute>',
    );
    expect((await drain()).map((m) => m.Body).sort()).toEqual(['one', 'two']);
  });

  it('receives and deletes (a look into the DLQ)', async () => {
    await queryCall(server.endpoint, {
      Action: 'SendMessage',
      QueueUrl: queueUrl,
      MessageBody: 'dead letter',
    });
    const received = await queryCall(server.endpoint, {
      Action: 'ReceiveMessage',
      QueueUrl: queueUrl,
      MaxNumberOfMessages: '10',
      'AttributeName.1': 'ApproximateReceiveCount',
    });
    expect(elements(received.xml, 'Body')).toEqual(['dead letter']);
    expect(received.xml).toContain(
      '<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>',
    );
    const [receipt] = elements(received.xml, 'ReceiptHandle');
    const deleted = await queryCall(server.endpoint, {
      Action: 'DeleteMessage',
      QueueUrl: queueUrl,
      ReceiptHandle: receipt ?? '',
    });
    expect(deleted.status).toBe(200);
    expect(await drain()).toEqual([]);
  });

  it("answers a missing queue with SQS's query error code, and an action it does not serve by name", async () => {
    const missing = await queryCall(server.endpoint, {
      Action: 'GetQueueUrl',
      QueueName: 'no-such-queue',
    });
    expect(missing.status).toBe(400);
    expect(elements(missing.xml, 'Code')).toEqual(['AWS.SimpleQueueService.NonExistentQueue']);

    const unsupported = await queryCall(server.endpoint, {
      Action: 'PurgeQueue',
      QueueUrl: queueUrl,
    });
    expect(unsupported.status).toBe(400);
    expect(elements(unsupported.xml, 'Code')).toEqual(['InvalidAction']);
    expect(elements(unsupported.xml, 'Message')[0]).toMatch(/PurgeQueue .*JSON protocol/);
  });

  it('leaves SNS form posts to SNS', async () => {
    const response = await fetch(`${server.endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20261204/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: new URLSearchParams({ Action: 'ListTopics', Version: '2010-03-31' }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<ListTopicsResponse');
  });
});

/**
 * A python3 whose boto3 still speaks the query protocol to SQS (Debian 12's `python3-boto3`), if
 * this machine has one: the real client older backends use.
 */
async function queryProtocolPython(): Promise<string | undefined> {
  for (const python of everyOnPath('python3')) {
    try {
      const { stdout } = await run(python, [
        '-c',
        "import botocore.session; print(botocore.session.get_session().get_service_model('sqs').protocol)",
      ]);
      if (stdout.trim() === 'query') return python;
    } catch {
      // not there, or no boto3
    }
  }
  return undefined;
}

const python = await queryProtocolPython();

describe.skipIf(python === undefined)(
  `boto3 of the query protocol era${python === undefined ? ' (NOT RUN: apt-get install -y python3-boto3)' : ''}`,
  () => {
    it('sends, looks up and reads the queue as it does on AWS', async () => {
      const script = `
import sys, boto3
sqs = boto3.client('sqs', endpoint_url=sys.argv[1], region_name='us-east-1',
                   aws_access_key_id='any', aws_secret_access_key='any')
url = sqs.get_queue_url(QueueName='query-protocol')['QueueUrl']
sent = sqs.send_message(QueueUrl=url, MessageBody='from boto3',
                        MessageAttributes={'origin': {'DataType': 'String', 'StringValue': 'python'}})
batch = sqs.send_message_batch(QueueUrl=url, Entries=[{'Id': 'a', 'MessageBody': 'batch'}])
count = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['ApproximateNumberOfMessages'])
try:
    sqs.get_queue_url(QueueName='no-such-queue')
except sqs.exceptions.QueueDoesNotExist:
    missing = 'QueueDoesNotExist'
print(sent['MessageId'], len(batch['Successful']), count['Attributes']['ApproximateNumberOfMessages'], missing)
`;
      const { stdout } = await run(python as string, ['-c', script, server.endpoint]);
      const [messageId, batched, count, missing] = stdout.trim().split(' ');
      expect([batched, count, missing]).toEqual(['1', '2', 'QueueDoesNotExist']);
      const received = await drain();
      expect(received.find((m) => m.Body === 'from boto3')?.MessageId).toBe(messageId);
      expect(received.find((m) => m.Body === 'from boto3')?.MessageAttributes?.['origin']).toEqual(
        expect.objectContaining({ StringValue: 'python' }),
      );
    });
  },
);
