/**
 * The README's code blocks, to test: `<!-- example: <file> -->` blocks are run (their expected
 * output is written in `// → …` comments, one per printed line), and `<!-- file: <path> -->`
 * blocks must be the package file at that path, whose tests then cover them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const packageDir = join(import.meta.dirname, '../..');
const README = readFileSync(join(packageDir, 'README.md'), 'utf8');

export interface ReadmeBlock {
  /** The example's file name, or the package file the block shows. */
  name: string;
  code: string;
}

function blocks(marker: 'example' | 'file'): ReadmeBlock[] {
  const pattern = new RegExp(`<!-- ${marker}: (\\S+) -->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\``, 'g');
  return [...README.matchAll(pattern)].map(([, name, code]) => ({
    name: name ?? '',
    code: code ?? '',
  }));
}

/** The runnable examples, with the lines they must print. */
export function runnableExamples(): (ReadmeBlock & { expected: string[] })[] {
  return blocks('example').map((block) => ({
    ...block,
    expected: [...block.code.matchAll(/^\s*\/\/ → (.*)$/gm)].map((m) => m[1] ?? ''),
  }));
}

/** The blocks that show a package file, with that file's code (its leading comment left out). */
export function fileBlocks(): (ReadmeBlock & { file: string })[] {
  return blocks('file').map((block) => ({
    ...block,
    file: readFileSync(join(packageDir, block.name), 'utf8').replace(/^(\/\/.*\n)+/, ''),
  }));
}

/** The codes in the first column of the README's Errors table. */
export function errorTableCodes(): string[] {
  const section = README.slice(README.indexOf('## Errors'), README.indexOf('## Speed'));
  return [...section.matchAll(/^\| `([A-Z_]+)` /gm)].map((m) => m[1] ?? '');
}
