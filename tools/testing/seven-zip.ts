/**
 * 7-Zip as an independent reader of the zips the tests make: it shares no code with archiver or
 * yauzl, checks every entry's CRC-32 and understands ZIP64. The binary comes inside the npm
 * package `7zip-bin` (Linux, macOS and Windows), so no system `unzip` is needed.
 */
import { execFile } from 'node:child_process';
import { accessSync, chmodSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { path7za } from '7zip-bin';

const run = promisify(execFile);

/** What 7-Zip says of an archive that passed its test. */
export interface SevenZipReport {
  /** How many entries are files (folders not counted). */
  readonly files: number;
  /** The files' paths, in archive order, as 7-Zip decodes them. */
  readonly paths: readonly string[];
  /** Their uncompressed bytes. */
  readonly size: number;
  /** The test's whole report. */
  readonly output: string;
}

/** The package ships its binary without the executable bit (its users set it on first use). */
function executable(): string {
  try {
    accessSync(path7za, constants.X_OK);
  } catch {
    chmodSync(path7za, 0o755);
  }
  return path7za;
}

async function sevenZip(args: string[], file: string): Promise<string> {
  try {
    const { stdout } = await run(executable(), [...args, '-tzip', '-bd', file], {
      maxBuffer: 256 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`7-Zip found errors in ${file}:\n${stdout}${stderr}`, { cause: error });
  }
}

/**
 * Runs `7za t` (tests every entry: headers, sizes, CRC-32) and `7za l` on a zip file. Rejects
 * with 7-Zip's report when it finds any error.
 */
export async function sevenZipTest(file: string): Promise<SevenZipReport> {
  const output = await sevenZip(['t'], file);
  if (!/^Everything is Ok/m.test(output)) throw new Error(`7-Zip did not pass ${file}:\n${output}`);
  const listing = await sevenZip(['l', '-slt'], file);
  const blocks = listing.slice(listing.indexOf('\n----------\n') + 1).split(/\n\n+/);
  const paths = blocks.flatMap((block) => {
    const path = /^Path = (.*)$/m.exec(block)?.[1];
    return path !== undefined && /^Folder = -$/m.test(block) ? [path] : [];
  });
  const size = Number(/^Size:\s+(\d+)/m.exec(output)?.[1] ?? 0);
  return { files: paths.length, paths, size, output };
}

/** {@link sevenZipTest} on an archive held in memory (written to a temporary file first). */
export async function sevenZipTestBuffer(archive: Buffer): Promise<SevenZipReport> {
  const dir = await mkdtemp(join(tmpdir(), 'toq-7z-'));
  try {
    const file = join(dir, 'archive.zip');
    await writeFile(file, archive);
    return await sevenZipTest(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
