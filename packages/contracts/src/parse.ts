import type * as z from 'zod';
import { ContractError, toContractIssues, type ContractErrorCode } from './errors';

/** The outcome of {@link safeParse}: the parsed value, or the error {@link parse} would throw. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: ContractError };

function subjectOf(schema: z.ZodType, fallback: string): string {
  return schema.meta()?.title?.toString() ?? fallback;
}

/**
 * Parses `input` with one of this package's schemas and returns the typed, normalised value
 * (UUIDs and extensions lowercased).
 *
 * @throws {ContractError} `INVALID_INPUT`, listing every problem with its path.
 * @example
 * const request = parse(ProcessingRequest, JSON.parse(sqsRecord.body));
 */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = safeParse(schema, input);
  if (!result.ok) throw result.error;
  return result.value;
}

/**
 * Like {@link parse}, but returns `{ ok: false, error }` instead of throwing.
 *
 * @example
 * const result = safeParse(ProcessingRequest, body);
 * if (!result.ok) return { status: 400, issues: result.error.issues };
 */
export function safeParse<S extends z.ZodType>(
  schema: S,
  input: unknown,
): ParseResult<z.output<S>> {
  return safeParseAs(schema, input, 'INVALID_INPUT', subjectOf(schema, 'input'));
}

/** @internal */
export function safeParseAs<S extends z.ZodType>(
  schema: S,
  input: unknown,
  code: ContractErrorCode,
  subject: string,
): ParseResult<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    error: new ContractError(code, subject, toContractIssues(result.error), {
      cause: result.error,
    }),
  };
}
