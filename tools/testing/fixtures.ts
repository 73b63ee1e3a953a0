/**
 * The repository's test fixtures, all in `fixtures/` at its root and committed, so that a fresh
 * clone needs only Node and npm (what each file is, how it was made and its licence:
 * `fixtures/README.md`). Tests and benches take fixture paths from here, never from a path
 * relative to themselves.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** `fixtures/` at the repository root. */
export const FIXTURES_DIR = resolve(import.meta.dirname, '../../fixtures');

/**
 * One photo saved 18 times: `Landscape_0..8.jpg` (upright 1800x1200) and `Portrait_0..8.jpg`
 * (1200x1800), each stored turned or mirrored and tagged with the EXIF orientation in its name
 * (0: no tag), so that every one shows the same upright picture when read correctly.
 */
export const EXIF_ORIENTATION_DIR = resolve(FIXTURES_DIR, 'exif-orientation');

/** Small files that need more than npm to make: HEICs (HEVC) and an Adobe RGB ICC profile. */
export const FORMATS_DIR = resolve(FIXTURES_DIR, 'formats');

/**
 * The absolute path of a fixture, given by its path under `fixtures/`:
 * `fixturePath('formats', 'Portrait_0.heic')`. Throws, naming the file, when it does not exist.
 */
export function fixturePath(...segments: string[]): string {
  const path = resolve(FIXTURES_DIR, ...segments);
  if (!existsSync(path)) {
    throw new Error(`No fixture ${path}: fixtures/README.md lists them and how each was made`);
  }
  return path;
}
