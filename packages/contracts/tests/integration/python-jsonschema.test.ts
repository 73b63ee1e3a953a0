import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { CORPUS } from '../support/corpus';
import { expectPrinted, pythonExample } from '../support/readme';
import { expectedJsonSchemaVerdict, zodVerdict } from '../support/verdicts';

const schemasFolder = join(import.meta.dirname, '../../schemas');
const script = join(import.meta.dirname, 'validate.py');

/** Fails at once, saying what to install, when Python's jsonschema is missing. */
function requirePythonJsonschema(): void {
  const probe = spawnSync('python3', ['-c', 'import jsonschema'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `This test needs python3 with the jsonschema package: apt-get install python3-jsonschema (${probe.error?.message ?? probe.stderr.trim()})`,
    );
  }
}

describe('Python jsonschema (draft 2020-12) on the shipped schemas', () => {
  const examples = CORPUS.flatMap(([name, list]) => list.map((example) => ({ name, ...example })));
  let verdicts: string[];

  beforeAll(async () => {
    requirePythonJsonschema();
    const input = examples
      .map(({ name, value }) =>
        JSON.stringify({ schema: join(schemasFolder, `${name}.json`), value }),
      )
      .join('\n');
    const child = promisify(execFile)('python3', [script], { maxBuffer: 64 * 1024 * 1024 });
    child.child.stdin?.end(`${input}\n`);
    verdicts = (await child).stdout.trimEnd().split('\n');
    expect(verdicts).toHaveLength(examples.length);
  }, 120_000);

  it('agrees with zod on every example without a trailing newline', () => {
    const disagreements = examples.flatMap(({ name, label, value, trailingNewline }, i) => {
      if (trailingNewline) return [];
      const python = verdicts[i]?.startsWith('valid') ? 'valid' : 'invalid';
      const expected = expectedJsonSchemaVerdict(zodVerdict(name, value));
      return python === expected
        ? []
        : [`${name}: ${label}: python ${verdicts[i]}, expected ${expected}`];
    });
    expect(disagreements).toEqual([]);
    expect(verdicts.filter((v) => v === 'valid').length).toBeGreaterThan(CORPUS.length);
    expect(verdicts.filter((v) => v.startsWith('invalid')).length).toBeGreaterThan(1000);
  });

  it('accepts some strings ending in a newline that zod refuses, as the README warns', () => {
    const accepted = examples.filter(
      ({ name, value, trailingNewline }, i) =>
        trailingNewline && verdicts[i] === 'valid' && zodVerdict(name, value) === 'invalid',
    );
    expect(accepted.map(({ label }) => label)).toEqual(
      expect.arrayContaining([expect.stringMatching(/requestId with a newline$/)]),
    );
  });

  it('runs the README’s Python example and prints what it says', async () => {
    const example = pythonExample();
    const code = example.code.replace('node_modules/@toq/contracts/schemas/', `${schemasFolder}/`);
    const { stdout } = await promisify(execFile)('python3', ['-c', code]);
    expectPrinted(stdout, example.expected);
  });
});
