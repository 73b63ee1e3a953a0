import { randomUUID } from 'node:crypto';
import type { buildApp } from 'fauxqs';

/** fauxqs's app (Fastify), as its public `buildApp` returns it. */
type FauxqsApp = ReturnType<typeof buildApp>;

/**
 * What the hooks use of Fastify's request and reply: fauxqs declares its app with Fastify's
 * types, which are not this package's dependency, so they are spelled out here.
 */
interface HookRequest {
  readonly headers: Record<string, string | string[] | undefined>;
  body: unknown;
}
interface HookReply {
  readonly statusCode: number;
  code(status: number): unknown;
  header(name: string, value: string): unknown;
  getHeader(name: string): unknown;
}

/** A form-encoded query request, as fauxqs's parser hands it over (one string per field). */
type QueryParameters = Readonly<Record<string, string>>;

/** The JSON protocol's input of one action, built from its query parameters. */
type JsonInput = Record<string, unknown>;

/**
 * `Prefix.1.Field`, `Prefix.2.Field`, …: SQS's query encoding of a list, as one object per index
 * (`{ Field: value }`), in index order.
 */
function listOf(parameters: QueryParameters, prefix: string): Record<string, string>[] {
  const entries = new Map<number, Record<string, string>>();
  for (const [name, value] of Object.entries(parameters)) {
    const match =
      name.startsWith(`${prefix}.`) && /^(\d+)(?:\.(.+))?$/.exec(name.slice(prefix.length + 1));
    if (!match) continue;
    const index = Number(match[1]);
    const entry = entries.get(index) ?? {};
    entry[match[2] ?? ''] = value;
    entries.set(index, entry);
  }
  return [...entries.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry);
}

/** `MessageAttribute.N.Name` / `.Value.DataType` / `.Value.StringValue` as the JSON map. */
function messageAttributes(parameters: QueryParameters, prefix: string): JsonInput | undefined {
  const attributes = listOf(parameters, prefix);
  if (attributes.length === 0) return undefined;
  return Object.fromEntries(
    attributes.map((a) => [
      a['Name'],
      {
        DataType: a['Value.DataType'],
        ...(a['Value.StringValue'] === undefined ? {} : { StringValue: a['Value.StringValue'] }),
        ...(a['Value.BinaryValue'] === undefined ? {} : { BinaryValue: a['Value.BinaryValue'] }),
      },
    ]),
  );
}

const numberOrUndefined = (value: string | undefined) =>
  value === undefined ? undefined : Number(value);

/** Drops the fields the request did not carry (the JSON handlers treat absent and undefined alike, but logs stay clean). */
function defined(input: JsonInput): JsonInput {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}

/** A message as `SendMessage` and each `SendMessageBatch` entry carry it. */
function messageInput(fields: QueryParameters, attributes: JsonInput | undefined): JsonInput {
  return defined({
    MessageBody: fields['MessageBody'],
    DelaySeconds: numberOrUndefined(fields['DelaySeconds']),
    MessageGroupId: fields['MessageGroupId'],
    MessageDeduplicationId: fields['MessageDeduplicationId'],
    MessageAttributes: attributes,
  });
}

/**
 * The actions a backend needs to hand the pipeline its requests (send, look a queue up, read its
 * attributes) and to look into the DLQ (receive, delete), each as its JSON protocol input.
 */
const ACTIONS: Readonly<Record<string, (p: QueryParameters) => JsonInput>> = {
  SendMessage: (p) => ({
    QueueUrl: p['QueueUrl'],
    ...messageInput(p, messageAttributes(p, 'MessageAttribute')),
  }),
  SendMessageBatch: (p) => ({
    QueueUrl: p['QueueUrl'],
    Entries: listOf(p, 'SendMessageBatchRequestEntry').map((entry) => ({
      Id: entry['Id'],
      ...messageInput(entry, messageAttributes(entry, 'MessageAttribute')),
    })),
  }),
  GetQueueUrl: (p) =>
    defined({ QueueName: p['QueueName'], QueueOwnerAWSAccountId: p['QueueOwnerAWSAccountId'] }),
  GetQueueAttributes: (p) => ({
    QueueUrl: p['QueueUrl'],
    AttributeNames: listOf(p, 'AttributeName').map((a) => a['']),
  }),
  ReceiveMessage: (p) =>
    defined({
      QueueUrl: p['QueueUrl'],
      MaxNumberOfMessages: numberOrUndefined(p['MaxNumberOfMessages']),
      WaitTimeSeconds: numberOrUndefined(p['WaitTimeSeconds']),
      VisibilityTimeout: numberOrUndefined(p['VisibilityTimeout']),
      AttributeNames: listOf(p, 'AttributeName').map((a) => a['']),
      MessageAttributeNames: listOf(p, 'MessageAttributeName').map((a) => a['']),
    }),
  DeleteMessage: (p) => ({ QueueUrl: p['QueueUrl'], ReceiptHandle: p['ReceiptHandle'] }),
};

