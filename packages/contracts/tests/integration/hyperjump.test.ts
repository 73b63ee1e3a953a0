import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  registerSchema,
  setShouldValidateFormat,
  validate,
  type Validator,
} from '@hyperjump/json-schema/draft-2020-12';
import '@hyperjump/json-schema/formats';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JsonSchemaName } from '@toq/contracts';
import { CORPUS } from '../support/corpus';
import { expectPrinted, pythonExample } from '../support/readme';
import { expectedJsonSchemaVerdict, zodVerdict } from '../support/verdicts';

const schemasFolder = join(import.meta.dirname, '../../schemas');

/**
 * The second validator beside ajv (tests/unit/json-schema.test.ts): Hyperjump's implementation of
 * draft 2020-12, written independently of ajv, reading the shipped files as a backend would,
 * with `format` asserted.
 */
describe('Hyperjump JSON Schema (draft 2020-12, formats asserted) on the shipped schemas', () => {
  const validators = new Map<JsonSchemaName, Validator>();
  const ids = new Map<JsonSchemaName, unknown>();

  beforeAll(async () => {
    setShouldValidateFormat(true);
    for (const [name] of CORPUS) {
      // Registered under its own $id, the URI a backend's validator knows it by.
      const schema = JSON.parse(await readFile(join(schemasFolder, `${name}.json`), 'utf8'));
      ids.set(name, schema.$id);
      registerSchema(schema);
      validators.set(name, await validate(schema.$id));
    }
  });

  it('finds every file under its own $id: unique, ending with the file’s name, of this version', async () => {
    const { version } = JSON.parse(await readFile(join(schemasFolder, '../package.json'), 'utf8'));
    expect(new Set(ids.values()).size).toBe(CORPUS.length);
    for (const [name, id] of ids) {
      expect(id).toBe(`https://unpkg.com/@toq/contracts@${version}/schemas/${name}.json`);
      expect(String(id).endsWith(`/${name}.json`)).toBe(true);
    }
  });

  it.each(CORPUS)('agrees with zod on every %s example', (name, examples) => {
    const validator = validators.get(name);
    if (!validator) throw new Error(`no validator for ${name}`);
    const verdicts = { valid: 0, invalid: 0 };
    const disagreements = examples.flatMap(({ label, value }) => {
      const says = validator(value as Parameters<Validator>[0]).valid ? 'valid' : 'invalid';
      verdicts[says] += 1;
      const expected = expectedJsonSchemaVerdict(zodVerdict(name, value));
      return says === expected ? [] : [`${label}: hyperjump ${says}, expected ${expected}`];
    });
    expect(disagreements).toEqual([]);
    expect(verdicts.valid).toBeGreaterThan(0);
    expect(verdicts.invalid).toBeGreaterThan(10);
  });
});

/** Python with the `jsonschema` package, where the machine has it (the README's example needs it). */
const python = spawnSync('python3', ['-c', 'import jsonschema'], { encoding: 'utf8' }).status === 0;

describe('the README’s Python example', () => {
  it.skipIf(!python)('prints what the README says (needs python3 with jsonschema)', () => {
    const example = pythonExample();
    const code = example.code.replace('node_modules/@toq/contracts/schemas/', `${schemasFolder}/`);
    const run = spawnSync('python3', ['-c', code], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expectPrinted(run.stdout, example.expected);
  });
});
