import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const workspaceRoot = resolve(import.meta.dirname, '../..');

interface ProjectGraph {
  graph: {
    nodes: Record<string, { data: { root: string } }>;
    dependencies: Record<string, { target: string }[]>;
  };
}

describe('the Nx project graph', () => {
  let graph: ProjectGraph['graph'];

  beforeAll(async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'toq-graph-')), 'graph.json');
    await promisify(execFile)('npx', ['nx', 'graph', `--file=${file}`], {
      cwd: workspaceRoot,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    });
    graph = (JSON.parse(await readFile(file, 'utf8')) as ProjectGraph).graph;
  });

  const dependenciesOf = (project: string) =>
    (graph.dependencies[project] ?? []).map((d) => d.target).sort();

  it('has the five packages and the private local runtime', () => {
    expect(Object.keys(graph.nodes).sort()).toEqual([
      'contracts',
      'infra',
      'lambdas',
      'local',
      'thumbnails',
      'zipper',
    ]);
  });

  it('points one way: contracts <- thumbnails, zipper <- lambdas <- infra and local', () => {
    expect(dependenciesOf('contracts')).toEqual([]);
    expect(dependenciesOf('thumbnails')).toEqual(['contracts']);
    expect(dependenciesOf('zipper')).toEqual(['contracts']);
    expect(dependenciesOf('lambdas')).toEqual(['contracts', 'thumbnails', 'zipper']);
    expect(dependenciesOf('infra')).toContain('lambdas');
    expect(dependenciesOf('infra')).not.toContain('local');
    // thumbnails: the end-to-end bench measures the pipeline against the library alone
    expect(dependenciesOf('local')).toEqual(['contracts', 'lambdas', 'thumbnails']);
  });
});
