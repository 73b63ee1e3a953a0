import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { ThumbnailError } from './errors';

/**
 * Decodes the primary image of an HEVC-coded HEIF (an iPhone's `.heic`) to 8-bit RGBA with
 * libheif compiled to WebAssembly (`heic-decode` on `libheif-js`): sharp's prebuilt libvips reads
 * HEIF containers but has no HEVC decoder, and a pure WASM decoder runs anywhere (Lambda)
 * without a native binary. libheif applies the container's rotation and mirror (`irot`, `imir`),
 * so the pixels come out upright, and the photo's ICC profile (Display P3 on iPhones), which
 * libheif leaves unapplied, is carried into a TIFF wrapper so that sharp converts it to sRGB.
 *
 * WebAssembly runs on the thread that calls it (about 0.1 s per megapixel), so the decode runs on
 * a worker thread: a server using the library keeps answering while an 8000×8000 HEIC decodes.
 */
export async function decodeHeicToTiff(bytes: Buffer, icc: Buffer | undefined): Promise<Buffer> {
  const entries = tiffEntries(icc);
  const thread = idleThreads.pop() ?? new DecoderThread();
  const { width, height, tiff } = await thread.decode(bytes, tiffHeaderLength(entries));
  const file = Buffer.from(tiff);
  writeTiffHeader(file, entries, width, height);
  return file;
}

/**
 * Thrown when the HEIC decoder cannot even be loaded: a deployment problem (a bundle that inlined
 * heic-decode or left it out of `node_modules`), not a bad photo, so it is deliberately not a
 * `ThumbnailError` and fails loudly instead of being reported as one photo's `CORRUPT_IMAGE`.
 */
export class HeicDecoderUnavailableError extends Error {
  override readonly name = 'HeicDecoderUnavailableError';
}

/**
 * The worker's program, CommonJS run with `eval` (so that a bundle of this library needs no file
 * of its own beside it): it loads heic-decode by the path the calling thread resolved, says so,
 * then decodes one HEIC per message. The RGBA pixels come back after `headerLength` free bytes,
 * where the calling thread writes the TIFF header in place: copying 48 MB of a 12 MP photo into a
 * new buffer there would stall it for about 0.2 s. libheif-js
 * reports why a decode failed with `console.log` ("Decoding image failed" and libheif's message),
 * which would land on the process's stdout: the worker keeps it for the error instead.
 */
const WORKER_PROGRAM = `
const { parentPort, workerData } = require('node:worker_threads');
let said = [];
console.log = console.info = console.warn = console.error = (...args) => {
  for (const arg of args) {
    const text = typeof arg === 'string' ? arg : typeof arg?.message === 'string' ? arg.message : '';
    if (text.trim() !== '') said.push(text.trim());
  }
};
const decode = require(workerData.decoderPath);
parentPort.on('message', async ({ bytes, headerLength }) => {
  said = [];
  try {
    const { width, height, data } = await decode({ buffer: bytes });
    const tiff = new Uint8Array(headerLength + data.byteLength);
    tiff.set(data, headerLength);
    parentPort.postMessage({ width, height, tiff: tiff.buffer }, [tiff.buffer]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    parentPort.postMessage({ error: [message, ...said].join(': ') });
  }
});
parentPort.postMessage('ready');
`;

/**
 * The worker's JavaScript heap: libheif's memory is WebAssembly's, outside it (bounded by the
 * memory budget checked before decoding), so the heap only holds the loader and the messages.
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 };

/**
 * How long a worker waits for the next HEIC before it ends, taking its WebAssembly memory (which
 * only grows, to the largest photo it decoded) with it; starting one costs about 0.2 s.
 */
const IDLE_MILLISECONDS = 5_000;

/** Workers that finished a decode and wait for the next, newest last. */
const idleThreads: DecoderThread[] = [];

interface DecodedTiff {
  readonly width: number;
  readonly height: number;
  /** The RGBA pixels, after room for the TIFF header. */
  readonly tiff: ArrayBuffer;
}

type WorkerReply = 'ready' | DecodedTiff | { readonly error: string };

function decoderPath(): string {
  try {
    return createRequire(import.meta.url).resolve('heic-decode');
  } catch (error) {
    throw new HeicDecoderUnavailableError(
      `Cannot load the HEIC decoder: heic-decode is not installed where @toq/thumbnails runs (${(error as Error).message}). ` +
        'A bundle must keep heic-decode external and ship it in node_modules (see the README, "Bundling").',
      { cause: error },
    );
  }
}

/** One worker thread running {@link WORKER_PROGRAM}, one decode at a time. */
class DecoderThread {
  readonly #worker: Worker;
  readonly #ready: Promise<void>;
  #idleTimer: NodeJS.Timeout | undefined;

