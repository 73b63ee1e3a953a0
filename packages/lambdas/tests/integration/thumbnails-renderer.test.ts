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
