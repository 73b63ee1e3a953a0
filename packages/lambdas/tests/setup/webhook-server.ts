import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One POST the backend stand-in received, and whether its signature verified. */
export interface ReceivedWebhook {
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  /** The payload `standardwebhooks` returned, or undefined when verification failed. */
  readonly verified: unknown;
  readonly verificationError?: string;
}

/**
 * A backend stand-in on 127.0.0.1: verifies every POST with the `standardwebhooks` package (as
 * a backend would), answers 401 when the signature does not verify, and otherwise the next status
 * of `statuses` (the last one repeats). `hang: true` never answers (to observe timeouts).
 */
export async function startWebhookServer(
  secret: string,
  statuses: readonly number[],
  options: { hang?: boolean } = {},
) {
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let verified: unknown;
      let verificationError: string | undefined;
      try {
        verified = new Webhook(secret).verify(rawBody, req.headers as Record<string, string>);
      } catch (error) {
        verificationError = (error as Error).message;
      }
      received.push({ headers: req.headers, rawBody, verified, verificationError });
      if (options.hang) return;
      const status =
        verificationError === undefined
          ? (statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 200)
          : 401;
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}/hooks/media`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
