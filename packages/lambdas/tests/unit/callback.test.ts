import { WebhookPayload, parse } from '@toq/contracts';
import { describe, expect, it } from 'vitest';
import {
  isRetryable,
  notifyBackend,
  webhookId,
  type CallbackInput,
  type DeliveryRecord,
  type RetryPolicy,
} from '../../src/domain/callback.ts';
import { deliveryStateKey, resultStateKey } from '../../src/domain/state-keys.ts';
import type {
  WebhookAttempt,
  WebhookMessage,
  WebhookSender,
} from '../../src/ports/webhook-sender.ts';
import { FakeClock } from '../setup/fake-clock.ts';
import { SCOPE, sampleResult, silentLogger } from '../setup/fixtures.ts';
import { MemoryObjectStore } from '../setup/memory-store.ts';

const URL_ = 'https://api.example.com/hooks/media';
const POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 8000 };

/** The sender port, scripted: each attempt gets the next outcome (the last one repeats). */
class ScriptedSender implements WebhookSender {
  readonly messages: WebhookMessage[] = [];
  constructor(private readonly outcomes: readonly WebhookAttempt[]) {}

  async send(message: WebhookMessage): Promise<WebhookAttempt> {
    this.messages.push(message);
    const outcome = this.outcomes[Math.min(this.messages.length, this.outcomes.length) - 1];
    if (outcome === undefined) throw new Error('no scripted outcome');
    return outcome;
  }
}

const status = (statusCode: number): WebhookAttempt => ({ outcome: 'response', statusCode });
const TIMEOUT: WebhookAttempt = { outcome: 'timeout' };
const RESET: WebhookAttempt = { outcome: 'network-error', message: 'ECONNRESET' };

function input(overrides: Partial<CallbackInput> = {}): CallbackInput {
  return {
    ctx: SCOPE,
    status: 'partially_failed',
    resultKey: resultStateKey(SCOPE),
    callbackUrl: URL_,
    ...overrides,
  };
}

/** A store holding the execution's result.json, a clock, and the sender scripted with `outcomes`. */
function setup(outcomes: readonly WebhookAttempt[]) {
  const store = new MemoryObjectStore();
  store.seed(resultStateKey(SCOPE), JSON.stringify(sampleResult()), 'application/json');
  const clock = new FakeClock();
  const sender = new ScriptedSender(outcomes);
  return { store, clock, sender, deps: { store, clock, sender, logger: silentLogger } };
}

