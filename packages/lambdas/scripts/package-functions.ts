/**
 * Lays the esbuild output (`dist/.esbuild/<fn>.mjs`, one per handler) out as Lambda assets:
 * `dist/<fn>/index.mjs` (+ source map), so every function's handler string is `index.handler`;
 * and, for a function whose bundle needs code that cannot be bundled (sharp's native binding
 * and libvips, heic-decode for the HEIC worker), a `node_modules/` with those packages installed for the Lambda
 * platform (linux, arm64, glibc) in a staging directory outside the workspace, so the
 * workspace's package-lock.json is never touched. The `@aws-sdk/client-*` packages stay external
 * and come from the runtime (`@aws-sdk/lib-storage` is bundled: the runtime does not document it
 * as provided).
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
import { basename, dirname, join, relative } from 'node:path';
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
  outputs: Record<
    string,
    {
      imports: { path: string; external?: boolean }[];
      inputs: Record<string, unknown>;
      entryPoint?: string;
    }
  >;
}

/**
 * sharp's own packages (`@img/sharp-*`: native bindings, libvips, the headers it builds from
 * source with) stay external: sharp loads its binding at run time with `createRequire`, out of
 * esbuild's sight, from `@img/sharp-<platform>/sharp.node` beside the bundle.
 */
const SHARP_NATIVE = /^@img\/sharp-/;

/** `@toq/thumbnails` inside a bundle: its built files, or its sources. */
const THUMBNAILS_LIBRARY = /(^|\/)packages\/thumbnails\/(dist|src)\//;

/**
 * What `@toq/thumbnails` loads by path at run time, out of esbuild's sight: its HEIC decoder runs
 * on a worker thread that `require`s heic-decode (and so libheif-js) from `node_modules`.
 */
const RESOLVED_AT_RUN_TIME = ['heic-decode'];

/** What a function's asset needs in its `node_modules/`. */
export interface AssetPackages {
  /** What to install (`name@version`), with what it depends on for the platform. */
  readonly install: readonly string[];
  /** Packages whose code is already inside the bundle: installed as dependencies, then left out. */
  readonly bundled: ReadonlySet<string>;
}

/** The package name of a bare import (`@img/x/y` → `@img/x`, `sharp/lib` → `sharp`). */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** The npm package a path under `node_modules/` belongs to, if it is under one. */
function packageOf(path: string): string | undefined {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return match?.[1];
}

/**
 * The packages each bundle needs beside it: the external packages it imports (other than node
 * builtins, the runtime's SDK and sharp's native packages), at the workspace's versions; and when
 * sharp is inside the bundle (one module to evaluate instead of sharp's, semver's and
 * detect-libc's ~70), sharp itself, whose install for the platform brings exactly its binding
 * and libvips, while its JavaScript and that of its dependencies (bundled) is left out.
 */
export function nativePackages(metafile: Metafile): Map<string, AssetPackages> {
  const byFunction = new Map<string, AssetPackages>();
  for (const [file, output] of Object.entries(metafile.outputs)) {
    if (!file.endsWith('.mjs')) continue;
    const bundled = new Set(
      Object.keys(output.inputs)
        .map(packageOf)
        .filter((name) => name !== undefined),
    );
    const names = output.imports
      .filter((i) => i.external && !isBuiltin(i.path) && !RUNTIME_PROVIDED.test(i.path))
      .map((i) => packageName(i.path))
      .filter((name) => !SHARP_NATIVE.test(name));
    if (bundled.has('sharp')) names.push('sharp');
    if (Object.keys(output.inputs).some((input) => THUMBNAILS_LIBRARY.test(input))) {
      names.push(...RESOLVED_AT_RUN_TIME);
    }
    const install = [...new Set(names)].sort().map((name) => `${name}@${workspaceVersion(name)}`);
    byFunction.set(basename(file, '.mjs'), { install, bundled });
  }
  return byFunction;
}

/** Reads the esbuild metafile of the last `bundle` run. */
export function readMetafile(): Metafile {
  return JSON.parse(readFileSync(join(BUNDLES, 'meta.json'), 'utf8')) as Metafile;
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
 * Installs `install` for linux/`platform.cpu`/glibc into `target/node_modules`, leaving out
 * the `bundled` packages, through a staging directory outside the workspace (npm's `--os`,
 * `--cpu` and `--libc` pick the prebuilt binaries; installing two architectures into one folder
 * removes the first, hence one staging dir per call).
 */
export function installNativePackages(
  target: string,
  { install, bundled }: AssetPackages,
  platform: Platform,
): void {
  const staging = mkdtempSync(join(tmpdir(), `toq-lambda-${platform.cpu}-`));
  try {
    writeFileSync(join(staging, 'package.json'), JSON.stringify({ private: true }));
    execFileSync(
      'npm',
      [
        'install',
        ...install,
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
      filter: (source) => {
        const name = basename(source);
        const pkg = packageOf(relative(staging, source));
        return name !== '.package-lock.json' && name !== '.bin' && !(pkg && bundled.has(pkg));
      },
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
  const installs = nativePackages(readMetafile());
  for (const entry of readdirSync(DIST)) {
    if (!entry.startsWith('.') && !installs.has(entry))
      rmSync(join(DIST, entry), { recursive: true, force: true });
  }
  for (const [fn, packages] of installs) {
    const dir = layOut(fn);
    const { install } = packages;
    if (install.length > 0) installNativePackages(dir, packages, LAMBDA_PLATFORM);
    console.log(
      `dist/${fn}/index.mjs${install.length > 0 ? ` + node_modules (${install.join(', ')}, linux-${LAMBDA_PLATFORM.cpu}, without the bundled JavaScript)` : ''}`,
    );
  }
}

if (import.meta.main) main();
