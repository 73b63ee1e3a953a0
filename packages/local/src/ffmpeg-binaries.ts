import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';

/** Where one of the stand-in's programs comes from. */
export interface LocatedProgram {
  /** What to spawn: an absolute path, or the bare name when the program was found nowhere. */
  readonly path: string;
  /** `system`: the PATH's own, newer than the npm one; `npm`: the binary shipped in node_modules. */
  readonly source: 'system' | 'npm';
  /** `major.minor`, when the program says it. */
  readonly version?: string;
}

/** The two programs the MediaConvert stand-in runs. */
export interface FfmpegBinaries {
  readonly ffmpeg: LocatedProgram;
  readonly ffprobe: LocatedProgram;
}

/** What {@link locateFfmpeg} may be told, so tests can stand in for the machine. */
export interface LocateFfmpegOptions {
  /** The PATH to look on. Default: `process.env.PATH`. */
  readonly path?: string;
  /** The npm packages that ship the binaries. Default: `@ffmpeg-installer/ffmpeg`, `@ffprobe-installer/ffprobe`. */
  readonly packages?: { readonly ffmpeg: string; readonly ffprobe: string };
}

const INSTALLERS = { ffmpeg: '@ffmpeg-installer/ffmpeg', ffprobe: '@ffprobe-installer/ffprobe' };

/**
 * Finds `ffmpeg` and `ffprobe` for the local MediaConvert stand-in, so `npm ci` is all a machine
 * needs: each is the build shipped inside its npm package (`@ffmpeg-installer/*`,
 * `@ffprobe-installer/*`: static builds for Linux, macOS and Windows), unless the PATH has one
 * whose version is newer. A program found nowhere is returned by bare name, so spawning it fails
 * with `ENOENT`, which the transcoder reports as unavailable.
 *
 * @example
 * const { ffmpeg, ffprobe } = locateFfmpeg();
 * new FfmpegTranscoder(store, { bucket, ffmpegPath: ffmpeg.path, ffprobePath: ffprobe.path });
 */
export function locateFfmpeg(options: LocateFfmpegOptions = {}): FfmpegBinaries {
  const packages = options.packages ?? INSTALLERS;
  const path = options.path ?? process.env['PATH'] ?? '';
  return {
    ffmpeg: locate('ffmpeg', packages.ffmpeg, path),
    ffprobe: locate('ffprobe', packages.ffprobe, path),
  };
}

function locate(program: 'ffmpeg' | 'ffprobe', installer: string, path: string): LocatedProgram {
  const bundled = bundledProgram(installer);
  const onPath = findOnPath(program, path);
  const systemVersion = onPath === undefined ? undefined : versionOf(onPath);
  const system: LocatedProgram | undefined =
    onPath === undefined || systemVersion === null
      ? undefined
      : { path: onPath, source: 'system', ...(systemVersion ? { version: systemVersion } : {}) };
  if (!bundled) return system ?? { path: program, source: 'system' };
  if (system?.version && compareVersions(system.version, bundled.version) > 0) return system;
  return { path: bundled.path, source: 'npm', version: bundled.version };
}

/** The installer's binary for this platform, or undefined where it ships none. */
function bundledProgram(installer: string): { path: string; version: string } | undefined {
  const require = createRequire(import.meta.url);
  const platformPackage = `${dirname(installer)}/${process.platform}-${process.arch}`;
  try {
    const { path } = require(installer) as { path: string };
    const manifest = require(join(platformPackage, 'package.json')) as { version: string };
    return { path, version: majorMinor(manifest.version) ?? '0.0' };
  } catch {
    return undefined;
  }
}

/** The first executable file named `program` in the PATH's folders. */
function findOnPath(program: string, path: string): string | undefined {
  const names = process.platform === 'win32' ? [`${program}.exe`] : [program];
  for (const folder of path.split(delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = join(folder, name);
      try {
        accessSync(candidate, constants.X_OK);
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // not here: try the next folder
      }
    }
  }
  return undefined;
}

/**
 * The version a program prints (`ffmpeg version 5.1.9-0+deb12u1 …` → `5.1`): `null` when it does
 * not run, `''` when it runs but says no release number (a git build).
 */
function versionOf(program: string): string | null {
  const probe = spawnSync(program, ['-version'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error || probe.status !== 0) return null;
  const firstLine = probe.stdout.split('\n', 1)[0] ?? '';
  return majorMinor(/version\s+n?(\d+\.\d+)/.exec(firstLine)?.[1] ?? '') ?? '';
}

function majorMinor(version: string): string | undefined {
  return /^(\d+)\.(\d+)/.exec(version)?.slice(1, 3).join('.');
}

function compareVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}
