import type { PutIfAbsentOutcome, PutOptions } from '@toq/lambdas';
import { S3ObjectStore } from '@toq/lambdas/s3';

/**
 * The media bucket of a local run on an S3 endpoint: the functions' own S3 adapter, with two
 * stand-ins for what fauxqs lacks.
 *
 * - No object tagging: fauxqs has no tagging API and takes a `PutObjectTagging` for a `PutObject`
 *   of the tagging XML, which would overwrite the raw upload with it; and a local bucket has no
 *   lifecycle rule for the tag to feed. So validate's tagging of raw uploads does nothing here.
 * - Create-only writes emulated: fauxqs ignores `If-None-Match: *` on PutObject and overwrites
 *   the object, so {@link putIfAbsent} is a HEAD, then a PUT when nothing is there, one at a time
 *   per key in this process. That holds the port's promise (one writer creates, the others find
 *   it) as long as one process writes the key, which a local run is; S3 itself needs none of it.
 */
export class LocalS3ObjectStore extends S3ObjectStore {
  /** The create-only write in progress per key, for the next one on that key to wait for. */
  readonly #writing = new Map<string, Promise<PutIfAbsentOutcome>>();

  override addTags(): Promise<void> {
    return Promise.resolve();
  }

  override putIfAbsent(
    key: string,
    body: Buffer | string,
    options: PutOptions,
  ): Promise<PutIfAbsentOutcome> {
    const previous: Promise<unknown> = this.#writing.get(key) ?? Promise.resolve();
    const write = previous
      .catch(() => undefined)
      .then(async (): Promise<PutIfAbsentOutcome> => {
        if ((await this.head(key)) !== undefined) return 'exists';
        await this.put(key, body, options);
        return 'created';
      });
    this.#writing.set(key, write);
    void write
      .finally(() => {
        if (this.#writing.get(key) === write) this.#writing.delete(key);
      })
      .catch(() => undefined);
    return write;
  }
}
