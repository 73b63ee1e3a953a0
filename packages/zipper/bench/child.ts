/** Runs one measurement of `measure.mjs` in a process of its own, so that its peak RSS is its own. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** What `measure.mjs` prints. */
export interface Measure {
  mode: string;
  /** The bytes the sources gave. */
  bytes: number;
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  peakHeapMb: number;
  entries?: number;
  archiveBytes?: number;
  crc?: number;
}

/**
 * `node [nodeFlags] bench/measure.mjs ...args`, resolving to the measurement it prints.
 *
 * @example
 * const zip = await measure([], 'tree-zip', dir);
 * console.log(zip.seconds, zip.peakRssMb);
 */
export function measure(nodeFlags: readonly string[], ...args: string[]): Promise<Measure> {
  return new Promise((resolve, reject) => {
    const script = join(import.meta.dirname, 'measure.mjs');
    const child = spawn(process.execPath, [...nodeFlags, script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve(JSON.parse(stdout) as Measure)
        : reject(new Error(`measure.mjs ${args.join(' ')} exited with ${code}`)),
    );
  });
}
