import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as contracts from '@toq/contracts';
import * as constants from '@toq/contracts/constants';
import { README } from '../support/readme';

/** The README's text between `## title` and the next `## ` heading. */
function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`);
  expect(start, `README has a "## ${title}" section`).toBeGreaterThan(-1);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end === -1 ? undefined : end);
}

/** Every name `src/index.ts` exports, types included. */
function indexExports(): string[] {
  const source = readFileSync(join(import.meta.dirname, '../../src/index.ts'), 'utf8');
  return [...source.matchAll(/export \{([^}]*)\}/g)].flatMap(([, names]) =>
    (names ?? '')
      .split(',')
      .map((name) => name.trim().replace(/^type /, ''))
      .filter(Boolean),
  );
}

describe('the README', () => {
  it('names every export, types included, in its API section', () => {
    const api = section('API');
    const names = new Set([...indexExports(), ...Object.keys(contracts)]);
    expect(names.size).toBeGreaterThan(60);
    const missing = [...names].filter((name) => !api.includes(`\`${name}`));
    expect(missing).toEqual([]);
  });

  it('names every export of @toq/contracts/constants', () => {
    const missing = Object.keys(constants).filter((name) => !README.includes(`\`${name}`));
    expect(missing).toEqual([]);
  });

  it('lists every media error code, every ContractError code and every shipped schema', () => {
    const row = (code: string) => new RegExp(`^\\| \`${code}\` +\\|`, 'm');
    for (const code of contracts.MEDIA_ERROR_CODES) expect(README).toMatch(row(code));
    for (const code of contracts.LISTING_ERROR_CODES) expect(README).toContain(`\`${code}\``);
    for (const code of ['INVALID_INPUT', 'INVALID_KEY']) {
      expect(section('Errors')).toMatch(row(code));
    }
    const jsonSection = section('JSON Schema for backends in other languages');
    for (const name of contracts.JSON_SCHEMA_NAMES) expect(jsonSection).toContain(`\`${name}\``);
  });

  it('has the sections a published package needs', () => {
    for (const title of ['Install', 'Usage', 'Key layout', 'API', 'Errors']) section(title);
    expect(section('Install')).toContain('Node.js 22 or later');
  });
});
