import type { ZipResult } from '@toq/contracts';
import { BundleZipInput, bundleListing, type BundleDeps } from '../domain/bundle-listing.ts';
import { parseInput } from '../domain/errors.ts';
import { correlationKeys, type InvocationLogger } from '../logger.ts';

/** What the `zip` function is wired to: the media bucket, the archive writer, its logger. */
export interface ZipFunctionDeps extends Omit<BundleDeps, 'logger'> {
  readonly logger: InvocationLogger;
}

/**
 * The `zip` function (`listing-media-zip`): the `BundleZip` state. Payload `{ ctx }` →
 * `ZipResult | null` (null when the listing has no rendition).
 *
 * @example
 * const handler = createZipHandler({ store, archive, logger });
 * await handler({ ctx });
 * @throws {InvalidRequestError} when the payload is not a BundleZip payload.
 * @throws {TransientError} on storage trouble.
 */
export function createZipHandler(
  deps: ZipFunctionDeps,
): (event: unknown) => Promise<ZipResult | null> {
  return async (event) =>
    bundleListing(parseInput(BundleZipInput, event, 'BundleZip payload'), {
      ...deps,
      logger: deps.logger(correlationKeys(event)),
    });
}
