import { execFile } from 'node:child_process';
import { copyFile, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../../../../tools/testing/fixtures.ts';
import {
  installPackedPackage,
  nodeBinary,
  itIsCleanForPublishing,
  type ScratchProject,
} from '../../../../tools/testing/pack.ts';

const run = promisify(execFile);
const packageDir = resolve(import.meta.dirname, '../..');
/** Stored turned sideways (1800x1200) with EXIF orientation 6: upright 1200x1800. */
const photo = fixturePath('exif-orientation', 'Portrait_6.jpg');
/** A real HEIC (HEVC) of the portrait photo, upright, 300x450. */
const heic = fixturePath('formats', 'Portrait_0.heic');

describe('the packed @toq/thumbnails tarball', () => {
  let project: ScratchProject;

  beforeAll(async () => {
    project = await installPackedPackage(packageDir);
    await copyFile(photo, join(project.dir, 'photo.jpg'));
    await copyFile(heic, join(project.dir, 'photo.heic'));
  }, 300_000);

  it('inlines @toq/contracts (code and types; zod never loads), ThumbHash and p-limit: it installs alone', async () => {
    const dist = join(packageDir, 'dist');
    const files = (await readdir(dist)).filter((f) => /\.(mjs|cjs|d\.ts|d\.cts)$/.test(f));
    for (const file of files) {
      const code = await readFile(join(dist, file), 'utf8');
      expect(code, file).not.toMatch(
        /(from |require\(|import\()["'](@toq\/contracts|zod|thumbhash|p-limit|yocto-queue)/,
      );
    }
    for (const file of ['index.cjs', 'cli.cjs']) {
      const code = await readFile(join(dist, file), 'utf8');
      expect(code, file).toContain('function describeValue(');
      expect(code, file).toContain('function pLimit(');
    }
    const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8'));
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['heic-decode', 'sharp']);
  });

  itIsCleanForPublishing(packageDir, '@toq/thumbnails');

  it('renders a photo through import on Node 22, upright and stripped', async () => {
    const { stdout } = await project.runScript(
      'use.mjs',
      `import { createRenditions } from '@toq/thumbnails';
       import sharp from 'sharp';
       const set = await createRenditions('photo.jpg', { formats: ['webp'] });
       const decoded = await Promise.all(set.renditions.map(async (r) => {
         const m = await sharp(r.data).metadata();
         return [r.size, r.ext, r.width, r.height, m.width, m.height, m.exif === undefined];
       }));
       console.log(JSON.stringify({ node: process.versions.node, source: set.source, decoded,
         placeholder: typeof set.placeholder?.thumbhash }));`,
    );
    const out = JSON.parse(stdout);
    expect(out.node).toMatch(/^22\./);
    expect(out.source).toEqual({
      format: 'jpeg',
      width: 1200,
      height: 1800,
      orientation: 6,
      hasAlpha: false,
    });
    expect(out.decoded).toEqual([
      ['large', 'jpg', 1200, 1800, 1200, 1800, true],
      ['medium', 'jpg', 800, 1200, 800, 1200, true],
      ['small', 'jpg', 400, 600, 400, 600, true],
      ['thumbnail', 'jpg', 200, 300, 200, 300, true],
      ['large', 'webp', 1200, 1800, 1200, 1800, true],
      ['medium', 'webp', 800, 1200, 800, 1200, true],
      ['small', 'webp', 400, 600, 400, 600, true],
      ['thumbnail', 'webp', 200, 300, 200, 300, true],
    ]);
    expect(out.placeholder).toBe('string');
  });

  it('renders a HEIC and reports errors by code through require() on Node 22', async () => {
    const { stdout } = await project.runScript(
      'use.cjs',
      `const { readFileSync } = require('node:fs');
       const { createRenditions, ThumbnailError } = require('@toq/thumbnails');
       (async () => {
         const set = await createRenditions(readFileSync('photo.heic'), { sizes: ['thumbnail'] });
         const error = await createRenditions(Buffer.from('not an image')).catch((e) => e);
         const invalid = await createRenditions(42).catch((e) => e);
         console.log(JSON.stringify({
           source: set.source, ext: set.renditions[0].ext, width: set.renditions[0].width,
           error: [error instanceof ThumbnailError, error.name, error.code],
           invalid: [invalid.code, invalid.message],
         }));
       })();`,
    );
    const out = JSON.parse(stdout);
    expect(out).toEqual({
      source: { format: 'heic', width: 300, height: 450, orientation: 1, hasAlpha: false },
      ext: 'jpg',
      width: 200,
      error: [true, 'ThumbnailError', 'UNSUPPORTED_FORMAT'],
      invalid: [
        'INVALID_ARGUMENT',
        'Invalid input: expected a Buffer, a file path or a Readable stream, received 42',
      ],
    });
  });

  it('has a CLI that writes {size}/{name}.{ext} files', async () => {
    const cli = join(project.dir, 'node_modules/@toq/thumbnails/dist/cli.mjs');
    const { stdout } = await run(
      await nodeBinary(),
      [cli, 'photo.jpg', '--out', 'out', '--sizes', 'small,thumbnail'],
      { cwd: project.dir },
    );
    expect(JSON.parse(stdout)).toMatchObject({
      photo: 'photo.jpg',
      files: ['out/small/photo.jpg', 'out/thumbnail/photo.jpg'],
    });
    expect((await readdir(join(project.dir, 'out'))).sort()).toEqual(['small', 'thumbnail']);
  });
});
