import { copyFile, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ListingId, ListingMediaResult, RequestId, parse } from '@toq/contracts';
import { parseCommandLine } from '../../src/command-line.ts';
import { stableUuid } from '../../src/listing-folder.ts';
import {
  SAMPLE_LISTING,
  SAMPLE_LISTING_ID,
  localRequestId,
  runListing,
} from '../../src/run-listing.ts';
import { UsageError } from '../../src/usage-error.ts';
import { npmStart } from './npm-start.ts';
import { scratchDir, writeTinyPhotos } from './support.ts';

/** Every file under `dir`, read as text. */
async function textsUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name), 'latin1')),
  );
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

  it('makes an empty file and a broken link one failed item each, named by file, and processes the rest', async () => {
    // Prepare: what a user meets: a photo that was never written, and a link to a photo on a
    // drive that is gone (as root, chmod 000 would not stop the read; the link always does).
    const folder = await scratchDir('cli-bad-files');
    await writeTinyPhotos(folder, 2);
    await writeFile(join(folder, 'empty.jpg'), '');
    await symlink('../unplugged-drive/kitchen.jpg', join(folder, 'kitchen.jpg'));
    const out = await scratchDir('cli-bad-files-out');

    // Act
    const { code, stdout, stderr } = await npmStart([folder, '--out', out]);

    // Assess: one line per failure, in the user's terms; the run goes on and exits 0.
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain('Listing partially_failed: 2 of 4 media processed');
    expect(stdout).toMatch(/^ {2}✗ empty\.jpg: OBJECT_EMPTY \(.*empty\.jpg.*\)$/m);
    expect(stdout).toContain(
      '  ✗ kitchen.jpg: OBJECT_NOT_FOUND (a broken symbolic link to ../unplugged-drive/kitchen.jpg: nothing to upload)',
    );
    expect(stdout).not.toContain('/raw/'); // no S3 key in any message
    // The progress lines too: the two rejected by Validate count as done, so the bar fills.
    expect(stdout).toContain(
      '  ✗ empty.jpg: rejected by Validate\n  ✗ kitchen.jpg: rejected by Validate\n',
    );
    expect(stdout).toMatch(/^ {2}photo 4\/4 photo-000[12]\.jpg: succeeded$/m);
    const result = parse(
      ListingMediaResult,
      JSON.parse(await readFile(join(out, 'result.json'), 'utf8')),
    );
    expect(result.media.map((m) => (m.status === 'failed' ? m.error.code : m.status))).toEqual([
      'OBJECT_EMPTY',
      'OBJECT_NOT_FOUND',
      'succeeded',
      'succeeded',
    ]);
    const sheet = await readFile(join(out, 'contact-sheet.html'), 'utf8');
    expect(sheet).toContain('<td>empty.jpg</td><td><b>OBJECT_EMPTY</b></td>');
    expect(sheet).toContain('<td>kitchen.jpg</td><td><b>OBJECT_NOT_FOUND</b></td>');
    // The help says the default webhook secret is neither printed nor kept: it is not.
    expect(stdout).not.toContain('whsec_');
    expect((await textsUnder(out)).filter((text) => text.includes('whsec_'))).toEqual([]);
  }, 120_000);

  it('exits 1 when the listing failed as a whole', async () => {
    const folder = await scratchDir('cli-broken');
    await copyFile(join(SAMPLE_LISTING, 'broken.jpg'), join(folder, 'broken.jpg'));

    const { code, stdout } = await npmStart([folder, '--out', await scratchDir('cli-out')]);

    expect(code).toBe(1);
    expect(stdout).toContain('Listing failed: 0 of 1 media processed');
    expect(stdout).toContain('NO_VALID_MEDIA');
  }, 120_000);

  it('tells the truth in --help: the defaults it states are the code’s', async () => {
    // Act
    const { code, stdout } = await npmStart(['--help']);

    // Assess
    expect(code).toBe(0);
    const help = stdout.replace(/\s+/g, ' ');
    expect(help).toContain(
      `${ListingId.description} Default: a UUID derived from the folder's absolute path`,
    );
    expect(help).toContain(`(the sample listing's is ${SAMPLE_LISTING_ID})`);
    expect(help).toContain(
      `${RequestId.description} Default: local- and 12 random hex digits, a new request on every run`,
    );
    expect(localRequestId()).toMatch(/^local-[0-9a-f]{12}$/);
    expect(localRequestId()).not.toBe(localRequestId());
    expect(help).toContain('it is neither printed nor kept');
    expect(help).toContain(
      'Exit code: 0 when the listing was processed, even partly (an undelivered webhook is reported and still exits 0); 1 when it failed as a whole',
    );
    expect(help).toContain('2 for a mistake in the command');
    for (const line of stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
  }, 60_000);

  it('derives the listing id from the folder path: the same folder is the same listing', async () => {
    const folder = await scratchDir('cli-derived');
    await writeTinyPhotos(folder, 1);
    const out = await scratchDir('cli-derived-out');
    const run = () => runListing({ folder, out, timeScale: 0 });

    const [first, second] = [await run(), await run()];

    expect(first.listingId).toBe(second.listingId);
    expect(first.listingId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(first.listingId).toBe(stableUuid('listing', folder));
    expect(first.requestId).not.toBe(second.requestId);
  }, 120_000);
});

describe('parseCommandLine', () => {
  it('reads the folder and the options, ids as the contracts parse them', () => {
    expect(
      parseCommandLine([
        'photos',
        '--listing-id',
        '4F8C1D2E-7B3A-4C5D-9E8F-0A1B2C3D4E5F',
        '--store',
        's3',
        '--endpoint',
        'http://127.0.0.1:9',
      ]),
    ).toEqual({
      out: '.local/run',
      folder: 'photos',
      listingId: parse(ListingId, '4F8C1D2E-7B3A-4C5D-9E8F-0A1B2C3D4E5F'),
      store: { kind: 's3', endpoint: 'http://127.0.0.1:9' },
    });
    expect(parseCommandLine([])).toEqual({ out: '.local/run', store: 'fs' });
    expect(parseCommandLine(['-h'])).toBe('help');
  });

  it('rejects what it cannot do with a usage error saying what it expected', () => {
    const mistakes: [string[], string][] = [
      [['--store', 'gcs'], '--store must be fs or s3, received "gcs"'],
      [['--endpoint', 'http://x'], '--endpoint and --bucket need --store s3'],
      [['a', 'b'], 'Expected at most one folder, received 2: a b'],
      [['--store', 's3', '--endpoint', 'localhost:4566'], '--endpoint must be an http(s) URL'],
      [['--callback', 'https://user:pw@example.com/h'], '--callback must not carry credentials'],
      [['--nope'], "Unknown option '--nope'"],
    ];
    for (const [argv, message] of mistakes) {
      expect(() => parseCommandLine(argv), argv.join(' ')).toThrow(UsageError);
      expect(() => parseCommandLine(argv), argv.join(' ')).toThrow(message);
    }
  });

  it('accepts a Standard Webhooks secret and loopback or https callbacks', () => {
    const secret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
    for (const callback of [
      'http://localhost:8080/h',
      'http://[::1]:9/h',
      'https://example.com/h',
    ]) {
      expect(parseCommandLine(['--callback', callback, '--webhook-secret', secret])).toMatchObject({
        callbackUrl: callback,
        webhookSecret: secret,
      });
    }
  });
});
