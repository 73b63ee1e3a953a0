import type { z } from 'zod';

/** One problem found in an input: where it is (`media[3].ext`, or `(root)`) and what is wrong. */
export interface ContractIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * Stable codes of {@link ContractError}.
 * - `INVALID_INPUT`: a message or a key part does not match its schema.
 * - `INVALID_KEY`: a string is not an object key of the layout (spec §2).
 */
export type ContractErrorCode = 'INVALID_INPUT' | 'INVALID_KEY';

/**
 * The one error `@toq/contracts` throws: it lists every problem found, never only the first,
 * and never leaks a bare zod stack.
 *
 * @example
 * try { parse(ProcessingRequest, body) } catch (e) {
 *   if (e instanceof ContractError) console.log(e.issues); // [{ path: 'listingId', message: '…' }]
 * }
 */
export class ContractError extends Error {
  override readonly name = 'ContractError';
  readonly code: ContractErrorCode;
  readonly issues: readonly ContractIssue[];

  constructor(
    code: ContractErrorCode,
    subject: string,
    issues: readonly ContractIssue[],
    options?: { cause?: unknown },
  ) {
    super(
      `Invalid ${subject}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      options,
    );
    this.code = code;
    this.issues = issues;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`,
    )
    .join('');
}

/** Converts zod's issues into ours: a dotted path and a message, nothing else. */
export function toContractIssues(error: z.ZodError): ContractIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}
