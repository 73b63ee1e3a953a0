import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRenditions, ThumbnailError } from '../../src/index';
import { fixturePath } from '../../../../tools/testing/fixtures.ts';
import { expectThumbnailError, fixture, pngDeclaring } from '../helpers';

let dir: string;
let landscape: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'toq-thumbnails-hostile-'));
  landscape = await readFile(fixture('Landscape', 0));
});

/** A stream that never delivers a byte after `bytes` (none by default) and never ends. */
function stallingStream(bytes?: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (bytes && !sent) {
        sent = true;
        this.push(bytes);
      }
    },
  });
}

describe('the aspect-ratio rule (maxAspectRatio, default 20)', () => {
  it('refuses the tall strip of the review (200x1342000, under the pixel limit) before decoding', async () => {
    const strip = pngDeclaring(200, 1_342_000);
    expect(strip.length).toBeLessThan(1024);
    await expectThumbnailError(
      createRenditions(strip),
      'IMAGE_DIMENSIONS_UNSUPPORTED',
      /^Image dimensions unsupported: expected an aspect ratio between 1:20 and 20:1 \(maxAspectRatio\), received 200x1342000, a ratio of 1:6710$/,
    );
  });

  it('judges the upright dimensions: 1342000x200 with EXIF orientation 6 is 200x1342000', async () => {
    const turned = pngDeclaring(1_342_000, 200, { orientation: 6 });
    expect((await sharp(turned).metadata()).orientation).toBe(6);
    await expectThumbnailError(
      createRenditions(turned),
      'IMAGE_DIMENSIONS_UNSUPPORTED',
      /received 200x1342000 \(stored 1342000x200, EXIF orientation 6\), a ratio of 1:6710$/,
    );
  });

  it('refuses a wide image just beyond 20:1 and renders one at exactly 20:1', async () => {
    const wide = (width: number) =>
      sharp(landscape).resize(width, 200, { fit: 'fill' }).jpeg().toBuffer();
    await expectThumbnailError(
      createRenditions(await wide(4001)),
      'IMAGE_DIMENSIONS_UNSUPPORTED',
      /received 4001x200, a ratio of 20\.01:1$/,
    );
    const set = await createRenditions(await wide(4000));
    expect(set.renditions.map((r) => [r.size, r.width, r.height])).toEqual([
      ['large', 1200, 60],
      ['medium', 800, 40],
      ['small', 400, 20],
      ['thumbnail', 200, 10],
    ]);
  });

  it('applies a custom ratio', async () => {
    await expectThumbnailError(
      createRenditions(landscape, { maxAspectRatio: 1.4 }),
      'IMAGE_DIMENSIONS_UNSUPPORTED',
      /expected an aspect ratio between 1:1\.4 and 1\.4:1 \(maxAspectRatio\), received 1800x1200, a ratio of 1\.5:1$/,
    );
    const set = await createRenditions(landscape, { maxAspectRatio: 1.5, sizes: ['thumbnail'] });
    expect(set.source).toMatchObject({ width: 1800, height: 1200 });
  });
});

describe('the idle timeout on a stream input (inputIdleTimeout, default 30 s)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fails a stream that never delivers a byte with SOURCE_STALLED and destroys it', async () => {
    const stream = stallingStream();
    await expectThumbnailError(
      createRenditions(stream, { inputIdleTimeout: 20 }),
      'SOURCE_STALLED',
      /^Source stalled: expected the input stream to deliver bytes at least every 20 ms \(inputIdleTimeout\), received none for 20 ms after 0 bytes$/,
    );
    expect(stream.destroyed).toBe(true);
  });

  it('fails a stream that stops halfway with SOURCE_STALLED and destroys it', async () => {
    const stream = stallingStream(landscape.subarray(0, 1000));
    await expectThumbnailError(
      createRenditions(stream, { inputIdleTimeout: 20 }),
      'SOURCE_STALLED',
      /received none for 20 ms after 1000 bytes$/,
    );
    expect(stream.destroyed).toBe(true);
  });

  it('waits 30 s by default', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const stream = stallingStream();
    const outcome = createRenditions(stream).then(
      () => 'resolved',
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(29_999);
    expect(stream.destroyed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(ThumbnailError);
    expect(error).toMatchObject({ code: 'SOURCE_STALLED' });
    expect(stream.destroyed).toBe(true);
  });

  it('never gives up with inputIdleTimeout 0', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const stream = stallingStream();
    const outcome = createRenditions(stream, { inputIdleTimeout: 0, sizes: ['thumbnail'] });
    await vi.advanceTimersByTimeAsync(24 * 60 * 60 * 1000);
    expect(stream.destroyed).toBe(false);
    vi.useRealTimers();
    stream.push(landscape);
    stream.push(null);
    const set = await outcome;
    expect(set.source).toMatchObject({ width: 1800, height: 1200 });
  });

  it('lets a slow stream that keeps delivering finish', async () => {
    // Each chunk comes after the previous one was read: the timer restarts on every chunk.
    let offset = 0;
    const stream = new Readable({
      read() {
        setImmediate(() => {
          const chunk = landscape.subarray(offset, offset + 16 * 1024);
          offset += chunk.length;
          this.push(chunk.length > 0 ? chunk : null);
        });
      },
    });
    const set = await createRenditions(stream, { inputIdleTimeout: 10_000, sizes: ['thumbnail'] });
    expect(set.source).toMatchObject({ width: 1800, height: 1200 });
  });
});

