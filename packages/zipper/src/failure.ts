import type { ZipperError } from './errors';

/** For promises whose rejection is handled elsewhere (through {@link FirstFailure.fail}). */
export const ignore = (): undefined => undefined;

/**
 * The first failure of a run, and the one wait it interrupts. The archive is written one step
 * after another (open a source, write an entry, take the next one; sources read ahead only report
 * their failure through `fail`, they never wait), so a single slot is enough:
 * no long-lived promise collects a reaction per entry, and memory stays flat over any number of
 * entries.
 */
export class FirstFailure {
  /** The first failure, once there is one. */
  error: ZipperError | undefined;
  #interrupt: ((error: ZipperError) => void) | undefined;

  /** Records `error` unless something failed already, and interrupts the current wait. */
  fail(error: ZipperError): void {
    if (this.error !== undefined) return;
    this.error = error;
    this.#interrupt?.(error);
  }

  /** Waits for `promise`, unless something fails first (then rejects with that failure). */
  wait<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.error !== undefined) {
        reject(this.error);
        return;
      }
      this.#interrupt = reject;
      const settled = () => {
        if (this.#interrupt === reject) this.#interrupt = undefined;
      };
      promise.then(
        (value) => {
          settled();
          resolve(value);
        },
        (error: unknown) => {
          settled();
          reject(error);
        },
      );
    });
  }

  /** Whether `error` is the recorded failure (as opposed to one of the awaited promise). */
  is(error: unknown): error is ZipperError {
    return error !== undefined && error === this.error;
  }
}
