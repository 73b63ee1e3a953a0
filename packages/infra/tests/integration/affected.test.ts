import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * `nx affected -t deploy` deploys what a change reaches: proven on the real project graph with
 * `--files` (no git history needed) and `--graph=stdout` (the task graph, nothing runs).
 */

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const NX_MANIFEST = createRequire(import.meta.url).resolve('nx/package.json');
const NX = join(
  dirname(NX_MANIFEST),
  (JSON.parse(readFileSync(NX_MANIFEST, 'utf8')) as { bin: { nx: string } }).bin.nx,
);
const run = promisify(execFile);

async function nx(...args: string[]): Promise<unknown> {
  const { stdout } = await run(process.execPath, [NX, ...args], {
    cwd: ROOT,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout);
}

const affectedProjects = (file: string) =>
  nx('show', 'projects', '--affected', `--files=${file}`, '--json') as Promise<string[]>;

interface TaskGraph {
  tasks: { tasks: Record<string, unknown>; dependencies: Record<string, { id: string }[]> };
}
const deployTasks = (file: string) =>
  nx('affected', '-t', 'deploy', `--files=${file}`, '--graph=stdout') as Promise<TaskGraph>;

describe('nx affected -t deploy', () => {
  it('a change in packages/thumbnails affects lambdas, infra and local: the bundles are built, then the stack deployed', async () => {
    const file = 'packages/thumbnails/src/index.ts';

    const [projects, graph] = await Promise.all([affectedProjects(file), deployTasks(file)]);

    expect([...projects].sort()).toEqual(['infra', 'lambdas', 'local', 'thumbnails']);
    expect(Object.keys(graph.tasks.tasks)).toContain('infra:deploy');
    expect(Object.keys(graph.tasks.tasks)).toContain('lambdas:build');
    expect(graph.tasks.dependencies['infra:deploy']).toContainEqual({ id: 'lambdas:build' });
    expect(Object.keys(graph.tasks.tasks).filter((t) => t.endsWith(':deploy'))).toEqual([
      'infra:deploy',
    ]);
  });

  it('a change inside packages/infra alone affects only infra', async () => {
    const file = 'packages/infra/src/constructs/media-bucket.ts';

    const [projects, graph] = await Promise.all([affectedProjects(file), deployTasks(file)]);

    expect(projects).toEqual(['infra']);
    expect(Object.keys(graph.tasks.tasks)).toContain('infra:deploy');
  });

  it('a change in packages/local (the local runtime) schedules no deploy', async () => {
    const file = 'packages/local/src/progress.ts';

    const [projects, deploying, graph] = await Promise.all([
      affectedProjects(file),
      nx('show', 'projects', '--affected', '-t', 'deploy', `--files=${file}`, '--json'),
      deployTasks(file),
    ]);

    expect(projects).toEqual(['local']);
    expect(deploying).toEqual([]);
    expect(Object.keys(graph.tasks.tasks)).toEqual([]);
  });

  it('a change to infra’s tests or README deploys nothing (deploy’s inputs are production files)', async () => {
    const graph = await deployTasks(
      'packages/infra/tests/integration/stack/pipeline-roles.test.ts',
    );

    expect(Object.keys(graph.tasks.tasks)).toEqual([]);
  });
});
