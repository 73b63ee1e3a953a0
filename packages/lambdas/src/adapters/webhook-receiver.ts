import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One POST the receiver got, and what verifying its signature gave. */
export interface ReceivedWebhook {
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  /** The payload as `standardwebhooks` returned it when the signature verified. */
  readonly payload?: unknown;
  /** Why verification failed (then the receiver answered 401). */
  readonly verificationError?: string;
  /** The status the receiver answered (absent when it was told to hang). */
  readonly status?: number;
}

/** How the receiver answers. */
export interface WebhookReceiverOptions {
  /** The `whsec_…` secret the pipeline signs with. */
  readonly secret: string;
  /**
   * The status of each verified delivery in turn (the last one repeats). Default `[204]`.
   * A delivery that does not verify always gets 401.
   */
  readonly statuses?: readonly number[];
  /** Never answer (to observe the sender's timeout). Default false. */
  readonly hang?: boolean;
  /** The URL's path. Default `/webhooks/listing-media`. */
  readonly path?: string;
}

/** A started receiver. */
export interface WebhookReceiver {
  /** Where to POST: `http://127.0.0.1:{port}{path}`. */
  readonly url: string;
  readonly port: number;
  /** Every POST so far, in arrival order. */
  readonly received: readonly ReceivedWebhook[];
  close(): Promise<void>;
}

/**
 * `@toq/lambdas/webhook-receiver`: the backend's side of the `HttpWebhookSender`, as a
 * stand-in (no function uses it): an HTTP server on 127.0.0.1 (random port) that verifies each
 * POST as a backend would, with the `standardwebhooks` package (the raw body, `webhook-id`,
 * `webhook-timestamp`, `webhook-signature`, 5 minutes' tolerance), and answers 401 when it does
 * not verify. `npm start` (`packages/local`) runs it as the backend; the sender's tests post to it.
 *
 * @example
 * const receiver = await startWebhookReceiver({ secret });
 * // … run the pipeline with callback.url = receiver.url …
 * receiver.received.filter((w) => w.payload !== undefined).length; // 1
 * await receiver.close();
 */
export async function startWebhookReceiver(
  options: WebhookReceiverOptions,
): Promise<WebhookReceiver> {
  const statuses = options.statuses ?? [204];
  const verifier = new Webhook(options.secret);
  const received: ReceivedWebhook[] = [];
  let verifiedCount = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let payload: unknown;
      let verificationError: string | undefined;
      try {
        payload = verifier.verify(rawBody, req.headers as Record<string, string>);
      } catch (error) {
        verificationError = (error as Error).message;
      }
      let status = 401;
      if (verificationError === undefined) {
        status = statuses[Math.min(verifiedCount, statuses.length - 1)] ?? 204;
        verifiedCount += 1;
      }
      received.push({
        headers: req.headers,
        rawBody,
        ...(options.hang ? {} : { status }),
        ...(verificationError === undefined ? { payload } : { verificationError }),
      });
      if (!options.hang) res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${options.path ?? '/webhooks/listing-media'}`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
