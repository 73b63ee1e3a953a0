/**
 * The README's examples, to run as tests: fenced blocks whose expected output is written in
 * `// → …` (TypeScript) or `# → …` (Python) comments, one per printed line. An expected line ending
 * in `…` only has to start the printed one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

export interface ReadmeExample {
  /** The file name given by `<!-- example: name -->` (TypeScript), or `example.py`. */
  file: string;
  code: string;
  expected: string[];
}

export const README = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');

function expectedOutput(code: string, comment: string): string[] {
  return [...code.matchAll(new RegExp(`^\\s*${comment} → (.*)$`, 'gm'))].map((m) => m[1] ?? '');
}

/** The TypeScript examples marked `<!-- example: <file> -->`. */
export function typescriptExamples(): ReadmeExample[] {
  return [...README.matchAll(/<!-- example: (\S+) -->\s*```ts\n([\s\S]*?)```/g)].map(
    ([, file, code]) => ({
      file: file ?? '',
      code: code ?? '',
      expected: expectedOutput(code ?? '', '//'),
    }),
  );
}

/** The one Python example. */
export function pythonExample(): ReadmeExample {
  const code = /```python\n([\s\S]*?)```/.exec(README)?.[1] ?? '';
  return { file: 'example.py', code, expected: expectedOutput(code, '#') };
}

/** `stdout` must be the expected lines, in order. */
export function expectPrinted(stdout: string, expected: readonly string[]): void {
  const printed = stdout.trimEnd().split('\n');
  expect(expected.length).toBeGreaterThan(0);
  expect(printed).toHaveLength(expected.length);
  expected.forEach((line, i) => {
    if (line.endsWith('…')) expect(printed[i]?.startsWith(line.slice(0, -1))).toBe(true);
    else expect(printed[i]).toBe(line);
  });
}
