import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigurationError } from '../domain/errors.ts';
import type { FunctionId, PipelineNames } from './resources.ts';

/**
 * The state machine's definition: one ASL (JSONPath) file with `${Name}` placeholders, deployed
 * by `infra` through `definitionSubstitutions` and executed unchanged by `local` and the tests
 * (`docs/pipeline.md` is its contract).
 */

/** Absolute path of `definition.asl.json`. */
export const DEFINITION_PATH = fileURLToPath(new URL('./definition.asl.json', import.meta.url));

/** The definition's text, placeholders and all, read once. */
export const DEFINITION_TEXT = readFileSync(DEFINITION_PATH, 'utf8');

/** The placeholders the definition uses: every one needs a value, on AWS and locally. */
export const DEFINITION_PLACEHOLDERS = [
  'ValidateFunctionArn',
  'ThumbnailsFunctionArn',
  'TranscodeFunctionArn',
  'ZipFunctionArn',
  'ConsolidateFunctionArn',
  'CallbackFunctionArn',
  'MediaConvertRoleArn',
] as const;
export type DefinitionPlaceholder = (typeof DEFINITION_PLACEHOLDERS)[number];

const PLACEHOLDER = /\$\{(\w+)\}/g;

/**
 * The definition with every `${Name}` replaced, parsed: what Step Functions runs once
 * CloudFormation has applied `definitionSubstitutions`. The local runner and the tests use it
 * with stand-in ARNs.
 *
 * @throws {ConfigurationError} when a placeholder has no value.
 * @example
 * const definition = renderDefinition({ ValidateFunctionArn: 'arn:aws:lambda:…', … });
 * new StateMachine(definition).run(request, { overrides });
 */
export function renderDefinition(
  values: Readonly<Record<DefinitionPlaceholder, string>>,
): Record<string, unknown> {
  const text = DEFINITION_TEXT.replace(PLACEHOLDER, (whole, name: string) => {
    const value = (values as Readonly<Record<string, string | undefined>>)[name];
    if (value === undefined) {
      throw new ConfigurationError(
        `No value for the definition's placeholder "${whole}": expected one of ${DEFINITION_PLACEHOLDERS.join(', ')} in the substitutions, received ${Object.keys(values).join(', ') || 'none'}`,
      );
    }
    return value;
  });
  return JSON.parse(text) as Record<string, unknown>;
}

/** The function a `…FunctionArn` placeholder stands for (`ThumbnailsFunctionArn` → `thumbnails`). */
export function placeholderFunction(placeholder: DefinitionPlaceholder): FunctionId | undefined {
  const name = /^(\w+)FunctionArn$/.exec(placeholder)?.[1];
  return name === undefined ? undefined : (name.toLowerCase() as FunctionId);
}

/**
 * The values CloudFormation gives the placeholders for one stage's resources in an account and
 * region: the ARNs a local run and the tests fill in, in the same shape as on AWS.
 *
 * @example
 * renderDefinition(definitionValues(pipelineNames('local'), { account: '000000000000', region: 'us-east-1' }));
 */
export function definitionValues(
  names: PipelineNames,
  where: { readonly account: string; readonly region: string },
): Record<DefinitionPlaceholder, string> {
  return Object.fromEntries(
    DEFINITION_PLACEHOLDERS.map((placeholder) => {
      const fn = placeholderFunction(placeholder);
      const arn = fn
        ? `arn:aws:lambda:${where.region}:${where.account}:function:${names.functions[fn]}`
        : `arn:aws:iam::${where.account}:role/${names.mediaConvertRole}`;
      return [placeholder, arn];
    }),
  ) as Record<DefinitionPlaceholder, string>;
}
