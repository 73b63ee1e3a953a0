import type { ZipResult } from '@toq/contracts';
import { ZipInput, bundleListing, type BundleDeps } from '../domain/zip.ts';
import { defineTask, type TaskDeps, type TaskHandler } from './task.ts';

/** What the `zip` function is wired to: the media bucket, the archive writer, its logger. */
export type ZipFunctionDeps = Omit<BundleDeps, 'logger'> & TaskDeps;

/**
 * The `zip` function (`listing-media-zip`): the `BundleZip` state. Payload `{ ctx }` →
 * `ZipResult | null` (null when the listing has no rendition).
 *
 * @example
 * const handler = createZipHandler({ store, archive, logger });
 * await handler({ ctx }, context);
 * @throws {InvalidRequestError} when the payload is not a BundleZip payload.
 * @throws {TransientError} on storage trouble.
 */
export const createZipHandler: (deps: ZipFunctionDeps) => TaskHandler<ZipResult | null> =
  defineTask({
    input: ZipInput,
    subject: 'BundleZip payload',
    run: (input, deps: Omit<BundleDeps, 'logger'>, logger) =>
      bundleListing(input, { ...deps, logger }),
  });
