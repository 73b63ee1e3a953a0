import { execFile } from 'node:child_process';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ListingMediaResult, parse } from '@toq/contracts';
import { parseCommandLine } from '../../src/command-line.ts';
import { SAMPLE_LISTING } from '../../src/run-listing.ts';
import { scratchDir, writeTinyPhotos } from './support.ts';

const ROOT = join(import.meta.dirname, '../../../..');
const BIN = join(ROOT, 'node_modules/.bin');

/** `npm start -- …args` as the root script runs it (tsx, @toq/source, Node 24 first on PATH). */
async function npmStart(args: readonly string[]) {
  const script = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const [command = '', ...fixed] = script.scripts.start.split(' ');
  try {
    const { stdout } = await promisify(execFile)(join(BIN, command), [...fixed, ...args], {
      cwd: ROOT,
      env: { ...process.env, PATH: `${BIN}:${process.env['PATH'] ?? ''}` },
    });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

describe('npm start', () => {
  it('processes a folder, prints where the outputs are and exits 0', async () => {
    // Prepare
    const folder = await scratchDir('cli-folder');
    await writeTinyPhotos(folder, 2);
    await copyFile(join(SAMPLE_LISTING, 'broken.jpg'), join(folder, 'broken.jpg'));
    const out = await scratchDir('cli-out');

    // Act
    const { code, stdout } = await npmStart([folder, '--out', out, '--request-id', 'cli-1']);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain('Listing partially_failed: 2 of 3 media processed');
    expect(stdout).toMatch(/✗ broken\.jpg: CORRUPT_IMAGE/);
    expect(stdout).toContain('local receiver: 1 POST(s), 1 with a valid signature');
    expect(stdout).toContain(`Contact sheet: ${join(out, 'contact-sheet.html')}`);
    const result = parse(
      ListingMediaResult,
      JSON.parse(await readFile(join(out, 'result.json'), 'utf8')),
    );
    expect(result.requestId).toBe('cli-1');
  }, 120_000);

  it('exits 1 when the listing failed as a whole', async () => {
    const folder = await scratchDir('cli-broken');
    await copyFile(join(SAMPLE_LISTING, 'broken.jpg'), join(folder, 'broken.jpg'));

    const { code, stdout } = await npmStart([folder, '--out', await scratchDir('cli-out')]);

    expect(code).toBe(1);
    expect(stdout).toContain('Listing failed: 0 of 1 media processed');
    expect(stdout).toContain('NO_VALID_MEDIA');
  }, 120_000);
});

describe('parseCommandLine', () => {
  it('reads the folder and the options', () => {
    expect(
      parseCommandLine([
        'photos',
        '--listing-id',
        'ABC',
        '--store',
        's3',
        '--endpoint',
        'http://127.0.0.1:9',
      ]),
    ).toEqual({
      out: '.local/run',
      folder: 'photos',
      listingId: 'abc',
      store: { kind: 's3', endpoint: 'http://127.0.0.1:9' },
    });
    expect(parseCommandLine([])).toEqual({ out: '.local/run', store: 'fs' });
    expect(parseCommandLine(['-h'])).toBe('help');
  });

  it('rejects what it cannot do, saying what it expected', () => {
    expect(() => parseCommandLine(['--store', 'gcs'])).toThrow(
      '--store must be fs or s3, received "gcs"',
    );
    expect(() => parseCommandLine(['--endpoint', 'http://x'])).toThrow(
      '--endpoint and --bucket need --store s3',
    );
    expect(() => parseCommandLine(['a', 'b'])).toThrow(
      'Expected at most one folder, received 2: a b',
    );
  });
});
