import { Readable } from 'node:stream';
import {
  ObjectNotFoundError,
  type ObjectInfo,
  type ObjectStore,
  type PutIfAbsentOutcome,
  type PutOptions,
} from '../../src/ports/object-store.ts';

/** One object the in-memory store holds. */
export interface StoredObject {
  readonly body: Buffer;
  readonly contentType: string;
  readonly cacheControl?: string;
}

/**
 * The {@link ObjectStore} port in memory, for the domain's unit tests: every object is a buffer in
 * `objects`, so a test asserts on exactly what the domain wrote (keys, bytes, headers). Missing
 * objects behave as the port says (`head` → undefined, reads → `ObjectNotFoundError`).
 */
export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, StoredObject>();
  /** Each object's tags, as {@link addTags} left them. */
  readonly tags = new Map<string, Record<string, string>>();

  /** Writes an object as a test's "given". */
  seed(key: string, body: Buffer | string, contentType = 'application/octet-stream'): void {
    this.objects.set(key, { body: Buffer.from(body), contentType });
  }

  /** The object at `key` parsed as JSON (a record the domain wrote). */
  json(key: string): unknown {
    return JSON.parse(this.#get(key).body.toString('utf8'));
  }

  #get(key: string): StoredObject {
    const object = this.objects.get(key);
    if (object === undefined) throw new ObjectNotFoundError(key);
    return object;
  }

  #info(key: string, object: StoredObject): ObjectInfo {
    return {
      key,
      size: object.body.length,
      contentType: object.contentType,
      ...(object.cacheControl === undefined ? {} : { cacheControl: object.cacheControl }),
    };
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const object = this.objects.get(key);
    return object === undefined ? undefined : this.#info(key, object);
  }

  async getRange(key: string, start: number, end: number): Promise<Buffer> {
    return this.#get(key).body.subarray(start, end + 1);
  }

  async getStream(key: string): Promise<Readable> {
    return Readable.from([this.#get(key).body]);
  }

  async getBuffer(key: string): Promise<Buffer> {
    return this.#get(key).body;
  }

  async put(key: string, body: Buffer | string, options: PutOptions): Promise<void> {
    this.objects.set(key, { body: Buffer.from(body), ...options });
  }

  async putIfAbsent(
    key: string,
    body: Buffer | string,
    options: PutOptions,
  ): Promise<PutIfAbsentOutcome> {
    if (this.objects.has(key)) return 'exists';
    this.objects.set(key, { body: Buffer.from(body), ...options });
    return 'created';
  }

  async putStream(key: string, body: Readable, options: PutOptions): Promise<{ bytes: number }> {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
    const data = Buffer.concat(chunks);
    this.objects.set(key, { body: data, ...options });
    return { bytes: data.length };
  }

  async setHeaders(key: string, options: PutOptions): Promise<void> {
    this.objects.set(key, { ...this.#get(key), ...options });
  }

  async addTags(key: string, tags: Readonly<Record<string, string>>): Promise<void> {
    this.#get(key);
    this.tags.set(key, { ...this.tags.get(key), ...tags });
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const keys = [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
    for (const key of keys) yield this.#info(key, this.#get(key));
  }
}
