import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `scripts/deploy.ts`, what `nx run infra:deploy` runs, spawned as Nx spawns it, with a stand-in
 * cdk (`TOQ_CDK_BIN`) that records its arguments: an unknown flag never reaches cdk.
 */

const SCRIPT = fileURLToPath(new URL('../../scripts/deploy.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'toq-deploy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FAKE_CDK = join(dir, 'cdk.mjs');
writeFileSync(
  FAKE_CDK,
  `import { writeFileSync } from 'node:fs';
writeFileSync(process.env.CDK_CALL, JSON.stringify(process.argv.slice(2)));
process.exit(Number(process.env.CDK_EXIT ?? 0));
`,
);

let runs = 0;
function deploy(args: string[], env: Record<string, string> = {}) {
  const call = join(dir, `call-${(runs += 1)}.json`);
  // Outside CI unless the test says otherwise, whatever machine runs it.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'CI'));
  const result = spawnSync(process.execPath, [SCRIPT, ...args], {
    encoding: 'utf8',
    env: { ...inherited, TOQ_CDK_BIN: FAKE_CDK, CDK_CALL: call, ...env },
  });
  return {
    status: result.status,
    stderr: result.stderr,
    cdk: existsSync(call) ? (JSON.parse(readFileSync(call, 'utf8')) as string[]) : undefined,
  };
}

describe('scripts/deploy.ts (the deploy target)', () => {
  it('refuses --dry-run with one line and exit 2, and never runs cdk', () => {
    const run = deploy(['--dry-run']);

    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^deploy: unknown option "--dry-run" \(.*infra:diff\)\n$/);
    expect(run.cdk).toBeUndefined();
  });

  it.each([
    [['--context', 'stage=qa', '--verbose']],
    [['--context']],
    [['--context', 'stage']],
    [['qa']],
  ])('refuses %j without running cdk', (args) => {
    const run = deploy(args);

    expect(run.status).toBe(2);
    expect(run.stderr.split('\n')).toHaveLength(2);
    expect(run.cdk).toBeUndefined();
  });

  it('outside CI, runs cdk deploy asking for approval of broadening changes, with the context and profile given', () => {
    const run = deploy([
      '--context=callbackAllowedHosts=api.toq.example',
      '-c',
      'stage=qa',
      '--profile',
      'toq-staging',
    ]);

    expect(run.status).toBe(0);
    expect(run.cdk).toEqual([
      'deploy',
      '--require-approval',
      'broadening',
      '--context',
      'callbackAllowedHosts=api.toq.example',
      '--context',
      'stage=qa',
      '--profile',
      'toq-staging',
    ]);
  });

  it('in CI, where nobody can approve, runs cdk deploy without asking', () => {
    const run = deploy(['--context=stage=qa'], { CI: 'true' });

    expect(run.cdk).toEqual(['deploy', '--require-approval', 'never', '--context', 'stage=qa']);
  });

  it('exits with cdk’s status', () => {
    const run = deploy([], { CDK_EXIT: '3' });

    expect(run.cdk).toEqual(['deploy', '--require-approval', 'broadening']);
    expect(run.status).toBe(3);
  });
});
