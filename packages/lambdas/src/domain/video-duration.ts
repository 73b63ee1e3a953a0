import { ObjectNotFoundError, type ObjectStore } from '../ports/object-store.ts';

/**
 * A video's declared duration, read from its container header without decoding anything: the
 * `mvhd` box of an MP4 / QuickTime (`.mp4`, `.m4v`, `.mov`) file, found by walking the top-level
 * boxes with range reads (one small read per box, wherever `moov` sits). Other containers (WebM)
 * declare nothing this reads, and are not checked.
 */

/** Top-level boxes visited before giving up (`ftyp`, `wide`, `free`, `mdat`, `moov`… in practice). */
const MAX_TOP_LEVEL_BOXES = 64;
/** Bytes of `moov` read to find `mvhd`, its first child in every file we met. */
const MOOV_HEAD_BYTES = 4096;

interface BoxHeader {
  readonly type: string;
  /** The box's size in bytes, header included; `undefined` when it runs to the end of the file. */
  readonly size: number | undefined;
  readonly headerSize: number;
}

function boxHeaderAt(bytes: Buffer, offset: number): BoxHeader | undefined {
  if (offset + 8 > bytes.length) return undefined;
  const size32 = bytes.readUInt32BE(offset);
  const type = bytes.toString('latin1', offset + 4, offset + 8);
  if (size32 === 1) {
    if (offset + 16 > bytes.length) return undefined;
    return { type, size: Number(bytes.readBigUInt64BE(offset + 8)), headerSize: 16 };
  }
  return { type, size: size32 === 0 ? undefined : size32, headerSize: 8 };
}

/**
 * The duration in seconds an `mvhd` box declares (its body: version, flags, times, timescale,
 * duration), or `undefined` when it declares none (a zero timescale, an all-ones duration).
 */
export function mvhdDurationSeconds(body: Buffer): number | undefined {
  const version = body[0];
  const [timescaleAt, durationAt, durationBytes] = version === 1 ? [20, 24, 8] : [12, 16, 4];
  if (version === undefined || body.length < durationAt + durationBytes) return undefined;
  const timescale = body.readUInt32BE(timescaleAt);
  const duration =
    durationBytes === 8 ? body.readBigUInt64BE(durationAt) : BigInt(body.readUInt32BE(durationAt));
  const unknown = durationBytes === 8 ? 0xffff_ffff_ffff_ffffn : 0xffff_ffffn;
  if (timescale === 0 || duration === unknown) return undefined;
  return Number(duration) / timescale;
}

/**
 * The duration the container at `key` declares, in seconds, or `undefined` when it is no MP4 /
 * QuickTime file, declares none, or is gone (nothing left to compare with).
 *
 * @throws {TransientError} on storage trouble.
 * @example
 * await declaredDurationSeconds(store, 'listing/raw/video/id.mov'); // 4.0
 */
export async function declaredDurationSeconds(
  store: ObjectStore,
  key: string,
): Promise<number | undefined> {
  try {
    return await walkToMvhd(store, key);
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return undefined;
    throw error;
  }
}

async function walkToMvhd(store: ObjectStore, key: string): Promise<number | undefined> {
  let offset = 0;
  for (let visited = 0; visited < MAX_TOP_LEVEL_BOXES; visited += 1) {
    const header = boxHeaderAt(await store.getRange(key, offset, offset + 15), 0);
    if (header === undefined) return undefined;
    if (header.type === 'moov') {
      const moov = await store.getRange(
        key,
        offset + header.headerSize,
        offset + header.headerSize + MOOV_HEAD_BYTES - 1,
      );
      return mvhdIn(moov);
    }
    if (header.size === undefined || header.size < header.headerSize) return undefined;
    offset += header.size;
  }
  return undefined;
}

/** `mvhd`'s duration among the first children of `moov` (its body's start, in `bytes`). */
function mvhdIn(bytes: Buffer): number | undefined {
  let offset = 0;
  for (let child = boxHeaderAt(bytes, 0); child; child = boxHeaderAt(bytes, offset)) {
    if (child.type === 'mvhd') {
      return mvhdDurationSeconds(bytes.subarray(offset + child.headerSize));
    }
    if (child.size === undefined || child.size < child.headerSize) return undefined;
    offset += child.size;
  }
  return undefined;
}

/**
 * How much shorter than its source an MP4 may be before the upload counts as truncated: a
 * second, or 5 % of a long video (encoders round the last frame and drop a trailing audio
 * priming; a cut upload loses far more).
 */
export const TRUNCATION_TOLERANCE = { seconds: 1, ratio: 0.05 } as const;

/**
 * Why a transcode looks cut short, or `undefined` when the MP4 is as long as the source
 * declares (within {@link TRUNCATION_TOLERANCE}).
 *
 * @example
 * truncationOf(4, 2.02);
 * // 'The MP4 lasts 2.02 s but the upload declares 4.00 s: the upload is truncated (re-upload the whole file)'
 */
export function truncationOf(
  declaredSeconds: number,
  transcodedSeconds: number,
): string | undefined {
  const slack = Math.max(
    TRUNCATION_TOLERANCE.seconds,
    TRUNCATION_TOLERANCE.ratio * declaredSeconds,
  );
  if (transcodedSeconds >= declaredSeconds - slack) return undefined;
  return `The MP4 lasts ${transcodedSeconds.toFixed(2)} s but the upload declares ${declaredSeconds.toFixed(2)} s: the upload is truncated (re-upload the whole file)`;
}
