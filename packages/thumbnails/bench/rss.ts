/**
 * Child process of the bench: renders the given photos one after another (one photo in flight)
 * with `createRenditions` or the naive baseline, then prints its peak RSS in MB as JSON.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRenditions } from '@toq/thumbnails';
import { naiveRenditions } from './naive.ts';

const [mode, ...photos] = process.argv.slice(2);
for (let round = 0; round < 2; round++) {
  for (const photo of photos) {
    const bytes = await readFile(photo); // as a Lambda gets it from S3
    if (mode === 'naive') await naiveRenditions(bytes);
    else await createRenditions(bytes);
  }
}
console.log(JSON.stringify({ peakRssMB: peakRssMB() }));

/**
 * This process's peak RSS. On Linux, VmHWM of /proc/self/status: `resourceUsage().maxRSS` would
 * also count the parent's RSS, which a spawned child inherits across fork and exec.
 */
function peakRssMB(): number {
  try {
    const kB = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kB) return Math.round(Number(kB) / 1024);
  } catch {
    // not Linux
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
