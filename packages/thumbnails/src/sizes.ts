import { RENDITION_WIDTHS, type RenditionSize } from '@toq/contracts/constants';

// A rendition size, `thumbnail` (200 px wide), `small` (400), `medium` (800) or `large` (1200): the
// very type of @toq/contracts, not a copy. Its declaration is inlined into the published types
// (tsup.config.ts), so that they stand alone, as the code does.
export type { RenditionSize };

/** The pixel dimensions one rendition size gets for a given upright source. */
export interface RenditionTarget {
  readonly size: RenditionSize;
  readonly width: number;
  readonly height: number;
}

/**
 * Each size's width is its nominal width (spec §2: 200, 400, 800, 1200), capped at the source's
 * width so that nothing is ever enlarged; the height follows the upright aspect ratio, at least
 * 1 px (a 20000×200 panorama gives a 200×2 thumbnail). Sorted widest first.
 */
export function renditionTargets(
  sizes: readonly RenditionSize[],
  sourceWidth: number,
  sourceHeight: number,
): RenditionTarget[] {
  return sizes
    .map((size) => {
      const width = Math.min(RENDITION_WIDTHS[size], sourceWidth);
      const height = Math.max(1, Math.round((sourceHeight * width) / sourceWidth));
      return { size, width, height };
    })
    .sort((a, b) => b.width - a.width || RENDITION_WIDTHS[b.size] - RENDITION_WIDTHS[a.size]);
}