  constructor() {
    this.#worker = new Worker(WORKER_PROGRAM, {
      eval: true,
      workerData: { decoderPath: decoderPath() },
      resourceLimits: WORKER_LIMITS,
    });
    this.#ready = new Promise((resolve, reject) => {
      this.#worker.once('message', () => {
        resolve();
      });
      this.#worker.once('error', (error) => {
        reject(
          new HeicDecoderUnavailableError(
            `Cannot load the HEIC decoder (heic-decode/libheif-js): ${error.message}`,
            { cause: error },
          ),
        );
      });
    });
  }

  async decode(bytes: Buffer, headerLength: number): Promise<DecodedTiff> {
    clearTimeout(this.#idleTimer);
    this.#worker.ref();
    await this.#ready;
    // A copy the worker owns: `bytes` may be a view of a larger pooled buffer.
    const owned = new Uint8Array(bytes);
    const reply = await new Promise<WorkerReply>((resolve, reject) => {
      const onError = (error: Error) => {
        this.#worker.off('message', resolve);
        reject(error);
      };
      this.#worker.once('message', (message: WorkerReply) => {
        this.#worker.off('error', onError);
        resolve(message);
      });
      this.#worker.once('error', onError);
      this.#worker.postMessage({ bytes: owned, headerLength }, [owned.buffer]);
    }).catch((error: unknown) => {
      void this.#worker.terminate();
      throw workerFailure(error);
    });
    this.#release();
    if (reply === 'ready' || 'error' in reply) {
      throw new Error(reply === 'ready' ? 'the decoder answered out of turn' : reply.error);
    }
    return reply;
  }

  /** Back to the idle list, no longer keeping the process alive, ended after a while. */
  #release(): void {
    this.#worker.unref();
    idleThreads.push(this);
    this.#idleTimer = setTimeout(() => {
      idleThreads.splice(idleThreads.indexOf(this), 1);
      void this.#worker.terminate();
    }, IDLE_MILLISECONDS).unref();
  }
}

/** A worker that died while decoding: out of its memory limits, or killed. */
function workerFailure(error: unknown): Error {
  if ((error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new ThumbnailError(
      'IMAGE_TOO_LARGE',
      `Image too large: the HEIC decoder ran out of memory (${(error as Error).message})`,
      { cause: error },
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

const SHORT = 3;
const LONG = 4;
const UNDEFINED = 7;
const STRIP_OFFSETS = 273;

type TiffEntry = [tag: number, type: number, count: number, value: number | Buffer];

/**
 * The header of a baseline little-endian TIFF of one uncompressed RGBA strip, with the ICC profile
 * (tag 34675) when there is one: the smallest container sharp reads from memory that carries a
 * profile. Width and height (0 here) are written by {@link writeTiffHeader}.
 */
function tiffEntries(icc: Buffer | undefined): TiffEntry[] {
  const entries: TiffEntry[] = [
    [256, LONG, 1, 0], // width
    [257, LONG, 1, 0], // height
    [258, SHORT, 4, Buffer.from([8, 0, 8, 0, 8, 0, 8, 0])],
    [259, SHORT, 1, 1], // no compression
    [262, SHORT, 1, 2], // RGB
    [STRIP_OFFSETS, LONG, 1, 0], // the header's length
    [277, SHORT, 1, 4],
    [278, LONG, 1, 0], // rows per strip: the height
    [279, LONG, 1, 0], // strip byte count
    [284, SHORT, 1, 1], // chunky
    [338, SHORT, 1, 2], // unassociated alpha
  ];
  if (icc && icc.length > 0) entries.push([34675, UNDEFINED, icc.length, icc]);
  return entries;
}

function ifdLength(entries: readonly TiffEntry[]): number {
  return 2 + entries.length * 12 + 4;
}

/** The header's bytes: the 8-byte file header, the one IFD and the values that do not fit in it. */
function tiffHeaderLength(entries: readonly TiffEntry[]): number {
  const extras = entries.filter((e) => Buffer.isBuffer(e[3]));
  return 8 + ifdLength(entries) + extras.reduce((sum, e) => sum + (e[3] as Buffer).length + 1, 0);
}

/** Writes the header of `entries` for `width`×`height` RGBA pixels at the start of `file`. */
function writeTiffHeader(
  file: Buffer,
  entries: readonly TiffEntry[],
  width: number,
  height: number,
): void {
  const headerLength = tiffHeaderLength(entries);
  const sized: Readonly<Record<number, number>> = {
    256: width,
    257: height,
    [STRIP_OFFSETS]: headerLength,
    278: height,
    279: width * height * 4,
  };
  file.fill(0, 0, headerLength);
  file.write('II', 0, 'latin1');
  file.writeUInt16LE(42, 2);
  file.writeUInt32LE(8, 4);
  file.writeUInt16LE(entries.length, 8);
  let extraOffset = 8 + ifdLength(entries);
  entries.forEach(([tag, type, count, value], index) => {
    const at = 10 + index * 12;
    file.writeUInt16LE(tag, at);
    file.writeUInt16LE(type, at + 2);
    file.writeUInt32LE(count, at + 4);
    if (Buffer.isBuffer(value)) {
      value.copy(file, extraOffset);
      file.writeUInt32LE(extraOffset, at + 8);
      extraOffset += value.length + (value.length % 2); // word-aligned
    } else if (type === SHORT) {
      file.writeUInt16LE(sized[tag] ?? value, at + 8);
    } else {
      file.writeUInt32LE(sized[tag] ?? value, at + 8);
    }
  });
}
