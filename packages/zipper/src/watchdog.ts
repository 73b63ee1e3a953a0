/** The longest delay `setTimeout` takes as it is (a longer one fires at once). */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

/**
 * Calls `onIdle` once when nothing has made progress for `timeout` milliseconds. Progress is
 * only a timestamp (`progress()` costs a clock read, nothing is rescheduled per chunk); one timer
 * wakes up when the time could be up and checks. `Infinity` never fires.
 */
export class Watchdog {
  readonly #timeout: number;
  readonly #onIdle: () => void;
  #last = performance.now();
  #timer: NodeJS.Timeout | undefined;

  constructor(timeout: number, onIdle: () => void) {
    this.#timeout = timeout;
    this.#onIdle = onIdle;
  }

  /** Starts counting from now. */
  start(): void {
    this.#last = performance.now();
    if (Number.isFinite(this.#timeout)) this.#arm(this.#timeout);
  }

  /** Something moved: a chunk read, a chunk written, an entry taken, a source opened. */
  readonly progress = (): void => {
    this.#last = performance.now();
  };

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(delay: number): void {
    this.#timer = setTimeout(this.#check, Math.min(Math.max(Math.ceil(delay), 1), MAX_TIMER_DELAY));
  }

  readonly #check = (): void => {
    const idle = performance.now() - this.#last;
    if (idle >= this.#timeout) {
      this.#timer = undefined;
      this.#onIdle();
    } else {
      this.#arm(this.#timeout - idle);
    }
  };
}
