import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ThumbnailsRenderer } from '../../src/adapters/thumbnails-renderer.ts';

/** A PNG of `width` × `height`, one colour. */
function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#7a9' } })
    .png()
    .toBuffer();
}

describe('ThumbnailsRenderer: what @toq/thumbnails refuses, as the pipeline sees it', () => {
  it('fails a strip more elongated than 1:20 as the item error IMAGE_DIMENSIONS_UNSUPPORTED', async () => {
    const strip = Readable.from([await png(20, 1000)]);

    await expect(new ThumbnailsRenderer().render(strip)).rejects.toMatchObject({
      name: 'UnrenderableImageError',
      code: 'IMAGE_DIMENSIONS_UNSUPPORTED',
    });
  });

  it('renders a panorama within the ratio', async () => {
    const panorama = Readable.from([await png(2000, 200)]);

    const { renditions } = await new ThumbnailsRenderer().render(panorama);

    expect(renditions.map((r) => [r.width, r.height])).toContainEqual([1200, 120]);
  });

  it('turns a source that stops sending into a retried TransientError', async () => {
    const stalled = new PassThrough();
    stalled.write((await png(400, 300)).subarray(0, 100));
    const renderer = new ThumbnailsRenderer({ inputIdleTimeout: 50 });

    await expect(renderer.render(stalled)).rejects.toMatchObject({ name: 'TransientError' });
  });
});

describe('ThumbnailsRenderer: a file stream', () => {
  it("hands sharp the file of a whole file's stream and closes the stream unread", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'renderer-'));
    try {
      const path = join(dir, 'photo.png');
      await writeFile(path, await png(1600, 900));
      const stream = createReadStream(path);

      const { source, renditions } = await new ThumbnailsRenderer().render(stream);

      expect(source).toEqual({ format: 'png', width: 1600, height: 900 });
      expect(renditions.map((r) => [r.size, r.width, r.height])).toContainEqual([
        'large',
        1200,
        675,
      ]);
      expect(stream.bytesRead).toBe(0);
      expect(stream.destroyed).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads a file stream that has started through the stream, never from the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'renderer-'));
    try {
      const path = join(dir, 'photo.png');
      await writeFile(path, await png(800, 600));
      const stream = createReadStream(path, { highWaterMark: 64 });
      await new Promise<void>((resolve) => stream.once('readable', () => resolve()));
      stream.read(8); // the PNG signature, gone from the stream: what is left is no image

      await expect(new ThumbnailsRenderer().render(stream)).rejects.toMatchObject({
        name: 'UnrenderableImageError',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
