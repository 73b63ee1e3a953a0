import type { Metadata } from 'sharp';
import type { SourceFormat, SourceInfo } from './decode';
import { ThumbnailError } from './errors';

/** Bytes per sample of each libvips band format sharp reports as `metadata.depth`. */
const SAMPLE_BYTES: Readonly<Record<string, number>> = {
  uchar: 1,
  char: 1,
  ushort: 2,
  short: 2,
  uint: 4,
  int: 4,
  float: 4,
  double: 8,
  complex: 8,
  dpcomplex: 16,
};

function sampleBytes(metadata: Metadata): number {
  return SAMPLE_BYTES[metadata.depth ?? 'uchar'] ?? 1;
}

/** The bytes of one pixel as stored: every channel, at its sample size. */
function rowSample(metadata: Metadata): number {
  return (metadata.channels ?? 4) * sampleBytes(metadata);
}

/**
 * What decoding the whole first frame holds in memory, in bytes per source pixel, measured (peak
 * RSS over an idle process, `MALLOC_ARENA_MAX=2`, 8000×5000 noise images) and rounded up:
 *
 * - a baseline JPEG, a non-interlaced PNG: streamed row by row (and a JPEG shrinks on load), yet
 *   libvips' row and resize buffers grow with the source: measured 0.6 (JPEG) to 1.1 (16-bit PNG)
 *   beyond the fixed overhead, counted as one sample (1 or 2);
 * - a progressive JPEG: libjpeg keeps every DCT coefficient of the full image, 2 bytes per sample
 *   (measured 3.9 bytes per pixel for 4:2:0 RGB; counted as 2 per channel, as for 4:4:4);
 * - an interlaced PNG (Adam7): the whole image, one sample per channel (measured 4.0 for RGB);
 * - a TIFF: counted as a whole frame, since a single strip may hold it (measured far less);
 * - a WebP: measured 0.7, counted as 1;
 * - a GIF: the first frame only (other frames cost nothing: measured alike with 1 and 4), as
 *   RGBA twice over, measured 6.5 to 9.3, counted as 10;
 * - an AVIF: libaom's frame buffers, measured 18.7, counted as 20;
 * - a HEIC: decoded whole in WebAssembly (the YUV planes and the RGBA output in its heap), then
 *   copied out and wrapped in a TIFF: about 13.5 by construction, counted as 16.
 */
function perPixel(format: SourceFormat, metadata: Metadata): number {
  const channels = metadata.channels ?? 4;
  const sample = sampleBytes(metadata);
  switch (format) {
    case 'jpeg':
      return metadata.isProgressive ? channels * 2 : sample;
    case 'png':
      return metadata.isProgressive ? channels * sample : sample;
    case 'tiff':
      return channels * sample;
    case 'webp':
      return 1;
    case 'gif':
      return 10;
    case 'avif':
      return 20;
    case 'heic':
      return 16;
  }
}

/** libvips' and the encoders' working memory whatever the photo (measured 40–45 MB), rounded up. */
const FIXED_OVERHEAD = 64 * 1024 * 1024;

/**
 * libvips' row buffers (the decoder's, the sequential cache's, the resize's) grow with the stored
 * width: measured 6.5 KB per column of an 8-bit RGBA PNG (133 MB over the process for 20000×1000,
 * 479 MB for 73000×3660), i.e. about 1650 rows of samples, counted as 2048.
 */
const BUFFERED_ROWS = 2048;

/**
 * The memory, in bytes, that rendering this source is estimated to need beyond the process's own:
 * a fixed overhead, the decoder's share (see {@link perPixel}), libvips' row buffers (see
 * {@link BUFFERED_ROWS}), and the 8-bit master at the widest rendition's size with the encodes'
 * copies of it (three masters' worth: a tall master is the bulk of a rotated strip's cost).
 */
export function estimateMemory(
  source: SourceInfo,
  metadata: Metadata,
  master: { readonly width: number; readonly height: number },
): number {
  const decoder = perPixel(source.format, metadata) * metadata.width * metadata.height;
  const rows = BUFFERED_ROWS * metadata.width * rowSample(metadata);
  return FIXED_OVERHEAD + decoder + rows + 3 * 4 * master.width * master.height;
}

function describeSource(source: SourceInfo, metadata: Metadata): string {
  const kind =
    source.format === 'jpeg' && metadata.isProgressive
      ? 'a progressive JPEG'
      : source.format === 'png' && metadata.isProgressive
        ? 'an interlaced PNG'
        : `a ${source.format.toUpperCase()}`;
  return `${kind} of ${metadata.width}x${metadata.height} (${metadata.channels} channels, ${metadata.depth})`;
}

/**
 * Refuses, before decoding, a source whose rendering is estimated to need more than `budget`
 * bytes: a limit on what the photo costs, where `limitInputPixels` only counts its pixels.
 *
 * @throws {ThumbnailError} `IMAGE_TOO_LARGE` giving the estimate and what it comes from.
 */
export function checkMemoryBudget(
  source: SourceInfo,
  metadata: Metadata,
  master: { readonly width: number; readonly height: number },
  budget: number,
): void {
  const estimate = estimateMemory(source, metadata, master);
  if (estimate > budget) {
    throw new ThumbnailError(
      'IMAGE_TOO_LARGE',
      `Image too large: expected an estimated memory need of at most ${budget} bytes (memoryBudget), received ${describeSource(source, metadata)} estimated at ${estimate} bytes`,
    );
  }
}
