/**
 * A secret the function needs (the webhook signing secret), read from its store once per cold
 * start and cached. Implemented by the Secrets Manager adapter.
 *
 * Failure semantics: throttling, 5xx and network trouble reject with `TransientError` (and the
 * next call tries again); a missing or malformed secret rejects with `ConfigurationError`.
 */
export interface SecretSource {
  get(): Promise<string>;
}
