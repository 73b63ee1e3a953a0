import type { ZipResult } from '@toq/contracts';
import { mediaStore } from '../adapters/media-store.ts';
import { ZipperArchiveWriter } from '../adapters/zipper-archive-writer.ts';
import { BucketConfig, loadConfig } from '../config.ts';
import { BundleZipInput, bundleListing } from '../domain/bundle-listing.ts';
import { parseInput } from '../domain/errors.ts';
import { beginInvocation, correlationKeys, createLogger, loggerPort } from '../logger.ts';

// `listing-media-zip`: the `BundleZip` state. Payload `{ ctx }` → `ZipResult | null`.
const config = loadConfig(BucketConfig, process.env);
const logger = createLogger(config);
const deps = {
  store: mediaStore(config),
  archive: new ZipperArchiveWriter(),
  logger: loggerPort(logger),
};

export const handler = async (event: unknown): Promise<ZipResult | null> => {
  beginInvocation(logger, correlationKeys(event));
  return bundleListing(parseInput(BundleZipInput, event, 'BundleZip payload'), deps);
};
