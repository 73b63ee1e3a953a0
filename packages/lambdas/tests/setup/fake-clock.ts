import type { Clock } from '../../src/ports/clock.ts';

/**
 * The {@link Clock} port for unit tests: time starts at `start` and moves only when the domain
 * asks to wait; every wait asked for is kept in `sleeps` (nothing really waits).
 */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  #now: number;

  constructor(start = '2026-11-01T12:00:00.000Z') {
    this.#now = Date.parse(start);
  }

  now(): Date {
    return new Date(this.#now);
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.#now += ms;
  }
}
