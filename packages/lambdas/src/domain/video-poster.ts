import type { RenderResult } from '../ports/image-renderer.ts';
import { FRAME_CAPTURES } from './transcode.ts';

/**
 * The poster of a video shows the room: the frame captured at about {@link POSTER_POSITION} of
 * its duration, or the nearest later (then earlier) one when that frame is nearly black or one
 * flat colour (a fade-in, a lens cap, a title card). The same rule on AWS and locally: both
 * capture the same frames (`FRAME_CAPTURES`), `FinishVideo` chooses among them.
 */

/** Where the poster is taken, as a share of the duration. */
export const POSTER_POSITION = 0.1;
/** Frames rendered at most while looking for one that shows something. */
export const MAX_POSTER_RENDERS = 6;
/**
 * A frame "shows something" when its mean luminance is above `minBrightness` and its luminance
 * varies by more than `minContrast` (0–1, as ThumbHash measures them: the mean and the largest
 * low-frequency amplitude of (R+G+B)/3).
 */
export const SHOWS_SOMETHING = { minBrightness: 0.1, minContrast: 0.04 } as const;

/**
 * The indexes of the captured frames to try, best first: the one at {@link POSTER_POSITION} of
 * `durationSeconds`, the later ones, then the earlier ones. Only frames the capture can have
 * written (one every interval while the video lasts, at most `maxCaptures`).
 *
 * @example
 * posterCandidates(40); // [4, 5, 6, …, 29, 3, 2, 1, 0]
 */
export function posterCandidates(durationSeconds: number | undefined): number[] {
  const { intervalSeconds, maxCaptures } = FRAME_CAPTURES;
  const captured =
    durationSeconds === undefined
      ? maxCaptures
      : Math.min(maxCaptures, Math.max(1, Math.ceil(durationSeconds / intervalSeconds)));
  const target = Math.min(
    captured - 1,
    Math.round(((durationSeconds ?? 0) * POSTER_POSITION) / intervalSeconds),
  );
  const later = Array.from({ length: captured - target }, (_, i) => target + i);
  const earlier = Array.from({ length: target }, (_, i) => target - 1 - i);
  return [...later, ...earlier];
}

/**
 * The mean brightness and contrast a ThumbHash records in its first three bytes (`l_dc` in 6
 * bits, `l_scale` in 5; https://evanw.github.io/thumbhash/), or `undefined` for no hash.
 */
export function thumbHashLuminance(
  placeholder: string | undefined,
): { brightness: number; contrast: number } | undefined {
  if (placeholder === undefined) return undefined;
  const bytes = Buffer.from(placeholder, 'base64');
  if (bytes.length < 5) return undefined;
  const header = bytes.readUIntLE(0, 3);
  return { brightness: (header & 63) / 63, contrast: ((header >> 18) & 31) / 31 };
}

/**
 * Whether a rendered frame shows something ({@link SHOWS_SOMETHING}). A render without a
 * ThumbHash cannot be judged, and is taken.
 */
export function showsSomething(rendered: RenderResult): boolean {
  const luminance = thumbHashLuminance(rendered.placeholder);
  return (
    luminance === undefined ||
    (luminance.brightness > SHOWS_SOMETHING.minBrightness &&
      luminance.contrast > SHOWS_SOMETHING.minContrast)
  );
}

/** How the chooser reaches the captured frames. */
export interface CapturedFrames {
  /** The key of the frame captured at `index`. */
  keyOf(index: number): string;
  /** Whether that frame was written (a short video has fewer). */
  exists(key: string): Promise<boolean>;
  render(key: string): Promise<RenderResult>;
}

/**
 * Renders the poster frame of a video of `durationSeconds`: the first candidate
 * ({@link posterCandidates}) that {@link showsSomething}, after at most
 * {@link MAX_POSTER_RENDERS} renders; when none does, the first one rendered. `undefined` when no
 * candidate frame exists.
 *
 * @example
 * const poster = await choosePoster(4.2, { keyOf, exists, render });
 */
export async function choosePoster(
  durationSeconds: number | undefined,
  frames: CapturedFrames,
): Promise<{ key: string; rendered: RenderResult } | undefined> {
  let first: { key: string; rendered: RenderResult } | undefined;
  let renders = 0;
  for (const index of posterCandidates(durationSeconds)) {
    if (renders === MAX_POSTER_RENDERS) break;
    const key = frames.keyOf(index);
    if (!(await frames.exists(key))) continue;
    const rendered = await frames.render(key);
    renders += 1;
    if (showsSomething(rendered)) return { key, rendered };
    first ??= { key, rendered };
  }
  return first;
}
