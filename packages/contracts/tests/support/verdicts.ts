/** What zod says of an example, stated the way a JSON Schema validator would say it. */
import { isDeepStrictEqual } from 'node:util';
import { safeParse, type JsonSchemaName } from '@toq/contracts';
import { SHIPPED } from '../../src/json-schema';
import { ZOD_ONLY_CHECKS } from './corpus';

/** Each shipped schema's zod schema and side (see the README's "JSON Schema"). */
export const ZOD_SCHEMAS = SHIPPED;

export type Verdict = 'valid' | 'invalid' | 'valid-but-for-zod-only-checks';

/**
 * zod's verdict. On the input side, valid means it parses. On the output side, valid means it
 * parses to itself: the pipeline writes values already normalised, so an upper-case id there is
 * not something a backend receives. An input rejected only by checks JSON Schema cannot express
 * gets its own verdict.
 */
export function zodVerdict(name: JsonSchemaName, value: unknown): Verdict {
  const { schema, io } = ZOD_SCHEMAS[name];
  const result = safeParse(schema, value);
  if (result.ok)
    return io === 'input' || isDeepStrictEqual(result.value, value) ? 'valid' : 'invalid';
  const zodOnly = result.error.issues.every((issue) =>
    ZOD_ONLY_CHECKS.some((check) => check.test(issue.message)),
  );
  return zodOnly ? 'valid-but-for-zod-only-checks' : 'invalid';
}

/** What a JSON Schema validator should say, given zod's verdict. */
export function expectedJsonSchemaVerdict(verdict: Verdict): 'valid' | 'invalid' {
  return verdict === 'invalid' ? 'invalid' : 'valid';
}
