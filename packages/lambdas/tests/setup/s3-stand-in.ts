import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { TEST_CREDENTIALS } from './aws.ts';

/** The content type of S3's XML answers (errors, documents). */
export const XML = { 'content-type': 'application/xml' };

/** One request to an S3 stand-in, its body read whole. */
export interface StandInRequest {
  readonly method: string;
  /** The object's key: the path after `/{bucket}/`, decoded. */
  readonly key: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * Serves an S3 REST stand-in on 127.0.0.1 (a free port), path-style, one bucket: `answer` gets
 * every request with its whole body. Gives a client on it (the real SDK over HTTP, so
 * serialisation and error parsing are the SDK's; one attempt a call; `clientOptions` added) and
 * how to close it.
 *
 * @example
 * const standIn = await serveS3StandIn('media', (req, res) => res.writeHead(501, XML).end());
 */
export async function serveS3StandIn(
  bucket: string,
  answer: (req: StandInRequest, res: ServerResponse) => void,
  clientOptions: Partial<S3ClientConfig> = {},
) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const key = decodeURIComponent(url.pathname.slice(`/${bucket}/`.length));
      answer(
        {
          method: req.method ?? 'GET',
          key,
          url,
          headers: req.headers,
          body: Buffer.concat(chunks),
        },
        res,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    client: () =>
      new S3Client({
        region: 'us-east-1',
        endpoint,
        forcePathStyle: true,
        credentials: TEST_CREDENTIALS,
        maxAttempts: 1,
        ...clientOptions,
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
