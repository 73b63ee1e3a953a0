import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(import.meta.dirname, '../../../..');
const BIN = join(ROOT, 'node_modules/.bin');

/** What a run of the command printed, and how it ended. */
export interface CommandRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm start -- …args` as the root script runs it (tsx, @toq/source, Node 24 first on PATH). */
export async function npmStart(args: readonly string[]): Promise<CommandRun> {
  const script = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const [command = '', ...fixed] = script.scripts.start.split(' ');
  try {
    const { stdout, stderr } = await promisify(execFile)(join(BIN, command), [...fixed, ...args], {
      cwd: ROOT,
      env: { ...process.env, PATH: `${BIN}:${process.env['PATH'] ?? ''}` },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A local port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
