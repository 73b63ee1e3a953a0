/**
 * Stable codes of {@link InfraError}.
 * - `INVALID_CONTEXT`: a CDK context value (`-c stage=…`, `-c callbackAllowedHosts=…`) is wrong.
 * - `MISSING_BUNDLE`: a function's bundle is not built (`nx run lambdas:build`).
 * - `UNJUSTIFIED_WILDCARD`: a policy statement has a `*` resource and no reason for it.
 * - `INVALID_IMPORT`: the `cdk import` resource mapping cannot be made (key id, account, region).
 */
export type InfraErrorCode =
  'INVALID_CONTEXT' | 'MISSING_BUNDLE' | 'UNJUSTIFIED_WILDCARD' | 'INVALID_IMPORT';

/**
 * The one error the CDK app throws, at synth time, before anything reaches AWS.
 *
 * @example
 * try { resolveConfig({ stage: 'Prod!' }) } catch (e) {
 *   if (e instanceof InfraError) console.log(e.code); // 'INVALID_CONTEXT'
 * }
 */
export class InfraError extends Error {
  override readonly name = 'InfraError';
  readonly code: InfraErrorCode;

  constructor(code: InfraErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