describe('SVG and other formats that sharp reads but this library does not', () => {
  const svg = (prologue: string, body = '<rect width="10" height="10"/>') =>
    Buffer.from(
      `${prologue}<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">${body}</svg>`,
    );

  it('refuses a plain SVG and one with a DOCTYPE as UNSUPPORTED_FORMAT (received svg)', async () => {
    for (const image of [
      svg(''),
      svg(
        '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n',
      ),
    ]) {
      await expectThumbnailError(
        createRenditions(image),
        'UNSUPPORTED_FORMAT',
        /expected JPEG, PNG, WebP, GIF, TIFF, HEIC or AVIF, received svg$/,
      );
    }
  });

  it('refuses an SVG whose DTD declares an external entity as UNSUPPORTED_FORMAT, not CORRUPT_IMAGE', async () => {
    const image = svg('<!DOCTYPE svg [<!ENTITY logo SYSTEM "logo.txt">]>', '<text>&logo;</text>');
    await expectThumbnailError(
      createRenditions(image),
      'UNSUPPORTED_FORMAT',
      /received svg \(\d+ bytes that its own loader could not read: .*Entity 'logo' not defined/,
    );
    const path = join(dir, 'entity.svg');
    await writeFile(path, image);
    await expectThumbnailError(
      createRenditions(path),
      'UNSUPPORTED_FORMAT',
      /received svg \(the file ".*entity\.svg" that its own loader could not read: /,
    );
  });

  it('refuses a malformed SVG as UNSUPPORTED_FORMAT', async () => {
    await expectThumbnailError(
      createRenditions(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10"><rect')),
      'UNSUPPORTED_FORMAT',
      /received svg \(\d+ bytes that its own loader could not read: .*XML parse error/,
    );
  });

  it('still refuses a photo format whose header is cut short as CORRUPT_IMAGE', async () => {
    const png = await sharp(landscape).resize(60).png().toBuffer();
    const heic = await readFile(fixturePath('formats', 'Landscape_0.heic'));
    for (const cut of [
      landscape.subarray(0, 100),
      png.subarray(0, 40),
      heic.subarray(0, 300),
      Buffer.from('GIF89a'),
    ]) {
      await expectThumbnailError(createRenditions(cut), 'CORRUPT_IMAGE', /could not be decoded/);
    }
  });
});

describe('the memory budget (memoryBudget, default 1 GiB)', () => {
  it('refuses an interlaced 16-bit RGBA PNG of 16000x16000 (under the pixel limit) before decoding', async () => {
    const png = pngDeclaring(16_000, 16_000, { rgba16: true, interlaced: true });
    expect(await sharp(png).metadata()).toMatchObject({ isProgressive: true, channels: 4 });
    await expectThumbnailError(
      createRenditions(png),
      'IMAGE_TOO_LARGE',
      /^Image too large: expected an estimated memory need of at most 1073741824 bytes \(memoryBudget\), received an interlaced PNG of 16000x16000 \(4 channels, ushort\) estimated at \d+ bytes$/,
    );
  });

  it('applies a custom budget', async () => {
    await expectThumbnailError(
      createRenditions(landscape, { memoryBudget: 64 * 1024 * 1024 }),
      'IMAGE_TOO_LARGE',
      /at most 67108864 bytes \(memoryBudget\), received a JPEG of 1800x1200 \(3 channels, uchar\) estimated at \d+ bytes$/,
    );
    const set = await createRenditions(landscape, {
      memoryBudget: 128 * 1024 * 1024,
      sizes: ['thumbnail'],
    });
    expect(set.source).toMatchObject({ width: 1800, height: 1200 });
  });
});