describe('callback (notifyBackend): delivery and retries', () => {
  it('sends the signed result once on a 2xx, waits for nothing and records the delivery', async () => {
    // Prepare
    const { store, clock, sender, deps } = setup([status(204)]);

    // Act
    const out = await notifyBackend(input(), deps, POLICY);

    // Assess
    expect(out).toEqual({ delivered: true, attempts: 1, statusCode: 204 });
    expect(clock.sleeps).toEqual([]);
    expect(sender.messages).toHaveLength(1);
    const [message] = sender.messages;
    expect(message).toMatchObject({ url: URL_, id: `msg_${SCOPE.executionName}` });
    const payload = parse(WebhookPayload, JSON.parse(message?.body ?? ''));
    expect(payload).toEqual({
      type: 'listing.media.processed',
      timestamp: '2026-11-01T12:00:00.000Z',
      data: sampleResult(),
    });
    expect(store.json(deliveryStateKey(SCOPE))).toEqual({
      webhookId: `msg_${SCOPE.executionName}`,
      url: URL_,
      delivered: true,
      statusCode: 204,
      attempts: [
        { outcome: 'response', statusCode: 204, attempt: 1, at: '2026-11-01T12:00:00.000Z' },
      ],
    } satisfies DeliveryRecord);
  });

  it('retries 503, a timeout, 429 and 408 with doubling waits and the same webhook-id, until a 2xx', async () => {
    // Prepare
    const { store, clock, sender, deps } = setup([
      status(503),
      TIMEOUT,
      status(429),
      status(408),
      status(200),
    ]);

    // Act
    const out = await notifyBackend(input(), deps, { ...POLICY, maxAttempts: 5 });

    // Assess
    expect(out).toEqual({ delivered: true, attempts: 5, statusCode: 200 });
    expect(clock.sleeps).toEqual([1000, 2000, 4000, 8000]);
    expect(new Set(sender.messages.map((m) => m.id))).toEqual(
      new Set([webhookId(SCOPE.executionName)]),
    );
    // Each attempt is signed at its own time.
    expect(sender.messages.map((m) => m.timestamp.toISOString())).toEqual([
      '2026-11-01T12:00:00.000Z',
      '2026-11-01T12:00:01.000Z',
      '2026-11-01T12:00:03.000Z',
      '2026-11-01T12:00:07.000Z',
      '2026-11-01T12:00:15.000Z',
    ]);
    const record = store.json(deliveryStateKey(SCOPE)) as DeliveryRecord;
    expect(record.attempts.map((a) => a.outcome)).toEqual([
      'response',
      'timeout',
      'response',
      'response',
      'response',
    ]);
    expect(record).toMatchObject({ delivered: true, statusCode: 200 });
  });

  it('caps the wait at maxDelayMs and throws WebhookDeliveryError after the last attempt, recording every one', async () => {
    // Prepare
    const { store, clock, sender, deps } = setup([status(500)]);

    // Act
    const error = await notifyBackend(input(), deps, {
      maxAttempts: 5,
      baseDelayMs: 1000,
      maxDelayMs: 3000,
    }).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'WebhookDeliveryError' });
    expect((error as Error).message).toBe(
      `Webhook msg_${SCOPE.executionName} to api.example.com not delivered: expected a 2xx answer, received HTTP 500 after 5 attempt(s)`,
    );
    expect(clock.sleeps).toEqual([1000, 2000, 3000, 3000]);
    expect(sender.messages).toHaveLength(5);
    expect(store.json(deliveryStateKey(SCOPE))).toMatchObject({
      delivered: false,
      statusCode: 500,
      attempts: [{ attempt: 1 }, { attempt: 2 }, { attempt: 3 }, { attempt: 4 }, { attempt: 5 }],
    });
  });

  it('keeps the last HTTP status when the last attempts got no answer, and null when none did', async () => {
    // Prepare
    const answered = setup([status(502), RESET]);
    const silent = setup([RESET]);

    // Act
    const errors = await Promise.all([
      notifyBackend(input(), answered.deps, POLICY).catch((e: unknown) => e),
      notifyBackend(input(), silent.deps, POLICY).catch((e: unknown) => e),
    ]);

    // Assess
    expect(errors.map((e) => (e as Error).name)).toEqual([
      'WebhookDeliveryError',
      'WebhookDeliveryError',
    ]);
    expect(answered.store.json(deliveryStateKey(SCOPE))).toMatchObject({ statusCode: 502 });
    expect(silent.store.json(deliveryStateKey(SCOPE))).toMatchObject({ statusCode: null });
    expect((errors[1] as Error).message).toMatch(/received a network error \(ECONNRESET\) after 4/);
  });

  it.each([
    ['a 400', status(400), 400, /received HTTP 400 after 1 attempt/],
    ['a 3xx (redirects are not followed)', status(302), 302, /received HTTP 302 after 1 attempt/],
    [
      'a refused URL',
      { outcome: 'refused', reason: 'host not allowed' } as const,
      null,
      /received a refused URL \(host not allowed\) after 1 attempt/,
    ],
  ])(
    'does not retry %s: WebhookRejectedError (never retried by the state machine) after recording it',
    async (_name, outcome, statusCode, message) => {
      // Prepare
      const { store, clock, sender, deps } = setup([outcome]);

      // Act
      const error = await notifyBackend(input(), deps, POLICY).catch((e: unknown) => e);

      // Assess
      expect(error).toMatchObject({ name: 'WebhookRejectedError' });
      expect((error as Error).message).toMatch(message);
      expect(sender.messages).toHaveLength(1);
      expect(clock.sleeps).toEqual([]);
      expect(store.json(deliveryStateKey(SCOPE))).toMatchObject({ delivered: false, statusCode });
    },
  );

  it('does not send again a webhook already delivered for this execution', async () => {
    // Prepare
    const { store, sender, deps } = setup([status(200)]);
    await notifyBackend(input(), deps, POLICY);
    const recorded = store.json(deliveryStateKey(SCOPE));

    // Act
    const again = await notifyBackend(input(), deps, POLICY);

    // Assess
    expect(again).toEqual({ delivered: true, attempts: 1, statusCode: 200 });
    expect(sender.messages).toHaveLength(1);
    expect(store.json(deliveryStateKey(SCOPE))).toEqual(recorded);
  });

  it('sends again when the recorded delivery failed', async () => {
    // Prepare
    const { store, sender, deps } = setup([status(503), status(200)]);
    await notifyBackend(input(), deps, { ...POLICY, maxAttempts: 1 }).catch(() => undefined);

    // Act
    const again = await notifyBackend(input(), deps, POLICY);

    // Assess
    expect(again).toEqual({ delivered: true, attempts: 1, statusCode: 200 });
    expect(sender.messages).toHaveLength(2);
    expect(store.json(deliveryStateKey(SCOPE))).toMatchObject({ delivered: true });
  });

  it('refuses a resultKey that is not the execution’s result.json, sending nothing', async () => {
    // Prepare
    const { store, sender, deps } = setup([status(200)]);

    // Act
    const error = await notifyBackend(
      input({ resultKey: '_pipeline/other/result.json' }),
      deps,
      POLICY,
    ).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'InvalidRequestError' });
    expect((error as Error).message).toBe(
      `Invalid Callback payload: resultKey: expected "${resultStateKey(SCOPE)}", received "_pipeline/other/result.json"`,
    );
    expect(sender.messages).toEqual([]);
    expect(await store.head(deliveryStateKey(SCOPE))).toBeUndefined();
  });
});

describe('isRetryable', () => {
  it.each([
    [status(500), true],
    [status(503), true],
    [status(429), true],
    [status(408), true],
    [TIMEOUT, true],
    [RESET, true],
    [status(400), false],
    [status(401), false],
    [status(404), false],
    [status(301), false],
    [{ outcome: 'refused', reason: 'not https' } as const, false],
  ])('%o → %s', (attempt, retryable) => {
    expect(isRetryable(attempt)).toBe(retryable);
  });
});
