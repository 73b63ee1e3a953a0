/** Time, injected so the domain stays deterministic under test. */
export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}
