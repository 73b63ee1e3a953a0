import { lookup as dnsLookup } from 'node:dns/promises';
import type { RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { ConfigurationError } from '../domain/errors.ts';
import type { SecretSource } from '../ports/secret-source.ts';
import type { WebhookAttempt, WebhookMessage, WebhookSender } from '../ports/webhook-sender.ts';
import { isLoopbackAddress, isPublicAddress, normaliseHost } from './public-address.ts';

/**
 * `node:http` taken as the CommonJS built-in, not through an ESM `import`: on Node 24 importing
 * `node:http` from ESM reads every export, and its lazy `WebSocket`/`MessageEvent`… getters load
 * undici (~13 ms of the callback's cold start on a quiet machine, more on a busy one, for a WebSocket
 * nobody uses). `node:https` has no such getters.
 */
const { request: httpRequest } = process.getBuiltinModule('node:http');

/** A resolved address of a host name. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** How {@link HttpWebhookSender} decides where it may send, and how long it waits. */
export interface HttpWebhookSenderOptions {
  /** The `whsec_…` signing secret (read once per cold start by the secret source). */
  readonly secret: SecretSource;
  /** Exact hosts (`api.example.com`) or subdomain wildcards (`*.example.com`). */
  readonly allowedHosts: readonly string[];
  /**
   * Local development only: allow `http` and `https` to `localhost`, `127.0.0.0/8` and `::1`
   * without the allowlist. Default false.
   */
  readonly allowLoopback?: boolean;
  /** Per attempt, connection to last byte. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Name resolution; default the system resolver (`dns.lookup`, every address). */
  readonly resolve?: (host: string) => Promise<readonly ResolvedAddress[]>;
}

/** Whether an IP address is private, loopback, link-local or otherwise not on the internet. */
export function isNonPublicAddress(address: string): boolean {
  return !isPublicAddress(address);
}

export { isLoopbackAddress, isPublicAddress, normaliseHost };

/**
 * Whether `host` is on the allowlist: an exact entry, or a `*.` entry it is a subdomain of. Both
 * sides are compared as {@link normaliseHost} gives them, so an IPv6 literal matches with or
 * without brackets and in any spelling.
 */
export function isHostAllowed(host: string, allowedHosts: readonly string[]): boolean {
  const name = normaliseHost(host);
  return allowedHosts.some((allowed) => {
    const entry = normaliseHost(allowed);
    return entry.startsWith('*.')
      ? name.endsWith(entry.slice(1)) && name.length > entry.length - 1
      : name === entry;
  });
}

function isLoopbackName(host: string): boolean {
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    (isIP(host) !== 0 && isLoopbackAddress(host))
  );
}

