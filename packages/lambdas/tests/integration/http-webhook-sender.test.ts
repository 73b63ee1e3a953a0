import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebhookPayload, parse } from '@toq/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../src/adapters/fs-object-store.ts';
import {
  HttpWebhookSender,
  type HttpWebhookSenderOptions,
} from '../../src/adapters/http-webhook-sender.ts';
import { systemClock } from '../../src/adapters/system-clock.ts';
import { WebhookDeliveryError, WebhookRejectedError } from '../../src/domain/errors.ts';
import {
  notifyBackend,
  type CallbackInput,
  type DeliveryRecord,
  type RetryPolicy,
} from '../../src/domain/callback.ts';
import { deliveryStateKey, resultStateKey } from '../../src/domain/state-keys.ts';
import { silentLogger, sampleResult, SCOPE } from '../setup/fixtures.ts';
import { startWebhookReceiver } from '../../src/adapters/webhook-receiver.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const secret = { get: async () => SECRET };
const FAST_RETRIES = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 };

let root: string;
let store: FsObjectStore;
let server: Awaited<ReturnType<typeof startWebhookReceiver>> | undefined;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'webhook-'));
  store = new FsObjectStore(root);
  await store.put(resultStateKey(SCOPE), JSON.stringify(sampleResult()), {
    contentType: 'application/json',
  });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(root, { recursive: true });
});

function sender(options: Partial<HttpWebhookSenderOptions> = {}) {
  return new HttpWebhookSender({ secret, allowedHosts: [], allowLoopback: true, ...options });
}

function callbackEvent(url: string): CallbackInput {
  return {
    ctx: SCOPE,
    status: 'partially_failed',
    resultKey: resultStateKey(SCOPE),
    callbackUrl: url,
  };
}

/** The callback's work (`notifyBackend`) towards `url`, with a loopback sender and fast retries. */
function deliver(
  url: string,
  options: { sender?: Partial<HttpWebhookSenderOptions>; retries?: Partial<RetryPolicy> } = {},
) {
  return notifyBackend(
    callbackEvent(url),
    { store, sender: sender(options.sender), clock: systemClock, logger: silentLogger },
    { ...FAST_RETRIES, ...options.retries },
  );
}

async function deliveryRecord(): Promise<DeliveryRecord> {
  const path = join(root, ...deliveryStateKey(SCOPE).split('/'));
  return JSON.parse(await readFile(path, 'utf8')) as DeliveryRecord;
}

