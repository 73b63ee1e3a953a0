import { execFile } from 'node:child_process';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  installPackedPackage,
  itIsCleanForPublishing,
  type ScratchProject,
} from '../../../../tools/testing/pack.ts';
import { runnableExamples } from '../support/readme.ts';
import { readZip, sha256 } from '../support/zip.ts';

const packageDir = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** Builds the package when `dist` is missing or older than a source file (a stale tarball tests nothing). */
async function ensureBuilt(): Promise<void> {
  const built = await stat(join(packageDir, 'dist/index.cjs')).catch(() => undefined);
  const sources = await readdir(join(packageDir, 'src'));
  const newest = Math.max(
    ...(await Promise.all(
      sources.map(async (f) => (await stat(join(packageDir, 'src', f))).mtimeMs),
    )),
  );
  if (built === undefined || built.mtimeMs < newest) {
    await run(join(packageDir, '../../node_modules/.bin/tsup'), [], { cwd: packageDir });
  }
}

/** The script both module systems run: a photo from a file, lazily, and a text from a Buffer. */
const script = (load: string) => `${load}
const { createReadStream, createWriteStream, writeFileSync } = require('node:fs');
writeFileSync('photo.jpg', Buffer.alloc(100000, 7));
const entries = [
  { path: 'photo/large/0b7c1a52-1f0e-4c7e-9a51-6f6d2a7b9c10.jpg', source: async () => createReadStream('photo.jpg'), size: 100000 },
  { path: 'notes.txt', source: Buffer.from('hello '.repeat(1000)) },
];
let code;
createZip([{ path: '../evil', source: Buffer.of() }], createWriteStream('bad.zip'))
  .catch((e) => { code = e instanceof ZipperError && e.name + ':' + e.code; })
  .then(() => createZip(entries, createWriteStream('out.zip')))
  .then((summary) => console.log(JSON.stringify({ node: process.versions.node, summary, code })));
`;

describe('the packed @toq/zipper tarball', () => {
  let project: ScratchProject;

  beforeAll(async () => {
    await ensureBuilt();
    project = await installPackedPackage(packageDir);
  }, 300_000);

  itIsCleanForPublishing(packageDir, '@toq/zipper');

  it('installs alone: archiver is its only runtime dependency', async () => {
    const manifest = JSON.parse(
      await readFile(join(project.dir, 'node_modules/@toq/zipper/package.json'), 'utf8'),
    ) as { dependencies: Record<string, string>; engines: { node: string } };

    expect(Object.keys(manifest.dependencies)).toEqual(['archiver']);
    expect(manifest.engines.node).toBe('>=22.12');
  });

  it.each([
    [
      'require() (CommonJS, archiver through require(esm))',
      'use.cjs',
      `const { createZip, ZipperError } = require('@toq/zipper');`,
    ],
    [
      'import (ESM)',
      'use.mjs',
      `import { createZip, ZipperError } from '@toq/zipper';\nimport { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);`,
    ],
  ])('zips through %s on Node 22 with no warning', async (_how, file, load) => {
    const { stdout, stderr } = await project.runScript(file, script(load));

    const out = JSON.parse(stdout) as {
      node: string;
      summary: { entries: number; bytes: number };
      code: string;
    };
    expect(out.node).toMatch(/^22\./);
    expect(out.code).toBe('ZipperError:INVALID_PATH');
    expect(out.summary.entries).toBe(2);
    expect(stderr).toBe('');
    const archive = await readFile(join(project.dir, 'out.zip'));
    expect(out.summary.bytes).toBe(archive.length);
    const entries = await readZip(archive);
    expect(entries.map((e) => [e.path, e.method, sha256(e.data)])).toEqual([
      ['photo/large/0b7c1a52-1f0e-4c7e-9a51-6f6d2a7b9c10.jpg', 0, sha256(Buffer.alloc(100000, 7))],
      ['notes.txt', 8, sha256(Buffer.from('hello '.repeat(1000)))],
    ]);
  });

  it.each(runnableExamples().map((example) => [example.name, example] as const))(
    'runs the README example %s on Node 22 and prints what the README says',
    async (file, example) => {
      const { stdout } = await project.runScript(file, example.code);

      expect(stdout.trimEnd().split('\n')).toEqual(example.expected);
      const [entry] = await readZip(await readFile(join(project.dir, 'bundle.zip')));
      expect(entry).toMatchObject({ size: 50_000, method: 0 });
    },
  );
});