const escapeXml = (value: unknown) =>
  String(value).replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The element names the query protocol gives the JSON protocol's maps and lists (flattened). */
const MAP_ELEMENTS: Readonly<Record<string, string>> = {
  Attributes: 'Attribute',
  MessageAttributes: 'MessageAttribute',
};
const LIST_ELEMENTS: Readonly<Record<string, string>> = {
  Messages: 'Message',
  Successful: 'SendMessageBatchResultEntry',
  Failed: 'BatchResultErrorEntry',
};

/** A JSON protocol answer as the query protocol's XML (SQS flattens its lists and maps). */
function toXml(value: Record<string, unknown>): string {
  return Object.entries(value)
    .map(([name, field]) => {
      if (field === undefined || field === null) return '';
      if (name in LIST_ELEMENTS && Array.isArray(field)) {
        const element = LIST_ELEMENTS[name];
        return field
          .map((item) => `<${element}>${toXml(item as Record<string, unknown>)}</${element}>`)
          .join('');
      }
      if (name in MAP_ELEMENTS && typeof field === 'object') {
        const element = MAP_ELEMENTS[name];
        return Object.entries(field)
          .map(([key, entry]) => {
            const inner =
              typeof entry === 'object' && entry !== null
                ? toXml(entry as Record<string, unknown>)
                : escapeXml(entry);
            return `<${element}><Name>${escapeXml(key)}</Name><Value>${inner}</Value></${element}>`;
          })
          .join('');
      }
      if (typeof field === 'object')
        return `<${name}>${toXml(field as Record<string, unknown>)}</${name}>`;
      return `<${name}>${escapeXml(field)}</${name}>`;
    })
    .join('');
}

const NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';

/** Marks a request this layer translated, with its action (undefined: left alone). */
const translated = new WeakMap<object, string>();

/**
 * Lets SDKs that speak SQS's older query protocol (form posts with `Action=SendMessage`: boto3,
 * the AWS CLI and other SDKs released before 2024, Debian 12's `python3-boto3` and `awscli` among them)
 * use the local endpoint as they use AWS, which answers both protocols. fauxqs answers only the
 * JSON protocol for SQS and hands every form post to SNS; this turns a form post signed for
 * `sqs` into the JSON call and the JSON answer back into the query protocol's XML, for the
 * actions in {@link ACTIONS}. Another action gets a clear `InvalidAction` that names the way out.
 *
 * @example
 * const app = buildApp({ logger: false });
 * acceptSqsQueryProtocol(app);
 */
export function acceptSqsQueryProtocol(app: FauxqsApp): void {
  app.addHook('preHandler', async (request: HookRequest) => {
    const contentType = String(request.headers['content-type'] ?? '');
    const authorization = String(request.headers['authorization'] ?? '');
    // The credential scope tells SQS from SNS: both post forms to the same endpoint.
    if (
      !contentType.includes('x-www-form-urlencoded') ||
      !authorization.includes('/sqs/aws4_request')
    ) {
      return;
    }
    const parameters = request.body as QueryParameters;
    const action = parameters['Action'] ?? '';
    translated.set(request, action);
    request.headers['content-type'] = 'application/x-amz-json-1.0';
    request.headers['x-amz-target'] = `AmazonSQS.${ACTIONS[action] ? action : 'Unsupported'}`;
    request.body = ACTIONS[action]?.(parameters) ?? {};
  });
  app.addHook('onSend', async (request: HookRequest, reply: HookReply, payload: unknown) => {
    const action = translated.get(request);
    if (action === undefined) return payload;
    reply.header('content-type', 'text/xml');
    const requestId = `<RequestId>${randomUUID()}</RequestId>`;
    const answer = JSON.parse(String(payload || '{}')) as Record<string, unknown>;
    if (reply.statusCode >= 400 || !ACTIONS[action]) {
      if (reply.statusCode < 400) reply.code(400);
      // The query protocol's error code is the one SQS gives in `x-amzn-query-error`
      // (`AWS.SimpleQueueService.NonExistentQueue;Sender`), which older SDKs map to their exceptions.
      const queryError = String(reply.getHeader('x-amzn-query-error') ?? '').split(';')[0];
      const [code, message] = ACTIONS[action]
        ? [
            queryError ||
              String(answer['__type'] ?? 'InternalError')
                .split('#')
                .pop(),
            answer['message'],
          ]
        : [
            'InvalidAction',
            `${action} is not served over SQS's query protocol here; an SDK that speaks its JSON protocol (any released since mid-2024) can call it`,
          ];
      return `<?xml version="1.0"?><ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>${requestId}</ErrorResponse>`;
    }
    return `<?xml version="1.0"?><${action}Response xmlns="${NAMESPACE}"><${action}Result>${toXml(answer)}</${action}Result><ResponseMetadata>${requestId}</ResponseMetadata></${action}Response>`;
  });
}
