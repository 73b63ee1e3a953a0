/**
 * Pack-and-install testing for the published packages: `npm pack` the package, install the
 * tarball into a scratch project outside the workspace (its dependencies come from the registry,
 * as for a user), and run code against it on the oldest Node the package supports.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const workspaceRoot = resolve(import.meta.dirname, '../..');

/** The oldest Node line the published packages support (their `engines.node`). */
export const OLDEST_SUPPORTED_NODE = '22';

export interface CommandResult {
  stdout: string;
  stderr: string;
}

async function sh(command: string, args: string[], cwd: string): Promise<CommandResult> {
  try {
    return await run(command, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: process.env });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * A Node binary of the given major line, installed once from the npm `node` package into
 * `node_modules/.cache` (the machine's own Node may be older or newer). Several test files may ask
 * at once, so each installs into its own folder and the first to finish renames it into place.
 */
export async function nodeBinary(major = OLDEST_SUPPORTED_NODE): Promise<string> {
  const cache = join(workspaceRoot, 'node_modules', '.cache');
  const prefix = join(cache, `toq-node${major}`);
  const binary = join(prefix, 'node_modules', '.bin', 'node');
  if (existsSync(binary)) return binary;
  await mkdir(cache, { recursive: true });
  const staging = await mkdtemp(join(cache, `toq-node${major}-`));
  try {
    await writeFile(join(staging, 'package.json'), '{"private":true}\n');
    await sh('npm', ['install', '--no-audit', '--no-fund', `node@${major}`], staging);
    await rename(staging, prefix).catch((error: NodeJS.ErrnoException) => {
      if (!existsSync(binary)) throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return binary;
}

export interface ScratchProject {
  /** The scratch project's folder, outside the workspace. */
  dir: string;
  /** The tarball `npm pack` wrote. */
  tarball: string;
  /** Writes `file` into the project and runs it with Node `major` (default: the oldest supported). */
  runScript(file: string, source: string, major?: string): Promise<CommandResult>;
}

/**
 * Packs the package at `packageDir` (which must be built) and installs the tarball, and only it,
 * into a new scratch project.
 */
export async function installPackedPackage(packageDir: string): Promise<ScratchProject> {
  const dir = await mkdtemp(join(tmpdir(), 'toq-pack-'));
  const { stdout } = await sh('npm', ['pack', '--json', '--pack-destination', dir], packageDir);
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
  const tarball = join(dir, filename);
  await writeFile(join(dir, 'package.json'), '{"name":"scratch","private":true}\n');
  await sh('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', tarball], dir);
  return {
    dir,
    tarball,
    async runScript(file, source, major = OLDEST_SUPPORTED_NODE) {
      await writeFile(join(dir, file), source);
      return sh(await nodeBinary(major), [file], dir);
    },
  };
}

/** `publint --strict` on the package: resolves when it reports nothing, throws with its report. */
export async function publint(packageDir: string): Promise<CommandResult> {
  return sh(join(workspaceRoot, 'node_modules', '.bin', 'publint'), ['--strict'], packageDir);
}

/**
 * `attw --pack` on the package: resolves when every resolution mode is green. The `node16`
 * profile leaves out TypeScript's `node10` resolution, which ignores `exports` and is deprecated
 * as of TypeScript 6; the packages require Node >= 22 anyway.
 */
export async function arethetypeswrong(packageDir: string): Promise<CommandResult> {
  return sh(
    join(workspaceRoot, 'node_modules', '.bin', 'attw'),
    ['--pack', '.', '--profile', 'node16', '--format', 'table-flipped'],
    packageDir,
  );
}

/**
 * The two checks every published package's pack test makes: `publint --strict` reports nothing,
 * and attw resolves the types of `entry` (the package name, or a subpath of it) from CJS, ESM and
 * bundlers.
 */
export function itIsCleanForPublishing(packageDir: string, entry: string): void {
  it('is clean under publint --strict', async () => {
    const { stdout } = await publint(packageDir);
    expect(stdout).not.toMatch(/warning|error|suggestion/i);
  });

  it('has types that resolve from CJS, ESM and bundlers (attw exits 0)', async () => {
    const { stdout } = await arethetypeswrong(packageDir);
    expect(stdout).toContain(`"${entry}"`);
  });
}
