import type { MediaExtension, MediaType } from '@toq/contracts';

/** How many leading bytes {@link sniffMedia} reads: enough for every signature it knows. */
export const SNIFF_BYTES = 512;

/** A format recognised from an object's first bytes, and the raw extensions it may carry. */
export interface DetectedFormat {
  readonly format: string;
  readonly mediaType: MediaType;
  readonly extensions: readonly MediaExtension[];
}

const JPEG: DetectedFormat = { format: 'jpeg', mediaType: 'photo', extensions: ['jpg', 'jpeg'] };
const PNG: DetectedFormat = { format: 'png', mediaType: 'photo', extensions: ['png'] };
const WEBP: DetectedFormat = { format: 'webp', mediaType: 'photo', extensions: ['webp'] };
const TIFF: DetectedFormat = { format: 'tiff', mediaType: 'photo', extensions: ['tif', 'tiff'] };
const HEIF: DetectedFormat = { format: 'heif', mediaType: 'photo', extensions: ['heic', 'heif'] };
const AVIF: DetectedFormat = { format: 'avif', mediaType: 'photo', extensions: ['avif'] };
const MP4: DetectedFormat = { format: 'mp4', mediaType: 'video', extensions: ['mp4', 'm4v'] };
const M4V: DetectedFormat = { format: 'm4v', mediaType: 'video', extensions: ['m4v', 'mp4'] };
const QUICKTIME: DetectedFormat = { format: 'quicktime', mediaType: 'video', extensions: ['mov'] };
const WEBM: DetectedFormat = { format: 'webm', mediaType: 'video', extensions: ['webm'] };

/** ISO base media file format brands (the `ftyp` box), by the format they mean. */
const BRANDS: Record<string, DetectedFormat> = {
  avif: AVIF,
  avis: AVIF,
  heic: HEIF,
  heix: HEIF,
  heim: HEIF,
  heis: HEIF,
  hevc: HEIF,
  hevx: HEIF,
  mif1: HEIF,
  msf1: HEIF,
  'qt  ': QUICKTIME,
  'M4V ': M4V,
  M4VH: M4V,
  M4VP: M4V,
  isom: MP4,
  iso2: MP4,
  iso3: MP4,
  iso4: MP4,
  iso5: MP4,
  iso6: MP4,
  mp41: MP4,
  mp42: MP4,
  mp71: MP4,
  avc1: MP4,
  dash: MP4,
  MSNV: MP4,
  XAVC: MP4,
  mmp4: MP4,
};

/** QuickTime files older than `ftyp` start with one of these atoms. */
const QUICKTIME_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

function startsWith(bytes: Uint8Array, signature: readonly number[], at = 0): boolean {
  return signature.every((byte, i) => bytes[at + i] === byte);
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

/** The brands of an `ftyp` box (major first), or undefined when there is none. */
function ftypBrands(bytes: Uint8Array): string[] | undefined {
  if (bytes.length < 12 || ascii(bytes, 4, 8) !== 'ftyp') return undefined;
  const boxSize = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  const end = Math.min(boxSize, bytes.length);
  const brands = [ascii(bytes, 8, 12)];
  for (let at = 16; at + 4 <= end; at += 4) brands.push(ascii(bytes, at, at + 4));
  return brands;
}

/**
 * The media format of an object from its first bytes ({@link SNIFF_BYTES} are enough), or
 * undefined when they match no format the pipeline supports (Matroska other than WebM, 3GP, GIF,
 * anything else). Only the formats of `MEDIA_EXTENSIONS` are recognised.
 *
 * @example
 * sniffMedia(await store.getRange(key, 0, SNIFF_BYTES - 1)); // { format: 'jpeg', mediaType: 'photo', … }
 */
export function sniffMedia(bytes: Uint8Array): DetectedFormat | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return JPEG;
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return PNG;
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') {
    return WEBP;
  }
  if (
    startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]) ||
    startsWith(bytes, [0x49, 0x49, 0x2b, 0x00]) ||
    startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2b])
  ) {
    return TIFF;
  }
  const brands = ftypBrands(bytes);
  if (brands) {
    for (const brand of brands) {
      const format = BRANDS[brand];
      if (format) return format;
    }
    return undefined;
  }
  if (bytes.length >= 8 && QUICKTIME_ATOMS.has(ascii(bytes, 4, 8))) return QUICKTIME;
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) {
    // EBML: WebM declares its DocType ("webm") in the header; other Matroska is not supported.
    return ascii(bytes, 0, Math.min(bytes.length, 64)).includes('webm') ? WEBM : undefined;
  }
  return undefined;
}
