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
import { createZip } from '@toq/zipper';
import { mixedEntries } from '../support/mixed-entries.ts';
import { runnableExamples } from '../support/readme.ts';
import { MemorySink, readZip, sevenZipTestBuffer, sha256 } from '../support/zip.ts';

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

  it('installs alone: archiver is bundled, no runtime dependency', async () => {
    const manifest = JSON.parse(
      await readFile(join(project.dir, 'node_modules/@toq/zipper/package.json'), 'utf8'),
    ) as { dependencies?: Record<string, string>; engines: { node: string } };

    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.engines.node).toBe('>=22.12');
    await expect(stat(join(project.dir, 'node_modules/archiver'))).rejects.toThrow(/ENOENT/);
    await expect(stat(join(project.dir, 'node_modules/@toq/contracts'))).rejects.toThrow(/ENOENT/);
  });

  it("inlines @toq/contracts' describeValue (code only; zod never loads)", async () => {
    const dist = join(packageDir, 'dist');
    const files = (await readdir(dist)).filter((f) => /\.(mjs|cjs|d\.ts|d\.cts)$/.test(f));
    for (const file of files) {
      const code = await readFile(join(dist, file), 'utf8');
      expect(code, file).not.toMatch(/(from |require\(|import\()["'](@toq\/contracts|zod)/);
    }
    for (const file of ['index.mjs', 'index.cjs']) {
      expect(await readFile(join(dist, file), 'utf8'), file).toContain('function describeValue(');
    }
    const { stdout } = await project.runScript(
      'describe.cjs',
      `const { createZip } = require('@toq/zipper');
       createZip([], process.stdout, { date: 'x'.repeat(50) }).catch((e) => console.log(e.message));`,
    );
    expect(stdout.trim()).toBe(
      `Invalid option date: expected a valid Date from 1980 through 2043, but received "${'x'.repeat(40)}…" (50 characters)`,
    );
  });

  it("bundles archiver with node:zlib's CRC-32 and node:stream, not crc-32 and readable-stream 4", async () => {
    const map = JSON.parse(
      await readFile(join(project.dir, 'node_modules/@toq/zipper/dist/index.mjs.map'), 'utf8'),
    ) as { sources: string[] };

    expect(map.sources).toContain('../src/native-crc32.ts');
    expect(map.sources.filter((s) => s.includes('/archiver/lib/plugins/zip.js'))).toHaveLength(1);
    expect(map.sources.filter((s) => s.includes('/node_modules/crc-32/'))).toEqual([]);
    expect(map.sources.filter((s) => s.includes('/readable-stream/lib/ours/'))).toEqual([]);
    const notices = await readFile(
      join(project.dir, 'node_modules/@toq/zipper/dist/THIRD-PARTY-LICENSES.md'),
      'utf8',
    );
    const bundled = new Set(map.sources.map((s) => /.*node_modules\/([^/]+)\//.exec(s)?.[1]));
    bundled.delete(undefined);
    expect(bundled.size).toBeGreaterThan(10);
    for (const name of bundled) expect(notices).toMatch(new RegExp(`^## ${name} \\d`, 'm'));
    expect(notices).toContain('Permission is hereby granted'); // the MIT text itself
  });

  it('writes the same bytes as archiver as published (native CRC-32 and node:stream inside)', async () => {
    const expected = new MemorySink();
    await createZip(mixedEntries(), expected); // the sources: archiver from npm, JavaScript CRC-32

    const { stdout } = await project.runScript(
      'same-bytes.mjs',
      `import { createZip } from '@toq/zipper';
import { createWriteStream } from 'node:fs';
import { mixedEntries } from ${JSON.stringify(join(packageDir, 'tests/support/mixed-entries.ts'))};
console.log(JSON.stringify(await createZip(mixedEntries(), createWriteStream('same-bytes.zip'))));`,
    );

    const archive = await readFile(join(project.dir, 'same-bytes.zip'));
    expect(JSON.parse(stdout)).toEqual({ entries: 7, bytes: expected.buffer.length });
    expect(sha256(archive)).toBe(sha256(expected.buffer));
    const entries = await readZip(archive); // checks every entry's data against its CRC-32
    expect(entries.map((e) => [e.path, e.method, e.size])).toEqual([
      ['photo/large/from-buffer.jpg', 0, 3_000_001],
      ['photo/large/from-stream.jpg', 0, 3_000_001],
      ['photo/small/odd-chunks.jpg', 0, 99_994],
      ['notes/from-buffer.txt', 8, 760_000],
      ['notes/from-stream.txt', 8, 760_000],
      ['photo/thumbnail/empty.jpg', 0, 0],
      ['notes/ünïcödé.txt', 8, 10_000],
    ]);
    await expect(sevenZipTestBuffer(archive)).resolves.toMatchObject({ files: 7 });
  });

  it.each([
    [
      'require() (CommonJS)',
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
