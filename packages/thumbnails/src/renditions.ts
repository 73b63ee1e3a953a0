import pLimit from 'p-limit';
import { decodeMaster, probe, type SourceInfo } from './decode';
import { encodeRendition, primaryFormat, type Encoded, type RenditionFormat } from './encode';
import { ThumbnailError } from './errors';
import { loadInput, type RenditionInput } from './input';
import { checkMemoryBudget } from './memory';
import { resolveOptions, type RenditionOptions } from './options';
import { createPlaceholder, type Placeholder } from './placeholder';
import { renditionTargets, type RenditionSize } from './sizes';

/**
 * One rendered image: a size at its true dimensions, in one format, with its encoded bytes. (Not
 * `@toq/contracts`' `Rendition`, the record of a stored object: its key and byte count.)
 */
export interface RenditionImage extends Encoded {
  /** The size name (spec §2): `thumbnail`, `small`, `medium` or `large`. */
  readonly size: RenditionSize;
}

/** The result of {@link createRenditions}. */
export interface RenditionSet {
  /** The source photo, upright dimensions. */
  readonly source: SourceInfo;
  /**
   * The renditions, widest first: one per requested size in the primary format (JPEG, or PNG/WebP
   * for a transparent photo), then one per size in each extra format.
   */
  readonly renditions: readonly RenditionImage[];
  /** The ThumbHash placeholder; absent when `placeholder: false`. */
  readonly placeholder?: Placeholder;
}

/**
 * Renders a photo's renditions (spec §2): each size is its nominal width (200, 400, 800, 1200)
 * or the source's width if narrower (never enlarged), the height follows the upright aspect
 * ratio. EXIF orientation is applied, colours are converted to sRGB, and no metadata (EXIF, GPS,
 * XMP, IPTC, ICC, comments) is written. The photo is decoded once, shrinking on load, and every
 * size is derived from that one decode; the encodes run in parallel (`concurrency`).
 *
 * Reads JPEG, PNG, WebP, GIF (first frame), TIFF (first page), AVIF and HEIC. Writes JPEG, or
 * keeps transparency as PNG (WebP for a WebP source); `formats` adds WebP/AVIF renditions.
 *
 * @param input The photo: a Buffer (or Uint8Array), a file path, or a Readable of its bytes.
 * @param options See {@link RenditionOptions}; all optional.
 * @returns The source's description, the renditions and a ThumbHash placeholder.
 * @throws {ThumbnailError} `UNSUPPORTED_FORMAT` (not an image format this library reads),
 *   `CORRUPT_IMAGE` (empty, truncated, damaged), `IMAGE_TOO_LARGE` (over `limitInputPixels`,
 *   `maxInputBytes` or `memoryBudget`), `IMAGE_DIMENSIONS_UNSUPPORTED` (beyond
 *   `maxAspectRatio`), `INPUT_UNREADABLE` (missing file, failed stream), `SOURCE_STALLED` (a
 *   stream idle for `inputIdleTimeout`), `INVALID_ARGUMENT`.
 * @example
 * import { createRenditions } from '@toq/thumbnails';
 * const { source, renditions } = await createRenditions('photo.heic', { formats: ['webp'] });
 * for (const r of renditions) await writeFile(`out/${r.size}.${r.ext}`, r.data);
 */
export async function createRenditions(
  input: RenditionInput,
  options?: RenditionOptions,
): Promise<RenditionSet> {
  const settings = resolveOptions(options);
  const loaded = await loadInput(input, settings);
  const { source, metadata } = await probe(loaded, settings);
  const targets = renditionTargets(settings.sizes, source.width, source.height);
  const widest = targets[0] ?? { width: source.width, height: source.height };
  checkMemoryBudget(source, metadata, widest, settings.memoryBudget);
  const master = await decodeMaster(
    loaded,
    source,
    metadata,
    widest.width,
    widest.height,
    settings.limitInputPixels,
  );
  const primary = primaryFormat(source.format, master);
  const formats: RenditionFormat[] = [primary, ...settings.formats.filter((f) => f !== primary)];
  const jobs = formats.flatMap((format) =>
    targets.map((target) => async (): Promise<RenditionImage> => {
      try {
        const encoded = await encodeRendition(
          master,
          target.width,
          target.height,
          format,
          settings.quality,
        );
        return { size: target.size, ...encoded };
      } catch (error) {
        // e.g. "Processed image is too large for the WebP format" (WebP stops at 16383 px)
        const message = (error as Error).message;
        throw new ThumbnailError(
          /too large/i.test(message) ? 'IMAGE_TOO_LARGE' : 'CORRUPT_IMAGE',
          `Cannot encode the ${target.size} ${format} rendition (${target.width}x${target.height}): ${message}`,
          { cause: error },
        );
      }
    }),
  );
  // At most `concurrency` encodes (and the placeholder) in flight, started in this order.
  const limit = pLimit(settings.concurrency);
  const [placeholder, ...renditions] = await Promise.all([
    limit(async () => (settings.placeholder ? createPlaceholder(master) : undefined)),
    ...jobs.map((job) => limit(job)),
  ]);
  return {
    source,
    renditions,
    ...(placeholder ? { placeholder } : {}),
  };
}
