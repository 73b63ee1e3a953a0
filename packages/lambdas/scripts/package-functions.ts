/**
 * Lays the esbuild output (`dist/.esbuild/<fn>.mjs`, one per handler) out as Lambda assets:
 * `dist/<fn>/index.mjs` (+ source map), so every function's handler string is `index.handler`;
 * and, for a function whose bundle imports packages left external (sharp and its native
 * libvips, libheif-js), a `node_modules/` with those packages installed for the Lambda platform
 * (linux, arm64, glibc) in a staging directory outside the workspace, so the workspace's
 * package-lock.json is never touched. The `@aws-sdk/client-*` packages stay external and come from
 * the runtime (`@aws-sdk/lib-storage` is bundled: the runtime does not document it as provided).
 *
 * Usage: node scripts/package-functions.ts   (the `build` target runs it after `bundle`)
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT = dirname(dirname(fileURLToPath(import.meta.url)));
const BUNDLES = join(PROJECT, 'dist', '.esbuild');
const DIST = join(PROJECT, 'dist');
/** Documented as provided by the Lambda Node.js runtime (SDK v3 clients), never installed into an asset. */
const RUNTIME_PROVIDED = /^@aws-sdk\/client-/;

/** The Lambda platform a function's native packages are installed for. */
export interface Platform {
  readonly cpu: 'arm64' | 'x64';
}
export const LAMBDA_PLATFORM: Platform = { cpu: 'arm64' };

interface Metafile {
  outputs: Record<string, { imports: { path: string; external?: boolean }[]; entryPoint?: string }>;
}

/** The package name of a bare import (`@img/x/y` → `@img/x`, `sharp/lib` → `sharp`). */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** The external packages each bundle imports (other than node builtins and the runtime's SDK). */
export function externalPackages(metafile: Metafile): Map<string, string[]> {
  const byFunction = new Map<string, string[]>();
  for (const [file, output] of Object.entries(metafile.outputs)) {
    if (!file.endsWith('.mjs')) continue;
    const names = output.imports
      .filter((i) => i.external && !isBuiltin(i.path) && !RUNTIME_PROVIDED.test(i.path))
      .map((i) => packageName(i.path));
    byFunction.set(basename(file, '.mjs'), [...new Set(names)].sort());
  }
  return byFunction;
}

/** The version of `name` the workspace resolves (the one the tests ran against). */
function workspaceVersion(name: string): string {
  const require = createRequire(join(PROJECT, '../thumbnails/package.json'));
  let dir = dirname(require.resolve(name));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version: string };
      if (pkg.name === name) return pkg.version;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the package.json of ${name}`);
    dir = parent;
  }
}

/**
 * Installs `packages` (at the workspace's versions) for linux/`platform.cpu`/glibc into
 * `target/node_modules`, through a staging directory outside the workspace (npm's `--os`,
 * `--cpu` and `--libc` pick the prebuilt binaries; installing two architectures into one folder
 * removes the first, hence one staging dir per call).
 */
export function installNativePackages(
  target: string,
  packages: readonly string[],
  platform: Platform,
): void {
  const staging = mkdtempSync(join(tmpdir(), `toq-lambda-${platform.cpu}-`));
  try {
    writeFileSync(join(staging, 'package.json'), JSON.stringify({ private: true }));
    const specs = packages.map((name) => `${name}@${workspaceVersion(name)}`);
    execFileSync(
      'npm',
      [
        'install',
        ...specs,
        '--os=linux',
        `--cpu=${platform.cpu}`,
        '--libc=glibc',
        '--omit=dev',
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--loglevel=error',
      ],
      { cwd: staging, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    rmSync(join(target, 'node_modules'), { recursive: true, force: true });
    cpSync(join(staging, 'node_modules'), join(target, 'node_modules'), {
      recursive: true,
      dereference: true,
      filter: (source) => basename(source) !== '.package-lock.json' && basename(source) !== '.bin',
    });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Copies `<fn>.mjs` and its map to `<fn>/index.mjs(.map)`, pointing the map comment at the new name. */
function layOut(fn: string): string {
  const dir = join(DIST, fn);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const code = readFileSync(join(BUNDLES, `${fn}.mjs`), 'utf8');
  writeFileSync(
    join(dir, 'index.mjs'),
    code.replace(`//# sourceMappingURL=${fn}.mjs.map`, '//# sourceMappingURL=index.mjs.map'),
  );
  // Both files sit one level under dist/, so the map's relative `sources` stay valid.
  const map = JSON.parse(readFileSync(join(BUNDLES, `${fn}.mjs.map`), 'utf8')) as { file?: string };
  writeFileSync(join(dir, 'index.mjs.map'), JSON.stringify({ ...map, file: 'index.mjs' }));
  return dir;
}

function main(): void {
  const metafile = JSON.parse(readFileSync(join(BUNDLES, 'meta.json'), 'utf8')) as Metafile;
  const externals = externalPackages(metafile);
  for (const entry of readdirSync(DIST)) {
    if (!entry.startsWith('.') && !externals.has(entry))
      rmSync(join(DIST, entry), { recursive: true, force: true });
  }
  for (const [fn, packages] of externals) {
    const dir = layOut(fn);
    if (packages.length > 0) installNativePackages(dir, packages, LAMBDA_PLATFORM);
    console.log(
      `dist/${fn}/index.mjs${packages.length > 0 ? ` + node_modules (${packages.join(', ')}, linux-${LAMBDA_PLATFORM.cpu})` : ''}`,
    );
  }
}

if (import.meta.main) main();
