import { describe, expect, it } from 'vitest';
import { Progress } from '../../src/progress.ts';
import { runListing } from '../../src/run-listing.ts';
import { scratchDir, writeTinyPhotos } from './support.ts';

/** Runs a 3-photo listing with a progress display writing to `output`. */
async function runWith(progress: Progress): Promise<void> {
  const folder = await scratchDir('progress-folder');
  await writeTinyPhotos(folder, 3);
  await runListing({
    folder,
    out: await scratchDir('progress-out'),
    timeScale: 0,
    onEvent: progress.onEvent,
    onStep: progress.onStep,
    onListing: (files) => progress.setListing(files),
  });
  progress.finish();
}

describe('the progress display', () => {
  it('prints one plain line per step and per photo when not on a terminal', async () => {
    const written: string[] = [];
    await runWith(new Progress({ isTTY: false, write: (text) => written.push(text) }));

    const lines = written.join('').trim().split('\n');
    expect(
      lines.filter((l) => /^✓ (Validate|ProcessMedia|BundleZip|Consolidate|Callback) \(/.test(l)),
    ).toHaveLength(5);
    expect(
      lines.filter((l) => /^ {2}photo [1-3]\/3 photo-000[1-3]\.jpg: succeeded$/.test(l)),
    ).toHaveLength(3);
    expect(lines.at(-1)).toBe('✓ execution succeeded');
    expect(written.join('')).not.toContain('\x1b[');
  });

  it('redraws one block in place on a terminal', async () => {
    const written: string[] = [];
    await runWith(new Progress({ isTTY: true, columns: 120, write: (text) => written.push(text) }));

    const last = written.at(-1) ?? '';
    expect(last.startsWith('\x1b[')).toBe(true); // cursor up over the last block, then clear
    expect(last).toContain('A\x1b[0J');
    expect(last).toContain('✓ Validate');
    expect(last).toContain('✓ Callback');
    expect(last).toContain(`photos [${'#'.repeat(30)}] 3/3`);
  });
});
