import type * as z from 'zod';

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

/** How many issues {@link ContractError}'s message spells out; `issues` always has all of them. */
const ISSUES_IN_MESSAGE = 10;

/**
 * The one error `@toq/contracts` throws: it lists every problem found, never only the first,
 * and never leaks a bare zod stack (zod's error is kept as `cause`). The message spells out the
 * first ten problems; `issues` has all of them.
 *
 * @example
 * try { parse(ProcessingRequest, body) } catch (e) {
 *   if (e instanceof ContractError) console.log(e.code, e.issues); // [{ path: 'listingId', message: '…' }]
 * }
 */
export class ContractError extends Error {
  override readonly name = 'ContractError';
  /** What failed: `INVALID_INPUT` (a message or key part) or `INVALID_KEY` (a key string). */
  readonly code: ContractErrorCode;
  /** Every problem found, in the order of the input. Never empty. */
  readonly issues: readonly ContractIssue[];

  constructor(
    code: ContractErrorCode,
    subject: string,
    issues: readonly ContractIssue[],
    options?: { cause?: unknown },
  ) {
    const shown = issues.slice(0, ISSUES_IN_MESSAGE).map((i) => `${i.path}: ${i.message}`);
    if (issues.length > ISSUES_IN_MESSAGE) {
      shown.push(`and ${issues.length - ISSUES_IN_MESSAGE} more (see .issues)`);
    }
    super(`Invalid ${subject}: ${shown.join('; ')}`, options);
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

/** Control, format (bidi overrides, zero-width) and line-separator characters. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

function visible(text: string): string {
  return text.replace(INVISIBLE, (c) => `\\u{${c.codePointAt(0)?.toString(16)}}`);
}

/**
 * Converts zod's issues into ours: a dotted path and a message, nothing else. Both may quote the
 * input (an unknown key's name), so invisible characters in them are escaped.
 */
export function toContractIssues(error: z.ZodError): ContractIssue[] {
  return error.issues.map((issue) => ({
    path: visible(formatPath(issue.path)),
    message: visible(issue.message),
  }));
}
