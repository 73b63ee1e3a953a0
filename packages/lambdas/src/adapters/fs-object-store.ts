import { createHash, randomUUID } from 'node:crypto';
import {
  link,
  mkdir,
  open,
  readFile,
  readdir,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { join, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import {
  ObjectNotFoundError,
  type ObjectInfo,
  type ObjectStore,
  type PutIfAbsentOutcome,
  type PutOptions,
} from '../ports/object-store.ts';

/** Where the adapter keeps each object's Content-Type and ETag (never listed as an object). */
const META_DIR = '.object-meta';
/** Where writes are staged before an atomic rename (never listed as an object). */
const TMP_DIR = '.object-tmp';

interface Sidecar {
  readonly contentType: string;
  readonly cacheControl?: string;
  readonly etag: string;
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

/** An S3 key must be a relative path of non-empty segments, none `.` or `..`. */
function checkKey(key: string): void {
  const segments = key.split('/');
  const bad =
    key.length === 0 ||
    key.length > 1024 ||
    key.includes('\\') ||
    key.includes('\0') ||
    segments.some((s) => s === '' || s === '.' || s === '..') ||
    segments[0] === META_DIR ||
    segments[0] === TMP_DIR;
  if (bad) {
    throw new RangeError(
      `Invalid object key: expected a relative path of non-empty segments (no ".", "..", "\\" or reserved "${META_DIR}/", "${TMP_DIR}/"), received ${JSON.stringify(key)}`,
    );
  }
}

/**
 * The media bucket as a local directory: the object `a/b/c.jpg` is the file `{root}/a/b/c.jpg`,
 * so a local run leaves a tree that looks like the bucket. The local twin of `S3ObjectStore`,
 * held to the same contract test suite. Writes are atomic (staged, then renamed, or linked
 * by {@link FsObjectStore.putIfAbsent}).
 *
 * @example
 * const store = new FsObjectStore(join(tmpdir(), 'toq-listing-medias'));
 */
export class FsObjectStore implements ObjectStore {
  constructor(private readonly root: string) {}

  #path(key: string): string {
    checkKey(key);
    return join(this.root, ...key.split('/'));
  }

  #metaPath(key: string): string {
    return join(this.root, META_DIR, ...key.split('/')) + '.json';
  }

  async #readSidecar(key: string): Promise<Sidecar | undefined> {
    try {
      return JSON.parse(await readFile(this.#metaPath(key), 'utf8')) as Sidecar;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const path = this.#path(key);
    try {
      const info = await stat(path);
      if (!info.isFile()) return undefined;
      const sidecar = await this.#readSidecar(key);
      return {
        key,
        size: info.size,
        ...(sidecar === undefined
          ? {}
          : {
              contentType: sidecar.contentType,
              ...(sidecar.cacheControl === undefined ? {} : { cacheControl: sidecar.cacheControl }),
              etag: sidecar.etag,
            }),
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async getRange(key: string, start: number, end: number): Promise<Buffer> {
    const path = this.#path(key);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw isNotFound(error) ? new ObjectNotFoundError(key, { cause: error }) : error;
    }
    try {
      const { size } = await handle.stat();
      const length = Math.max(0, Math.min(end, size - 1) - start + 1);
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, start);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  async getStream(key: string): Promise<Readable> {
    const path = this.#path(key);
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw isNotFound(error) ? new ObjectNotFoundError(key, { cause: error }) : error;
    }
    if (!info.isFile()) throw new ObjectNotFoundError(key);
    // A stream of the path (not of an open handle, which has none): a consumer that reads files
    // itself (sharp, in ThumbnailsRenderer) can take the file instead of its bytes.
    return createReadStream(path);
  }

  async getBuffer(key: string): Promise<Buffer> {
    try {
      return await readFile(this.#path(key));
    } catch (error) {
      throw isNotFound(error) ? new ObjectNotFoundError(key, { cause: error }) : error;
    }
  }

  async put(key: string, body: Buffer | string, options: PutOptions): Promise<void> {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const staged = await this.#stage();
    await writeFile(staged, bytes);
    await this.#commit(key, staged, options, createHash('md5').update(bytes).digest('hex'));
  }

  /**
   * Stages the bytes, then hard-links the staged file to the object's name: `link` fails with
   * `EEXIST` when the name is taken, atomically, so of two writers exactly one creates the
   * object, and the name never points at a half-written file. The sidecar follows the link:
   * written before it, a losing writer would replace the winner's headers.
   */
  async putIfAbsent(
    key: string,
    body: Buffer | string,
    options: PutOptions,
  ): Promise<PutIfAbsentOutcome> {
    const path = this.#path(key);
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const staged = await this.#stage();
    try {
      await writeFile(staged, bytes);
      await mkdir(join(path, '..'), { recursive: true });
      try {
        await link(staged, path);
      } catch (error) {
        if ((error as { code?: string }).code === 'EEXIST') return 'exists';
        throw error;
      }
    } finally {
      await rm(staged, { force: true });
    }
    await this.#writeSidecar(key, options, `"${createHash('md5').update(bytes).digest('hex')}"`);
    return 'created';
  }

  async putStream(key: string, body: Readable, options: PutOptions): Promise<{ bytes: number }> {
    this.#path(key);
    const staged = await this.#stage();
    const md5 = createHash('md5');
    let bytes = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        md5.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, counted, createWriteStream(staged));
    } catch (error) {
      await rm(staged, { force: true });
      throw error;
    }
    await this.#commit(key, staged, options, md5.digest('hex'));
    return { bytes };
  }

  async setHeaders(key: string, options: PutOptions): Promise<void> {
    const info = await this.head(key);
    if (info === undefined) throw new ObjectNotFoundError(key);
    // A file written beside the store (the local transcoder's output) has no sidecar yet.
    const etag = info.etag ?? `"${await md5Of(await this.getStream(key))}"`;
    await this.#writeSidecar(key, options, etag);
  }

  /**
   * Checks the object exists and keeps no tag: a directory has no lifecycle rule for a tag to
   * drive (S3's `media-class=raw` → Glacier), and an object's files stay exactly as written.
   */
  async addTags(key: string): Promise<void> {
    if ((await this.head(key)) === undefined) throw new ObjectNotFoundError(key);
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const keys: string[] = [];
    await this.#walk(folderOf(prefix), keys);
    const matching = keys.filter((key) => key.startsWith(prefix)).sort(compareKeys);
    // The objects' headers are read a page at a time, side by side, and given out in key order.
    for (let start = 0; start < matching.length; start += LIST_PAGE) {
      const page = matching.slice(start, start + LIST_PAGE);
      for (const info of await Promise.all(page.map((key) => this.head(key)))) {
        if (info) yield info;
      }
    }
  }

  async #walk(relative: string, into: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(relative ? join(this.root, relative) : this.root, {
        withFileTypes: true,
      });
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    for (const entry of entries) {
      if (!relative && (entry.name === META_DIR || entry.name === TMP_DIR)) continue;
      const key = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await this.#walk(key, into);
      else if (entry.isFile()) into.push(key.split(sep).join('/'));
    }
  }

  async #stage(): Promise<string> {
    const dir = join(this.root, TMP_DIR);
    await mkdir(dir, { recursive: true });
    return join(dir, randomUUID());
  }

  async #commit(key: string, staged: string, options: PutOptions, md5: string): Promise<void> {
    const path = this.#path(key);
    await this.#writeSidecar(key, options, `"${md5}"`);
    await mkdir(join(path, '..'), { recursive: true });
    await rename(staged, path);
  }

  async #writeSidecar(key: string, options: PutOptions, etag: string): Promise<void> {
    const sidecar: Sidecar = {
      contentType: options.contentType,
      ...(options.cacheControl === undefined ? {} : { cacheControl: options.cacheControl }),
      etag,
    };
    const metaPath = this.#metaPath(key);
    await mkdir(join(metaPath, '..'), { recursive: true });
    await writeFile(metaPath, JSON.stringify(sidecar));
  }
}

async function md5Of(stream: Readable): Promise<string> {
  const md5 = createHash('md5');
  for await (const chunk of stream) md5.update(chunk as Buffer);
  return md5.digest('hex');
}

/** How many objects' headers `list` reads at once. */
const LIST_PAGE = 32;

/**
 * The folder every key starting with `prefix` lies in (`a/b/` and `a/b/c` → `a/b`), where `list`
 * starts walking; the root for a prefix with no folder, or one that is not a plain relative path.
 */
function folderOf(prefix: string): string {
  const folder = prefix.slice(0, Math.max(0, prefix.lastIndexOf('/')));
  const segments = folder.split('/');
  const plain = segments.every((s) => s !== '' && s !== '.' && s !== '..' && !/[\\\0]/.test(s));
  return plain && segments[0] !== META_DIR && segments[0] !== TMP_DIR ? folder : '';
}

/** S3 lists keys in UTF-8 byte order. */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
