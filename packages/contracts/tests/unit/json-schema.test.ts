import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import {
  ContractError,
  JSON_SCHEMA_NAMES,
  jsonSchema,
  safeParse,
  type JsonSchemaName,
} from '@toq/contracts';
import { CORPUS, ZOD_ONLY_CHECKS } from '../support/corpus';
import { ZOD_SCHEMAS, expectedJsonSchemaVerdict, zodVerdict } from '../support/verdicts';

const schemasFolder = join(import.meta.dirname, '../../schemas');

type Node = Record<string, unknown>;

/**
 * Every object property in `schema`, with its path, walking every subschema that describes data
 * (properties, items, unions, `$defs`) and skipping the constraint-only twins (`if`/`then`).
 */
function propertiesOf(schema: unknown, path = '#'): { path: string; schema: Node }[] {
  if (schema === null || typeof schema !== 'object') return [];
  const node = schema as Node;
  const found: { path: string; schema: Node }[] = [];
  for (const [name, child] of Object.entries((node.properties as Node | undefined) ?? {})) {
    found.push({ path: `${path}.${name}`, schema: child as Node });
    found.push(...propertiesOf(child, `${path}.${name}`));
  }
  if (node.items) found.push(...propertiesOf(node.items, `${path}[]`));
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    for (const [i, child] of ((node[keyword] as unknown[] | undefined) ?? []).entries()) {
      found.push(...propertiesOf(child, `${path}|${keyword}[${i}]`));
    }
  }
  for (const [name, child] of Object.entries((node.$defs as Node | undefined) ?? {})) {
    found.push(...propertiesOf(child, `#/$defs/${name}`));
  }
  return found;
}

describe('the shipped JSON Schemas', () => {
  it('are exactly the committed files in schemas/, and none is stale', async () => {
    const files = (await readdir(schemasFolder)).sort();
    expect(files).toEqual(JSON_SCHEMA_NAMES.map((name) => `${name}.json`).sort());
    for (const name of JSON_SCHEMA_NAMES) {
      const committed = JSON.parse(await readFile(join(schemasFolder, `${name}.json`), 'utf8'));
      expect(
        committed,
        `schemas/${name}.json is stale: run \`npx nx build contracts\` and commit packages/contracts/schemas`,
      ).toEqual(jsonSchema(name));
    }
  });

  it.each(JSON_SCHEMA_NAMES)('%s is a titled, described draft 2020-12 object schema', (name) => {
    const schema = jsonSchema(name);
    expect(Object.keys(schema).slice(0, 2)).toEqual(['$schema', '$id']);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toEqual(expect.any(String));
    expect(schema.description).toEqual(expect.any(String));
    expect(schema.type ?? schema.oneOf).toBeDefined();
  });

  it.each(JSON_SCHEMA_NAMES)('%s describes every property', (name) => {
    const properties = propertiesOf(jsonSchema(name));
    expect(properties.length).toBeGreaterThan(0);
    const undescribed = properties
      .filter(({ schema }) => typeof schema.description !== 'string' || schema.description === '')
      .map(({ path }) => path);
    expect(undescribed, `${name}: properties without a description`).toEqual([]);
  });

  it('the walker finds a property without a description', () => {
    const schema = {
      type: 'object',
      properties: { a: { type: 'array', items: { properties: { b: {} } } } },
    };
    expect(propertiesOf(schema).map((p) => p.path)).toEqual(['#.a', '#.a[].b']);
  });

  it('rejects a name that is not shipped', () => {
    expect(() => jsonSchema('__proto__' as JsonSchemaName)).toThrow(ContractError);
    expect(() => jsonSchema('nope' as JsonSchemaName)).toThrow(
      /must be one of processing-request, .*received "nope"/,
    );
  });

  it('has an $id per file, unique, naming this version’s file on unpkg', async () => {
    const { version } = JSON.parse(await readFile(join(schemasFolder, '../package.json'), 'utf8'));
    const ids = JSON_SCHEMA_NAMES.map((name) => jsonSchema(name).$id);
    expect(new Set(ids).size).toBe(JSON_SCHEMA_NAMES.length);
    expect(ids).toEqual(
      JSON_SCHEMA_NAMES.map(
        (name) => `https://unpkg.com/@toq/contracts@${version}/schemas/${name}.json`,
      ),
    );
  });

  it('describes the input side of requests and the output side of results', () => {
    const request = jsonSchema('processing-request') as { properties: Record<string, Node> };
    const webhook = jsonSchema('webhook-payload') as {
      properties: { data: { properties: Record<string, Node> } };
    };
    const accepts = (schema: Node | undefined, value: string) =>
      new RegExp(String(schema?.pattern), 'u').test(value);
    const sent = request.properties.listingId;
    const received = webhook.properties.data.properties.listingId;
    for (const id of [
      '12345',
      'maison-rue-1_b',
      'ABC-12',
      '4f8c1d2e-7b3a-4c5d-9e8f-0a1b2c3d4e5f',
    ]) {
      expect([id, accepts(sent, id), accepts(received, id)]).toEqual([id, true, true]);
    }
    const upperUuid = '4F8C1D2E-7B3A-4C5D-9E8F-0A1B2C3D4E5F';
    expect([accepts(sent, upperUuid), accepts(received, upperUuid)]).toEqual([true, false]);
    for (const id of ['', 'a.b', 'a/b', '_pipeline', `a${'b'.repeat(128)}`]) {
      expect([id, accepts(sent, id), accepts(received, id)]).toEqual([id, false, false]);
    }
  });
});

describe('ajv (draft 2020-12, ajv-formats) and zod', () => {
  const ajv = new Ajv2020({ strict: true, allErrors: true, strictTypes: false });
  addFormats(ajv);
  // Each schema once, under its $id: ajv refuses a second schema with an id it already has.
  for (const name of JSON_SCHEMA_NAMES) ajv.addSchema(jsonSchema(name));
  const validatorOf = (name: JsonSchemaName) => {
    const validate = ajv.getSchema(String(jsonSchema(name).$id));
    if (!validate) throw new Error(`ajv has no schema ${name}`);
    return validate;
  };

  it.each(CORPUS)('give the same verdicts on %s', (name, examples) => {
    const validate = validatorOf(name);
    const verdicts = new Map<string, number>();
    const disagreements: string[] = [];
    for (const { label, value } of examples) {
      const zod = zodVerdict(name, value);
      const ajvSays = validate(value) ? 'valid' : 'invalid';
      verdicts.set(zod, (verdicts.get(zod) ?? 0) + 1);
      if (ajvSays !== expectedJsonSchemaVerdict(zod)) {
        disagreements.push(`${label}: zod ${zod}, ajv ${ajvSays}`);
      }
    }
    expect(disagreements).toEqual([]);
    expect(verdicts.get('valid')).toBeGreaterThan(0);
    expect(verdicts.get('invalid')).toBeGreaterThan(10);
  });

  it.each(ZOD_ONLY_CHECKS)('accept what only zod refuses (%s), as the README says', (check) => {
    const refused = CORPUS.flatMap(([name, examples]) =>
      examples
        .filter(({ value }) => {
          const result = safeParse(ZOD_SCHEMAS[name].schema, value);
          return !result.ok && result.error.issues.some((issue) => check.test(issue.message));
        })
        .map(({ value }) => ({ name, value })),
    );
    expect(refused.length).toBeGreaterThan(0);
    for (const { name, value } of refused) {
      expect(zodVerdict(name, value)).not.toBe('valid');
    }
    expect(refused.some(({ name, value }) => validatorOf(name)(value))).toBe(true);
  });
});
