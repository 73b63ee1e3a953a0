import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../../../../tools/testing/fixtures.ts';

const run = promisify(execFile);
const packageDir = resolve(import.meta.dirname, '../..');
const workspaceModules = resolve(packageDir, '../../node_modules');

/** A real HEIC (HEVC), 300x450: its thumbnail is 200 px wide. */
const heic = fixturePath('formats', 'Portrait_0.heic');
const jpeg = fixturePath('exif-orientation', 'Landscape_0.jpg');
let dir: string;
let outside: string;

beforeAll(async () => {
  // Inside the package, so that the bundle's external packages resolve as from a Lambda's node_modules
  await mkdir(join(packageDir, '.tmp'), { recursive: true });
  dir = await mkdtemp(join(packageDir, '.tmp', 'bundle-'));
  await writeFile(
    join(dir, 'handler.mjs'),
    `import { createRenditions } from '@toq/thumbnails';
     const set = await createRenditions(process.argv[2], { sizes: ['thumbnail'] });
     console.log(JSON.stringify([set.source.format, set.renditions[0].width, set.renditions[0].ext]));`,
  );
  // A function folder whose node_modules has sharp and nothing else: heic-decode left out
  outside = await mkdtemp(join(tmpdir(), 'toq-thumbnails-bundle-'));
  await mkdir(join(outside, 'node_modules'));
  await symlink(join(workspaceModules, 'sharp'), join(outside, 'node_modules', 'sharp'));
});

afterAll(async () => {
  await rm(outside, { recursive: true, force: true });
});

/**
 * Bundles the handler with the built package as the Lambda build does (sharp and heic-decode
 * external, README "Bundling"), into `into`, and runs it on `photo`.
 */
async function bundleAndRun(photo: string, into = dir) {
  const outfile = join(into, 'bundle.mjs');
  await build({
    entryPoints: [join(dir, 'handler.mjs')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: ['sharp', 'heic-decode'],
    outfile,
    nodePaths: [workspaceModules],
    logLevel: 'silent',
  });
  return run(process.execPath, [outfile, photo], { cwd: into });
}

describe('a Lambda bundle of @toq/thumbnails (esbuild, sharp and heic-decode external)', () => {
  it('decodes HEIC on its worker thread as an ESM bundle, with no banner', async () => {
    const { stdout } = await bundleAndRun(heic);
    expect(JSON.parse(stdout)).toEqual(['heic', 200, 'jpg']);
  });

  it('fails loudly (not as a bad photo) when heic-decode is not installed beside the bundle', async () => {
    const error = await bundleAndRun(heic, outside).catch((e: { stderr: string }) => e);
    expect((error as { stderr: string }).stderr).toMatch(
      /HeicDecoderUnavailableError: Cannot load the HEIC decoder: heic-decode is not installed where @toq\/thumbnails runs \(Cannot find module 'heic-decode'/,
    );
    const { stdout } = await bundleAndRun(jpeg, outside);
    expect(JSON.parse(stdout)).toEqual(['jpeg', 200, 'jpg']);
  });
});
