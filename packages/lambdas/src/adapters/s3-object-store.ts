import { Transform, type Readable } from 'node:stream';
import {
  CopyObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  paginateListObjectsV2,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { TransientError } from '../domain/errors.ts';
import { isTransientAwsError, type SdkErrorShape } from './aws-errors.ts';
import {
  ObjectArchivedError,
  ObjectNotFoundError,
  type ObjectInfo,
  type ObjectStore,
  type PutIfAbsentOutcome,
  type PutOptions,
} from '../ports/object-store.ts';

/** Tuning of {@link S3ObjectStore}; the defaults suit Lambda. */
export interface S3ObjectStoreOptions {
  /** Multipart part size for {@link S3ObjectStore.putStream}, in bytes. Default 8 MiB (S3 minimum 5 MiB). */
  readonly partSize?: number;
  /** Parts uploaded at once; memory is about `partSize × (queueSize + 1)`. Default 4. */
  readonly queueSize?: number;
  /** Keys per ListObjectsV2 page. Default 1000 (the S3 maximum). */
  readonly pageSize?: number;
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound']);
/**
 * Translates an SDK error into the port's failure semantics: `ObjectNotFoundError`,
 * `ObjectArchivedError` (S3's `InvalidObjectState`: a GET of an unrestored archived object),
 * `TransientError`, or the error itself.
 */
function translate(error: unknown, key: string, action: string): unknown {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  if (e.name !== undefined && NOT_FOUND.has(e.name)) {
    return new ObjectNotFoundError(key, { cause: error });
  }
  if (e.name === 'InvalidObjectState') return new ObjectArchivedError(key, { cause: error });
  if (isTransientAwsError(error)) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new TransientError(`S3 ${action} of "${key}" failed (${reason}); worth retrying`, {
      cause: error,
    });
  }
  return error;
}

/** The storage classes whose objects must be restored before a GET (Glacier Instant Retrieval need not). */
const ARCHIVE_CLASSES = new Set(['GLACIER', 'DEEP_ARCHIVE']);

/**
 * The archive an object sits in, unrestored: its storage class (`GLACIER`, `DEEP_ARCHIVE`) or its
 * Intelligent-Tiering archive tier (`ArchiveStatus`). A finished restore
 * (`Restore: ongoing-request="false", expiry-date=…`) makes the object readable until it expires.
 */
function archivedIn(head: HeadObjectCommandOutput): string | undefined {
  const archive =
    head.ArchiveStatus ??
    (head.StorageClass !== undefined && ARCHIVE_CLASSES.has(head.StorageClass)
      ? head.StorageClass
      : undefined);
  if (archive === undefined || head.Restore?.includes('ongoing-request="false"')) return undefined;
  return archive;
}

/**
 * The media bucket on Amazon S3 (or any S3-compatible server), through `@aws-sdk/client-s3` and
 * `@aws-sdk/lib-storage`. Keeps the SDK's default checksum settings, as in production.
 *
 * @example
 * const store = new S3ObjectStore(new S3Client({}), 'toq-listing-medias');
 * const head = await store.getRange(key, 0, 511);
 */
export class S3ObjectStore implements ObjectStore {
  readonly #partSize: number;
  readonly #queueSize: number;
  readonly #pageSize: number;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    options: S3ObjectStoreOptions = {},
  ) {
    this.#partSize = options.partSize ?? 8 * 1024 * 1024;
    this.#queueSize = options.queueSize ?? 4;
    this.#pageSize = options.pageSize ?? 1000;
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      const archive = archivedIn(out);
      return {
        key,
        size: out.ContentLength ?? 0,
        ...(out.ContentType === undefined ? {} : { contentType: out.ContentType }),
        ...(out.CacheControl === undefined ? {} : { cacheControl: out.CacheControl }),
        ...(out.ETag === undefined ? {} : { etag: out.ETag }),
        ...(archive === undefined ? {} : { archivedIn: archive }),
      };
    } catch (error) {
      const translated = translate(error, key, 'HeadObject');
      if (translated instanceof ObjectNotFoundError) return undefined;
      throw translated;
    }
  }

  async getRange(key: string, start: number, end: number): Promise<Buffer> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${start}-${end}` }),
      );
      return Buffer.from((await out.Body?.transformToByteArray()) ?? []);
    } catch (error) {
      // A range starting past the end of an existing object: S3 answers 416 InvalidRange.
      if ((error as SdkErrorShape).name === 'InvalidRange') return Buffer.alloc(0);
      throw translate(error, key, 'GetObject (range)');
    }
  }

  async getStream(key: string): Promise<Readable> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return out.Body as Readable;
    } catch (error) {
      throw translate(error, key, 'GetObject');
    }
  }

  async getBuffer(key: string): Promise<Buffer> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return Buffer.from((await out.Body?.transformToByteArray()) ?? []);
    } catch (error) {
      throw translate(error, key, 'GetObject');
    }
  }

  #putCommand(
    key: string,
    body: Buffer | string,
    options: PutOptions,
    condition: { readonly IfNoneMatch?: string } = {},
  ): PutObjectCommand {
    return new PutObjectCommand({
      Bucket: this.bucket,
      Key: key,
      Body: body,
      ContentType: options.contentType,
      CacheControl: options.cacheControl,
      ...condition,
    });
  }

  async put(key: string, body: Buffer | string, options: PutOptions): Promise<void> {
    try {
      await this.client.send(this.#putCommand(key, body, options));
    } catch (error) {
      throw translate(error, key, 'PutObject');
    }
  }

  async putIfAbsent(
    key: string,
    body: Buffer | string,
    options: PutOptions,
  ): Promise<PutIfAbsentOutcome> {
    try {
      await this.client.send(this.#putCommand(key, body, options, { IfNoneMatch: '*' }));
      return 'created';
    } catch (error) {
      const name = (error as SdkErrorShape).name;
      if (name === 'PreconditionFailed') return 'exists';
      // S3 answers 409 when another conditional write to the key is in flight: its outcome is
      // unknown yet, so this one is worth retrying (and then finds the object, or writes it).
      if (name === 'ConditionalRequestConflict') {
        throw new TransientError(
          `S3 conditional PutObject of "${key}" met a concurrent write (${name}); worth retrying`,
          { cause: error },
        );
      }
      throw translate(error, key, 'PutObject (if absent)');
    }
  }

  async putStream(key: string, body: Readable, options: PutOptions): Promise<{ bytes: number }> {
    let bytes = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    body.once('error', (error) => counted.destroy(error));
    body.pipe(counted);
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: counted,
        ContentType: options.contentType,
        CacheControl: options.cacheControl,
      },
      partSize: this.#partSize,
      queueSize: this.#queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
      return { bytes };
    } catch (error) {
      throw translate(error, key, 'multipart upload');
    }
  }

  async setHeaders(key: string, options: PutOptions): Promise<void> {
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: key,
          CopySource: `${this.bucket}/${encodeURIComponent(key)}`,
          MetadataDirective: 'REPLACE',
          ContentType: options.contentType,
          CacheControl: options.cacheControl,
        }),
      );
    } catch (error) {
      throw translate(error, key, 'CopyObject (headers)');
    }
  }

  async addTags(key: string, tags: Readonly<Record<string, string>>): Promise<void> {
    let current: Map<string | undefined, string | undefined>;
    try {
      const out = await this.client.send(
        new GetObjectTaggingCommand({ Bucket: this.bucket, Key: key }),
      );
      current = new Map((out.TagSet ?? []).map((tag) => [tag.Key, tag.Value]));
    } catch (error) {
      throw translate(error, key, 'GetObjectTagging');
    }
    // Re-processing a listing finds its raw objects tagged already: no write then.
    if (Object.entries(tags).every(([name, value]) => current.get(name) === value)) return;
    const merged = new Map([...current, ...Object.entries(tags)]);
    try {
      await this.client.send(
        new PutObjectTaggingCommand({
          Bucket: this.bucket,
          Key: key,
          Tagging: {
            TagSet: [...merged].map(([name, value]) => ({ Key: name, Value: value })),
          },
        }),
      );
    } catch (error) {
      throw translate(error, key, 'PutObjectTagging');
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const pages = paginateListObjectsV2(
      { client: this.client, pageSize: this.#pageSize },
      { Bucket: this.bucket, Prefix: prefix },
    );
    try {
      for await (const page of pages) {
        for (const object of page.Contents ?? []) {
          if (object.Key === undefined) continue;
          yield {
            key: object.Key,
            size: object.Size ?? 0,
            ...(object.ETag === undefined ? {} : { etag: object.ETag }),
          };
        }
      }
    } catch (error) {
      throw translate(error, prefix, 'ListObjectsV2');
    }
  }
}
