/**
 * Child process of the bench: renders the given photos one after another (one photo in flight)
 * with `createRenditions` or the naive baseline, then prints its peak RSS in MB as JSON.
 */
import { readFile } from 'node:fs/promises';
import { createRenditions } from '@toq/thumbnails';
import { naiveRenditions } from './naive.ts';

const [mode, ...photos] = process.argv.slice(2);
for (let round = 0; round < 2; round++) {
  for (const photo of photos) {
    const bytes = await readFile(photo); // as a Lambda gets it from S3
    if (mode === 'naive') await naiveRenditions(bytes);
    else await createRenditions(bytes, { placeholder: false });
  }
}
console.log(JSON.stringify({ peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }));
