/** One execution to start: its deterministic name and its input (the JSON the state machine gets). */
export interface StartExecutionRequest {
  /** `executionName(listingId, requestId)` from `@toq/contracts`. */
  readonly name: string;
  /** The execution's input, already serialised. */
  readonly input: string;
}

/**
 * What became of a start: a new execution, or one of that name was already there (a redelivered
 * message, or the backend started it directly), which counts as done.
 */
export type StartExecutionResult =
  | { readonly status: 'started'; readonly executionArn: string }
  | { readonly status: 'already-exists' };

/**
 * Starts state machine executions. Implemented by the Step Functions adapter.
 *
 * Failure semantics: throttling, 5xx and network trouble reject with `TransientError`; anything
 * else (a missing state machine, no permission) rejects with the underlying error.
 */
export interface ExecutionStarter {
  start(request: StartExecutionRequest): Promise<StartExecutionResult>;
}
