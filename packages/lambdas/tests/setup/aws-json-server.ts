import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server received. */
export interface AwsJsonCall {
  /** The `X-Amz-Target` header, e.g. `AWSStepFunctions.StartExecution`. */
  readonly target: string;
  readonly body: Record<string, unknown>;
  readonly headers: IncomingHttpHeaders;
}

/** What to answer: a status and a JSON body (`{ __type, message }` for an error). */
export interface AwsJsonReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * A local HTTP server speaking the AWS JSON protocol (Step Functions, Secrets Manager) for the
 * services no npm server emulates: the real SDK client talks to it over HTTP, so the request
 * serialisation and the error deserialisation (`ExecutionAlreadyExists`, …) are the SDK's own.
 * `reply` decides the answer to each call; every call is recorded.
 */
export async function startAwsJsonServer(
  reply: (call: AwsJsonCall) => AwsJsonReply,
): Promise<{ endpoint: string; calls: AwsJsonCall[]; close: () => Promise<void> }> {
  const calls: AwsJsonCall[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const call: AwsJsonCall = {
        target: String(req.headers['x-amz-target'] ?? ''),
        body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>,
        headers: req.headers,
      };
      calls.push(call);
      const answer = reply(call);
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
