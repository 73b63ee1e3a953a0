import type { Readable } from 'node:stream';
import type { output, ZodType } from 'zod';

/** What the store knows of one object without reading it. */
export interface ObjectInfo {
  readonly key: string;
  /** Size in bytes. */
  readonly size: number;
  readonly contentType?: string;
  readonly cacheControl?: string;
  readonly etag?: string;
  /**
   * The archive storage class the object sits in, unrestored (`GLACIER`, `DEEP_ARCHIVE`, or an
   * Intelligent-Tiering archive tier): its bytes cannot be read until it is restored, and every
   * read rejects with {@link ObjectArchivedError}. Absent for a readable object.
   */
  readonly archivedIn?: string;
}

/** How an object is written. */
export interface PutOptions {
  readonly contentType: string;
  readonly cacheControl?: string;
}

/**
 * The media bucket, as the domain sees it. Implemented by the S3 adapter (AWS) and the filesystem
 * adapter (local runs); one contract test suite runs against both so they cannot drift.
 *
 * Failure semantics every adapter honours:
 * - a missing object: `head` resolves `undefined`; every read rejects with `ObjectNotFoundError`;
 * - an archived object (S3 Glacier, not restored): `head` says so (`archivedIn`); every read of
 *   its bytes rejects with `ObjectArchivedError`;
 * - trouble worth retrying (5xx, throttling, network): rejects with `TransientError`
 *   (`domain/errors.ts`), which Step Functions retries.
 */
export interface ObjectStore {
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Bytes `start` to `end` inclusive (as an HTTP Range); fewer when the object is shorter. */
  getRange(key: string, start: number, end: number): Promise<Buffer>;
  /** The whole object as a stream (large objects: raw photos, videos, renditions to zip). */
  getStream(key: string): Promise<Readable>;
  /** The whole object in memory (small objects only: JSON records). */
  getBuffer(key: string): Promise<Buffer>;
  /** Writes a small object in one request. */
  put(key: string, body: Buffer | string, options: PutOptions): Promise<void>;
  /**
   * Writes a small object only when there is none at `key` (S3: a conditional PutObject,
   * `If-None-Match: *`): of writers racing on one key, exactly one resolves `'created'`, the rest
   * `'exists'`, and the object that is there is never replaced. A reader sees the whole object
   * or none. Resolves `'exists'` without writing when an object is already at `key`.
   */
  putIfAbsent(key: string, body: Buffer | string, options: PutOptions): Promise<PutIfAbsentOutcome>;
  /**
   * Streams a body of unknown length to `key` (S3: multipart upload), holding a bounded number of
   * parts in memory. Resolves with the bytes written.
   */
  putStream(key: string, body: Readable, options: PutOptions): Promise<{ bytes: number }>;
  /**
   * Replaces the Content-Type and Cache-Control of an existing object, bytes untouched: for
   * objects another service wrote (MediaConvert's MP4). S3: a copy onto itself, so objects up to
   * `SET_HEADERS_MAX_BYTES`. Rejects with `ObjectNotFoundError` when there is no object at `key`.
   */
  setHeaders(key: string, options: PutOptions): Promise<void>;
  /** Every object under `prefix`, in key order, page by page. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /**
   * Gives the object `tags`, keeping its other tags; its bytes, headers and ETag are untouched
   * (S3: GetObjectTagging, then PutObjectTagging only when a tag is missing or differs). Rejects
   * with `ObjectNotFoundError` when there is no object at `key`.
   */
  addTags(key: string, tags: Readonly<Record<string, string>>): Promise<void>;
}

/** Whether {@link ObjectStore.putIfAbsent} wrote the object, or found one there already. */
export type PutIfAbsentOutcome = 'created' | 'exists';

/** The largest object {@link ObjectStore.setHeaders} takes: S3 copies at most 5 GiB in one request. */
export const SET_HEADERS_MAX_BYTES = 5 * 1024 ** 3;

/** A read found no object at `key`. */
export class ObjectNotFoundError extends Error {
  override readonly name = 'ObjectNotFoundError';
  constructor(
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`No object at key "${key}"`, options);
  }
}

/**
 * A read found the object archived (S3 answers `InvalidObjectState`): in Glacier Flexible
 * Retrieval, Deep Archive or an Intelligent-Tiering archive tier, not restored.
 */
export class ObjectArchivedError extends Error {
  override readonly name = 'ObjectArchivedError';
  constructor(
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(
      `The object at key "${key}" is archived and must be restored before it can be read`,
      options,
    );
  }
}

/** An object that should hold a JSON record is not JSON, or not the record expected. */
export class InvalidRecordError extends Error {
  override readonly name = 'InvalidRecordError';
  constructor(
    readonly key: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`Invalid record at "${key}": ${problem}`, options);
  }
}

/**
 * Reads the JSON record at `key` (a small object: the pipeline's own bookkeeping) and parses it
 * with `schema`.
 *
 * @throws {ObjectNotFoundError} when there is no object at `key`.
 * @throws {InvalidRecordError} naming the key and every problem when it is not JSON or not a
 *   `schema` record.
 * @example
 * const request = await readJsonRecord(store, requestStateKey(ctx), ProcessingRequest);
 */
export async function readJsonRecord<S extends ZodType>(
  store: ObjectStore,
  key: string,
  schema: S,
): Promise<output<S>> {
  let value: unknown;
  try {
    value = JSON.parse((await store.getBuffer(key)).toString('utf8'));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new InvalidRecordError(key, `not JSON (${error.message})`, { cause: error });
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
  );
  throw new InvalidRecordError(key, problems.join('; '), { cause: result.error });
}

/**
 * {@link readJsonRecord}, or `undefined` when there is no object at `key` (a record written only
 * once a step got that far: `delivery.json`, `result.json`).
 */
export async function readJsonRecordIfPresent<S extends ZodType>(
  store: ObjectStore,
  key: string,
  schema: S,
): Promise<output<S> | undefined> {
  if ((await store.head(key)) === undefined) return undefined;
  return readJsonRecord(store, key, schema);
}
