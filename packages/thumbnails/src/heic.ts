/**
 * Decodes the primary image of an HEVC-coded HEIF (an iPhone's `.heic`) to 8-bit RGBA with
 * libheif compiled to WebAssembly (`heic-decode` on `libheif-js`): sharp's prebuilt libvips reads
 * HEIF containers but has no HEVC decoder, and a pure WASM decoder bundles anywhere (Lambda)
 * without a native binary. libheif applies the container's rotation and mirror (`irot`, `imir`),
 * so the pixels come out upright, and the photo's ICC profile (Display P3 on iPhones), which
 * libheif leaves unapplied, is carried into a TIFF wrapper so that sharp converts it to sRGB.
 *
 * The decoder runs on the calling thread (about 0.1 s per megapixel on one core) and is loaded
 * on the first HEIC only: its WebAssembly costs 22 MB of memory that JPEG-only users never pay.
 */
export async function decodeHeicToTiff(bytes: Buffer, icc: Buffer | undefined): Promise<Buffer> {
  const decodeHeic = await loadDecoder();
  const { width, height, data } = await decodeHeic({ buffer: bytes });
  return rgbaTiff(width, height, Buffer.from(data.buffer, data.byteOffset, data.byteLength), icc);
}

/**
 * Thrown when the HEIC decoder cannot even be loaded: a deployment problem (a bundle that broke
 * libheif-js's loader, a missing package), not a bad photo, so it is deliberately not a
 * `ThumbnailError` and fails loudly instead of being reported as one photo's `CORRUPT_IMAGE`.
 */
export class HeicDecoderUnavailableError extends Error {
  override readonly name = 'HeicDecoderUnavailableError';
}

async function loadDecoder() {
  try {
    return (await import('heic-decode')).default;
  } catch (error) {
    throw new HeicDecoderUnavailableError(
      `Cannot load the HEIC decoder (heic-decode/libheif-js): ${(error as Error).message}. ` +
        'In an ESM bundle, define __dirname and require (see the README, "Bundling").',
      { cause: error },
    );
  }
}

const SHORT = 3;
const LONG = 4;
const UNDEFINED = 7;

/**
 * A baseline little-endian TIFF of one uncompressed RGBA strip, with the ICC profile (tag 34675)
 * when there is one: the smallest container sharp reads from memory that carries a profile.
 */
export function rgbaTiff(width: number, height: number, rgba: Buffer, icc?: Buffer): Buffer {
  const entries: [tag: number, type: number, count: number, value: number | Buffer][] = [
    [256, LONG, 1, width],
    [257, LONG, 1, height],
    [258, SHORT, 4, Buffer.from([8, 0, 8, 0, 8, 0, 8, 0])],
    [259, SHORT, 1, 1], // no compression
    [262, SHORT, 1, 2], // RGB
    [273, LONG, 1, 0], // strip offset, patched below
    [277, SHORT, 1, 4],
    [278, LONG, 1, height],
    [279, LONG, 1, rgba.length],
    [284, SHORT, 1, 1], // chunky
    [338, SHORT, 1, 2], // unassociated alpha
  ];
  if (icc && icc.length > 0) entries.push([34675, UNDEFINED, icc.length, icc]);
  const ifdSize = 2 + entries.length * 12 + 4;
  const extras = entries.filter((e) => Buffer.isBuffer(e[3]));
  const extrasSize = extras.reduce((sum, e) => sum + (e[3] as Buffer).length + 1, 0);
  const header = Buffer.alloc(8 + ifdSize + extrasSize);
  header.write('II', 0, 'latin1');
  header.writeUInt16LE(42, 2);
  header.writeUInt32LE(8, 4);
  header.writeUInt16LE(entries.length, 8);
  let extraOffset = 8 + ifdSize;
  entries.forEach(([tag, type, count, value], index) => {
    const at = 10 + index * 12;
    header.writeUInt16LE(tag, at);
    header.writeUInt16LE(type, at + 2);
    header.writeUInt32LE(count, at + 4);
    if (Buffer.isBuffer(value)) {
      value.copy(header, extraOffset);
      header.writeUInt32LE(extraOffset, at + 8);
      extraOffset += value.length + (value.length % 2); // word-aligned
    } else if (tag === 273) {
      header.writeUInt32LE(header.length, at + 8);
    } else if (type === SHORT) {
      header.writeUInt16LE(value, at + 8);
    } else {
      header.writeUInt32LE(value, at + 8);
    }
  });
  return Buffer.concat([header, rgba]);
}
