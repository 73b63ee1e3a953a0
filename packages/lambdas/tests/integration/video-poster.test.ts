import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ThumbnailsRenderer } from '../../src/adapters/thumbnails-renderer.ts';
import {
  MAX_POSTER_RENDERS,
  choosePoster,
  posterCandidates,
  showsSomething,
  thumbHashLuminance,
} from '../../src/domain/video-poster.ts';

/** A 320×180 JPEG frame: a flat colour, or a lit room's stand-in (a bright gradient with a dark band). */
async function frame(kind: 'black' | 'grey' | 'room'): Promise<Buffer> {
  const width = 320;
  const height = 180;
  if (kind !== 'room') {
    const value = kind === 'black' ? 4 : 128;
    return sharp({
      create: { width, height, channels: 3, background: { r: value, g: value, b: value } },
    })
      .jpeg()
      .toBuffer();
  }
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const lit = y > height / 3 && y < height / 2 ? 40 : 120 + Math.round((x / width) * 120);
      pixels.set([lit, lit - 10, lit - 30], (y * width + x) * 3);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg()
    .toBuffer();
}

const renderer = new ThumbnailsRenderer();

describe('showsSomething, on frames the real renderer hashed', () => {
  it.each([
    ['black', false],
    ['grey', false],
    ['room', true],
  ] as const)('a %s frame → %s', async (kind, expected) => {
    const rendered = await renderer.render(await frame(kind));

    expect(thumbHashLuminance(rendered.placeholder)).toBeDefined();
    expect(showsSomething(rendered)).toBe(expected);
  });
});

describe('posterCandidates', () => {
  it('starts at 10 % of the duration, then tries later frames, then earlier ones', () => {
    expect(posterCandidates(40).slice(0, 3)).toEqual([4, 5, 6]);
    expect(posterCandidates(40).slice(-4)).toEqual([3, 2, 1, 0]);
    expect(posterCandidates(40)).toHaveLength(30);
  });

  it('offers only the frames a short video has, and the first of a video of unknown length first', () => {
    expect(posterCandidates(3.5)).toEqual([0, 1, 2, 3]);
    expect(posterCandidates(0.5)).toEqual([0]);
    expect(posterCandidates(undefined)[0]).toBe(0);
  });

  it('never goes past the last capture of a long video', () => {
    expect(posterCandidates(3600)[0]).toBe(29);
  });
});

describe('choosePoster', () => {
  /** Frames by index, as a capture would have written them. */
  function captured(kinds: readonly ('black' | 'grey' | 'room')[]) {
    const rendered: string[] = [];
    return {
      rendered,
      frames: {
        keyOf: (index: number) => `frames/v.${String(index).padStart(7, '0')}.jpg`,
        exists: async (key: string) => Number(/\.(\d{7})\.jpg$/.exec(key)?.[1]) < kinds.length,
        render: async (key: string) => {
          rendered.push(key);
          const kind = kinds[Number(/\.(\d{7})\.jpg$/.exec(key)?.[1])] ?? 'black';
          return renderer.render(await frame(kind));
        },
      },
    };
  }

  it('skips the black frames of a fade-in for the first that shows the room', async () => {
    const { frames, rendered } = captured(['black', 'black', 'room', 'room']);

    const poster = await choosePoster(4, frames);

    expect(poster?.key).toBe('frames/v.0000002.jpg');
    expect(rendered).toEqual([
      'frames/v.0000000.jpg',
      'frames/v.0000001.jpg',
      'frames/v.0000002.jpg',
    ]);
  });

  it(`takes the first frame tried when none shows anything, after at most ${MAX_POSTER_RENDERS} renders`, async () => {
    const { frames, rendered } = captured(Array.from({ length: 20 }, () => 'grey' as const));

    const poster = await choosePoster(20, frames);

    expect(poster?.key).toBe('frames/v.0000002.jpg');
    expect(rendered).toHaveLength(MAX_POSTER_RENDERS);
  });

  it('is undefined when no frame was captured', async () => {
    expect(await choosePoster(4, captured([]).frames)).toBeUndefined();
  });
});
