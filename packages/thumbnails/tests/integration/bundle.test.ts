import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../../../../tools/testing/fixtures.ts';

const run = promisify(execFile);
const packageDir = resolve(import.meta.dirname, '../..');

/** The banner an ESM bundle needs for libheif-js's Emscripten loader (README, "Bundling"). */
const ESM_BANNER = [
  "import { createRequire as __createRequire } from 'node:module';",
  "import { fileURLToPath as __fileURLToPath } from 'node:url';",
  "import { dirname as __pathDirname } from 'node:path';",
  'const require = __createRequire(import.meta.url);',
  'const __filename = __fileURLToPath(import.meta.url);',
  'const __dirname = __pathDirname(__filename);',
].join('\n');

/** A real HEIC (HEVC), 300x450: its thumbnail is 200 px wide. */
const heic = fixturePath('formats', 'Portrait_0.heic');
let dir: string;

beforeAll(async () => {
  // Inside the package, so that the bundle's external `sharp` resolves as in a Lambda's node_modules
  await mkdir(join(packageDir, '.tmp'), { recursive: true });
  dir = await mkdtemp(join(packageDir, '.tmp', 'bundle-'));
  await writeFile(
    join(dir, 'handler.mjs'),
    `import { createRenditions } from '@toq/thumbnails';
     const set = await createRenditions(process.argv[2], { sizes: ['thumbnail'] });
     console.log(JSON.stringify([set.source.format, set.renditions[0].width, set.renditions[0].ext]));`,
  );
});

/** Bundles the handler with the built package as the Lambda build does (sharp external), runs it. */
async function bundleAndRun(banner?: string) {
  const outfile = join(dir, `bundle-${banner ? 'banner' : 'plain'}.mjs`);
  await build({
    entryPoints: [join(dir, 'handler.mjs')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: ['sharp'],
    outfile,
    nodePaths: [resolve(packageDir, '../../node_modules')],
    logLevel: 'silent',
    ...(banner ? { banner: { js: banner } } : {}),
  });
  return run(process.execPath, [outfile, heic], { cwd: packageDir });
}

describe('a Lambda bundle of @toq/thumbnails (esbuild, sharp external, the HEIC decoder inside)', () => {
  it('decodes HEIC as an ESM bundle with the __dirname/require banner', async () => {
    const { stdout } = await bundleAndRun(ESM_BANNER);
    expect(JSON.parse(stdout)).toEqual(['heic', 200, 'jpg']);
  });

  it('fails loudly (not as a bad photo) as an ESM bundle without the banner', async () => {
    const error = await bundleAndRun().catch((e: { stderr: string }) => e);
    expect((error as { stderr: string }).stderr).toMatch(
      /HeicDecoderUnavailableError: Cannot load the HEIC decoder \(heic-decode\/libheif-js\): __dirname is not defined/,
    );
  });
});
