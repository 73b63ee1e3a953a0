import type { Context } from 'aws-lambda';
import type { output, ZodType } from 'zod';
import { parseInput } from '../domain/errors.ts';
import type { Logger } from '../ports/logger.ts';

/** The correlation keys every log line of an invocation carries. */
export interface CorrelationKeys {
  readonly listingId?: string;
  readonly requestId?: string;
  readonly executionName?: string;
}

/**
 * A function's logger for one invocation: called once per invocation with the payload's
 * correlation keys and Lambda's context, it returns the {@link Logger} port the domain writes
 * to. On Lambda it is the Powertools logger (`logger.ts`: the previous invocation's keys dropped,
 * the context added as `injectLambdaContext` adds it: `function_request_id`, `cold_start`…);
 * the local run passes its own, with a local context.
 */
export type InvocationLogger = (keys: CorrelationKeys, context?: Context) => Logger;

/**
 * A function's handler as Lambda calls it: the payload and Lambda's context in, the JSON result
 * out. Lambda always passes the context; a caller without one (a test) logs without its fields.
 */
export type TaskHandler<R> = (event: unknown, context?: Context) => Promise<R>;

/** What every function's factory takes besides its ports: its {@link InvocationLogger}. */
export interface TaskDeps {
  readonly logger: InvocationLogger;
}

/** One function: its payload's schema and name, and the domain call. */
export interface TaskDefinition<S extends ZodType, D, R> {
  /** The payload's schema, parsed before anything else: the domain only sees typed input. */
  readonly input: S;
  /** What the payload is called in errors: "Invalid {subject}: {path}: {problem}". */
  readonly subject: string;
  /** The invocation's correlation keys, from the payload as received. Default {@link correlationKeys}. */
  readonly keys?: (event: unknown) => CorrelationKeys;
  /** The domain call, on the parsed payload, the function's ports and this invocation's logger. */
  readonly run: (input: output<S>, deps: D, logger: Logger) => Promise<R>;
}

/**
 * Defines one function once, for both composition roots (`handlers/<fn>.ts` on Lambda, the local
 * run): returns its factory, `(deps) => (event, context) => result`. Each invocation gets its
 * correlation keys and Lambda's context on its logger (before the payload is parsed, so even a
 * refusal is logged with them), then the payload is parsed with its schema at the edge, then the
 * domain runs.
 *
 * @throws {InvalidRequestError} "Invalid {subject}: …" when the payload does not parse (never
 *   retried by the state machine); otherwise whatever the domain throws.
 * @example
 * export const createZipHandler = defineTask({
 *   input: ZipInput,
 *   subject: 'BundleZip payload',
 *   run: (input, deps: Omit<BundleDeps, 'logger'>, logger) => bundleListing(input, { ...deps, logger }),
 * });
 * const handler = createZipHandler({ store, archive, logger });
 * await handler({ ctx }, context);
 */
export function defineTask<S extends ZodType, D, R>(
  definition: TaskDefinition<S, D, R>,
): (deps: D & TaskDeps) => TaskHandler<R> {
  const keysOf = definition.keys ?? correlationKeys;
  return (deps) => async (event, context) => {
    const logger = deps.logger(keysOf(event), context);
    const input = parseInput(definition.input, event, definition.subject);
    return definition.run(input, deps, logger);
  };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * The correlation keys found in a task payload before it is parsed: `ctx` (most tasks),
 * `state.ctx` (Consolidate), or `request` + `executionName` (Validate); in an execution's input
 * (`request`, or the failure path's `state`), a stored request pointer's ids. Unknown shapes give
 * none.
 */
export function correlationKeys(event: unknown): CorrelationKeys {
  const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const state = (e['state'] ?? {}) as Record<string, unknown>;
  const input = (e['ctx'] ?? state['ctx'] ?? e['request'] ?? state) as Record<string, unknown>;
  const source = (input?.['storedRequest'] ?? input) as Record<string, unknown>;
  const keys = {
    listingId: text(source?.['listingId']),
    requestId: text(source?.['requestId']),
    executionName: text(source?.['executionName']) ?? text(e['executionName']),
  };
  return Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined));
}
