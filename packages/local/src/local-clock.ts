import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '@toq/lambdas';

/**
 * The real time, with waits scaled by `factor` (0: no waiting at all). Local runs compress the
 * functions' own backoff (the webhook sender's 1 s, 2 s, 4 s) so a down endpoint costs seconds,
 * not minutes; the tests use 0.
 *
 * @example
 * const clock = scaledClock(0.25); // a 4 s backoff waits 1 s
 */
export function scaledClock(factor: number): Clock {
  if (!(factor >= 0)) throw new RangeError(`Expected a time factor >= 0, received ${factor}`);
  return {
    now: () => new Date(),
    sleep: async (ms) => {
      if (factor > 0 && ms > 0) await delay(ms * factor);
    },
  };
}