describe('notifyBackend over HttpWebhookSender', () => {
  it('delivers the consolidated result as a Standard Webhooks signed POST', async () => {
    // Prepare
    server = await startWebhookReceiver({ secret: SECRET, statuses: [204] });

    // Act
    const result = await deliver(server.url);

    // Assess
    expect(result).toEqual({ delivered: true, attempts: 1, statusCode: 204 });
    expect(server.received).toHaveLength(1);
    const [hook] = server.received;
    expect(hook?.verificationError).toBeUndefined();
    const payload = parse(WebhookPayload, hook?.payload);
    expect(payload.type).toBe('listing.media.processed');
    expect(payload.data).toEqual(sampleResult());
    expect(hook?.headers['webhook-id']).toBe(`msg_${SCOPE.executionName}`);
    expect(hook?.headers['content-type']).toBe('application/json');
    expect(await deliveryRecord()).toMatchObject({
      webhookId: `msg_${SCOPE.executionName}`,
      delivered: true,
      statusCode: 204,
      attempts: [{ attempt: 1, outcome: 'response', statusCode: 204 }],
    });
  });

  it('retries on 503 with the same webhook-id, each attempt freshly signed', async () => {
    server = await startWebhookReceiver({ secret: SECRET, statuses: [503, 503, 200] });

    const result = await deliver(server.url);

    expect(result).toEqual({ delivered: true, attempts: 3, statusCode: 200 });
    expect(server.received.map((r) => r.verificationError)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(new Set(server.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(server.received.map((r) => r.rawBody)).size).toBe(1);
    expect(
      (await deliveryRecord()).attempts.map((a) => a.outcome === 'response' && a.statusCode),
    ).toEqual([503, 503, 200]);
  });

  it('does not retry a 400 and throws WebhookRejectedError (never retried by the state machine) after recording it', async () => {
    server = await startWebhookReceiver({ secret: SECRET, statuses: [400] });

    const error = await deliver(server.url).catch((e: unknown) => e);

    expect(server.received).toHaveLength(1);
    expect(error).toBeInstanceOf(WebhookRejectedError);
    expect(error).toMatchObject({ name: 'WebhookRejectedError' });
    expect((error as Error).message).toBe(
      `Webhook msg_${SCOPE.executionName} to 127.0.0.1:${server.port} not delivered: expected a 2xx answer, received HTTP 400 after 1 attempt(s)`,
    );
    expect(await deliveryRecord()).toMatchObject({ delivered: false, statusCode: 400 });
  });

  it('gives up after the last attempt when the backend keeps failing', async () => {
    server = await startWebhookReceiver({ secret: SECRET, statuses: [503] });

    const error = await deliver(server.url).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WebhookDeliveryError);
    expect((error as Error).message).toMatch(/received HTTP 503 after 4 attempt\(s\)/);
    expect(server.received).toHaveLength(4);
  });

  it('retries a backend that does not answer in time', async () => {
    server = await startWebhookReceiver({ secret: SECRET, hang: true });

    await expect(
      deliver(server.url, { sender: { timeoutMs: 150 }, retries: { maxAttempts: 2 } }),
    ).rejects.toThrow(/received a timeout after 2 attempt\(s\)/);
    expect(server.received).toHaveLength(2);
  });

  it('is refused by a backend holding another secret (the server really verifies)', async () => {
    server = await startWebhookReceiver({
      secret: 'whsec_' + Buffer.from('another secret!!').toString('base64'),
      statuses: [200],
    });

    await expect(deliver(server.url)).rejects.toThrow(/received HTTP 401 after 1 attempt/);
    expect(server.received[0]?.verificationError).toMatch(/No matching signature found/);
  });

  it('signs with the bare base64 secret the stack generates at deploy, as its whsec_ form verifies', async () => {
    // Prepare: 64 characters of [A-Za-z0-9], what Secrets Manager generates on the first deploy
    const generated = 'Q7bX2mK9pL4vR8sT1wY6zA3cE5gH0jN2qU7xB4dF9kM1nP6rS3tV8yZ5aC2eG7hJ';
    server = await startWebhookReceiver({ secret: `whsec_${generated}`, statuses: [200] });

    // Act
    const attempt = await sender({ secret: { get: async () => generated } }).send({
      url: server.url,
      id: 'msg_generated',
      timestamp: new Date(),
      body: '{}',
    });

    // Assess
    expect(attempt).toEqual({ outcome: 'response', statusCode: 200 });
    expect(server.received[0]?.verificationError).toBeUndefined();
  });

  it.each(['', 'not a secret!', 'whsec_short', 'whsec_'])(
    'refuses the malformed secret %j with ConfigurationError, sending nothing',
    async (value) => {
      server = await startWebhookReceiver({ secret: SECRET, statuses: [200] });

      const sending = sender({ secret: { get: async () => value } }).send({
        url: server.url,
        id: 'msg_bad',
        timestamp: new Date(),
        body: '{}',
      });

      await expect(sending).rejects.toMatchObject({ name: 'ConfigurationError' });
      expect(server.received).toHaveLength(0);
    },
  );

  it('does not send again a webhook already delivered for this execution', async () => {
    server = await startWebhookReceiver({ secret: SECRET, statuses: [200] });
    await deliver(server.url);

    const again = await deliver(server.url);

    expect(again).toEqual({ delivered: true, attempts: 1, statusCode: 200 });
    expect(server.received).toHaveLength(1);
  });
});

describe('HttpWebhookSender host policy', () => {
  const message = (url: string) => ({ url, id: 'msg_1', timestamp: new Date(), body: '{}' });

  it('sends to loopback over http only when loopback is allowed', async () => {
    server = await startWebhookReceiver({ secret: SECRET, statuses: [200] });
    const localhostUrl = server.url.replace('127.0.0.1', 'localhost');

    const allowed = await sender({ allowLoopback: true }).send(message(localhostUrl));
    const refusedHttp = await sender({ allowLoopback: false }).send(message(server.url));

    expect(allowed).toEqual({ outcome: 'response', statusCode: 200 });
    expect(refusedHttp).toEqual({
      outcome: 'refused',
      reason: 'expected an https URL, received http',
    });
    expect(server.received).toHaveLength(1);
  });

  it.each([
    ['http://api.example.com/hook', 'expected an https URL, received http'],
    ['https://evil.example.org/hook', 'host evil.example.org is not on the allowlist'],
    ['https://example.com/hook', 'host example.com is not on the allowlist'],
    ['https://user:pw@api.example.com/hook', 'credentials in the URL are not allowed'],
    ['not a url', 'not a valid URL'],
    ['https://10.0.0.5/hook', 'host 10.0.0.5 resolves to a non-public address (10.0.0.5)'],
    [
      'https://169.254.169.254/latest',
      'host 169.254.169.254 resolves to a non-public address (169.254.169.254)',
    ],
    ['https://[fe80::1]/hook', 'host fe80::1 resolves to a non-public address (fe80::1)'],
    [
      'https://[::ffff:10.0.0.1]/hook',
      'host ::ffff:a00:1 resolves to a non-public address (::ffff:a00:1)',
    ],
    ['https://[::1]/hook', 'host ::1 resolves to a non-public address (::1)'],
  ])('refuses %s', async (url, reason) => {
    const policy = sender({
      allowLoopback: false,
      allowedHosts: [
        '*.example.com',
        '10.0.0.5',
        '169.254.169.254',
        'fe80::1',
        '::ffff:a00:1',
        '::1',
      ],
    });

    await expect(policy.send(message(url))).resolves.toEqual({ outcome: 'refused', reason });
  });

  it('refuses an allowed host name that resolves to loopback when loopback is not allowed', async () => {
    // Real resolution: "localhost" resolves to 127.0.0.1 / ::1 through the system resolver.
    server = await startWebhookReceiver({ secret: SECRET, statuses: [200] });
    const policy = sender({ allowLoopback: false, allowedHosts: ['localhost'] });

    const attempt = await policy.send(message(`https://localhost:${server.port}/hook`));

    expect(attempt).toMatchObject({ outcome: 'refused' });
    expect(attempt.outcome === 'refused' && attempt.reason).toMatch(
      /^host localhost resolves to a non-public address \((127\.0\.0\.1|::1)\)$/,
    );
    expect(server.received).toHaveLength(0);
  });

  it.each([
    ['internal.example.com', ['10.1.2.3'], '10.1.2.3'],
    ['metadata.example.com', ['169.254.169.254'], '169.254.169.254'],
    ['mixed.example.com', ['93.184.216.34', '192.168.1.10'], '192.168.1.10'],
    ['ula.example.com', ['fd00:ec2::254'], 'fd00:ec2::254'],
    ['cgnat.example.com', ['100.64.0.1'], '100.64.0.1'],
    ['compat.example.com', ['2606:4700:4700::1111', '::127.0.0.1'], '::127.0.0.1'],
    ['mapped.example.com', ['::ffff:169.254.169.254'], '::ffff:169.254.169.254'],
    ['nat64.example.com', ['64:ff9b::192.168.0.1'], '64:ff9b::192.168.0.1'],
    ['sixtofour.example.com', ['2002:a9fe:a9fe::1'], '2002:a9fe:a9fe::1'],
    [
      'teredo.example.com',
      ['2001:0:4136:e378:8000:63bf:5601:5601'],
      '2001:0:4136:e378:8000:63bf:5601:5601',
    ],
    ['relay.example.com', ['192.88.99.1'], '192.88.99.1'],
    ['sitelocal.example.com', ['fec0::1'], 'fec0::1'],
  ])('refuses %s, which resolves to %j', async (host, addresses, blocked) => {
    // Prepare: a resolver answering like a DNS zone that points public names at private addresses.
    const policy = sender({
      allowLoopback: false,
      allowedHosts: ['*.example.com'],
      resolve: async () =>
        addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    });

    // Act
    const attempt = await policy.send(message(`https://${host}/hook`));

    // Assess
    expect(attempt).toEqual({
      outcome: 'refused',
      reason: `host ${host} resolves to a non-public address (${blocked})`,
    });
  });

  it.each([
    ['https://[::127.0.0.1]/hook', '::7f00:1'],
    ['https://[::a9fe:a9fe]/hook', '::a9fe:a9fe'],
    ['https://[::]/hook', '::'],
    ['https://[::ffff:169.254.169.254]/hook', '::ffff:a9fe:a9fe'],
    ['https://[64:ff9b::10.0.0.1]/hook', '64:ff9b::a00:1'],
    ['https://[64:ff9b:1::a00:1]/hook', '64:ff9b:1::a00:1'],
    ['https://[100::1]/hook', '100::1'],
    ['https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook', '2001:0:4136:e378:8000:63bf:80ff:fffe'],
    ['https://[2001:db8::1]/hook', '2001:db8::1'],
    ['https://[2002:7f00:0001::]/hook', '2002:7f00:1::'],
    ['https://[fd00:ec2::254]/hook', 'fd00:ec2::254'],
    ['https://[fec0::1]/hook', 'fec0::1'],
    ['https://[ff02::1]/hook', 'ff02::1'],
    ['https://192.88.99.1/hook', '192.88.99.1'],
    ['https://0x7f.1/hook', '127.0.0.1'],
  ])('refuses the allowlisted literal %s without resolving it', async (url, host) => {
    // Prepare: the literal is on the allowlist, bracketed as in the URL; no resolver may be asked.
    const policy = sender({
      allowLoopback: false,
      allowedHosts: [new URL(url).hostname],
      resolve: () => Promise.reject(new Error('a literal must not be resolved')),
    });

    // Act
    const attempt = await policy.send(message(url));

    // Assess
    expect(attempt).toEqual({
      outcome: 'refused',
      reason: `host ${host} resolves to a non-public address (${host})`,
    });
  });

  it.each([
    ['2606:4700:4700::1111', 'https://[2606:4700:4700::1111]/hook'],
    ['[2606:4700:4700::1111]', 'https://[2606:4700:4700::1111]/hook'],
    ['2606:4700:4700:0:0:0:0:1111', 'https://[2606:4700:4700:0::1111]:8443/hook'],
    ['1.1.1.1', 'https://1.1.1.1/hook'],
  ])(
    'lets the public literal %s on the allowlist through the policy, with no DNS (%s)',
    async (allowed, url) => {
      // Prepare: the secret is read only once the URL passed the policy; reading it stops the
      // send there, so nothing leaves the machine.
      const passed = new Error('passed the host policy');
      const policy = sender({
        allowLoopback: false,
        allowedHosts: [allowed],
        resolve: () => Promise.reject(new Error('a literal must not be resolved')),
        secret: { get: () => Promise.reject(passed) },
      });

      // Act
      const sending = policy.send(message(url));

      // Assess
      await expect(sending).rejects.toBe(passed);
    },
  );

  it('refuses a public literal that is not on the allowlist', async () => {
    const policy = sender({ allowLoopback: false, allowedHosts: ['2606:4700:4700::1001'] });

    const attempt = await policy.send(message('https://[2606:4700:4700::1111]/hook'));

    expect(attempt).toEqual({
      outcome: 'refused',
      reason: 'host 2606:4700:4700::1111 is not on the allowlist',
    });
  });

  it('delivers to an IPv6 literal URL, brackets and all, when loopback is allowed', async () => {
    // Prepare: a backend on ::1 (the receiver listens on 127.0.0.1 only).
    const received: IncomingHttpHeaders[] = [];
    const backend = createServer((req, res) => {
      received.push(req.headers);
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => backend.listen(0, '::1', resolve));
    const { port } = backend.address() as AddressInfo;

    try {
      // Act
      const attempt = await sender({ allowLoopback: true }).send(
        message(`http://[::1]:${port}/hook`),
      );

      // Assess
      expect(attempt).toEqual({ outcome: 'response', statusCode: 204 });
      expect(received).toHaveLength(1);
      expect(received[0]?.host).toBe(`[::1]:${port}`);
      expect(received[0]?.['webhook-id']).toBe('msg_1');
    } finally {
      await new Promise((resolve) => backend.close(resolve));
    }
  });

  it('reports a host that does not resolve as a network error (retried)', async () => {
    const policy = sender({ allowLoopback: false, allowedHosts: ['nowhere.invalid'] });

    const attempt = await policy.send(message('https://nowhere.invalid/hook'));

    expect(attempt).toMatchObject({ outcome: 'network-error' });
  });
});