async function systemResolve(host: string): Promise<readonly ResolvedAddress[]> {
  const addresses = await dnsLookup(host, { all: true, verbatim: true });
  return addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

type Target =
  | { readonly ok: true; readonly url: URL; readonly address: ResolvedAddress }
  | { readonly ok: false; readonly attempt: WebhookAttempt };

/**
 * Sends webhooks over HTTPS, signed per the Standard Webhooks spec with the `standardwebhooks`
 * package. Before every attempt it checks the URL: https only, the host on the allowlist, and
 * every address the host resolves to public (no private, loopback or link-local address, so no
 * cloud metadata endpoint); it then connects to the address it checked, so a second DNS answer
 * cannot swap it. Loopback (http or https) is allowed only with `allowLoopback`, for local
 * development. Redirects are not followed.
 *
 * @example
 * const sender = new HttpWebhookSender({ secret, allowedHosts: ['api.toq.com.br'] });
 * await sender.send({ url, id: 'msg_…', timestamp: new Date(), body: JSON.stringify(payload) });
 */
export class HttpWebhookSender implements WebhookSender {
  readonly #options: Required<Omit<HttpWebhookSenderOptions, 'allowedHosts'>> & {
    readonly allowedHosts: readonly string[];
  };

  constructor(options: HttpWebhookSenderOptions) {
    this.#options = {
      allowLoopback: false,
      timeoutMs: 10_000,
      resolve: systemResolve,
      ...options,
      allowedHosts: options.allowedHosts.map(normaliseHost),
    };
  }

  async send(message: WebhookMessage): Promise<WebhookAttempt> {
    const target = await this.#target(message.url);
    if (!target.ok) return target.attempt;
    const secret = await this.#options.secret.get();
    // Standard Webhooks secrets are base64, shared as whsec_…; the stack's first secret is bare.
    if (!/^(whsec_)?[A-Za-z0-9+/]{16,}={0,2}$/.test(secret)) {
      throw new ConfigurationError(
        'The webhook signing secret is malformed: expected base64, optionally prefixed with whsec_ (Standard Webhooks), received another value',
      );
    }
    const signer = new Webhook(secret);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'toq-media-webhooks/1',
      'webhook-id': message.id,
      'webhook-timestamp': String(Math.floor(message.timestamp.getTime() / 1000)),
      'webhook-signature': signer.sign(message.id, message.timestamp, message.body),
    };
    return this.#post(target, headers, message.body);
  }

  async #target(raw: string): Promise<Target> {
    const refuse = (reason: string): Target => ({
      ok: false,
      attempt: { outcome: 'refused', reason },
    });
    if (!URL.canParse(raw)) return refuse('not a valid URL');
    const url = new URL(raw);
    // `URL#hostname` keeps an IPv6 literal's brackets: drop them once, for every check below.
    const host = normaliseHost(url.hostname);
    const loopbackAllowed = this.#options.allowLoopback && isLoopbackName(host);
    if (url.username || url.password) return refuse('credentials in the URL are not allowed');
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopbackAllowed)) {
      return refuse(`expected an https URL, received ${url.protocol.replace(':', '')}`);
    }
    if (!loopbackAllowed && !isHostAllowed(host, this.#options.allowedHosts)) {
      return refuse(`host ${host} is not on the allowlist`);
    }
    let addresses: readonly ResolvedAddress[];
    if (isIP(host) !== 0) {
      addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
    } else {
      try {
        addresses = await this.#options.resolve(host);
      } catch (error) {
        return {
          ok: false,
          attempt: {
            outcome: 'network-error',
            message: `cannot resolve ${host}: ${(error as Error).message}`,
          },
        };
      }
    }
    const blocked = addresses.find(
      (a) => !isPublicAddress(a.address) && !(loopbackAllowed && isLoopbackAddress(a.address)),
    );
    if (blocked)
      return refuse(`host ${host} resolves to a non-public address (${blocked.address})`);
    // IPv4 first: a Lambda function outside a dual-stack VPC has no IPv6 route.
    const address = [...addresses].sort((a, b) => a.family - b.family)[0];
    if (!address) return refuse(`host ${host} resolves to no address`);
    return { ok: true, url, address };
  }

  #post(
    target: Extract<Target, { ok: true }>,
    headers: Record<string, string>,
    body: string,
  ): Promise<WebhookAttempt> {
    const { url, address } = target;
    // Connect to the address that was checked, whatever the resolver says now.
    const pinned: LookupFunction = (_host, options, callback) => {
      if (options.all) callback(null, [{ address: address.address, family: address.family }]);
      else callback(null, address.address, address.family);
    };
    const options: RequestOptions = {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: pinned,
      signal: AbortSignal.timeout(this.#options.timeoutMs),
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<WebhookAttempt>((resolve) => {
      const req = send(url, options, (res) => {
        res.resume();
        res.on('end', () => resolve({ outcome: 'response', statusCode: res.statusCode ?? 0 }));
        res.on('error', (error) => resolve(failure(error)));
      });
      req.on('error', (error) => resolve(failure(error)));
      req.end(body);
    });
  }
}

function failure(error: Error): WebhookAttempt {
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return { outcome: 'timeout' };
  return {
    outcome: 'network-error',
    message: `${(error as NodeJS.ErrnoException).code ?? error.name}: ${error.message}`,
  };
}
