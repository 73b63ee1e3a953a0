import { mediaStore } from '../adapters/media-store.ts';
import { ZipperArchiveWriter } from '../adapters/zipper-archive-writer.ts';
import { BucketConfig, loadConfig } from '../config.ts';
import { createZipHandler } from '../functions/zip.ts';
import { invocationLogger } from '../logger.ts';

// `listing-media-zip` on AWS: `functions/zip.ts` wired to S3 and archiver, once per cold start.
const config = loadConfig(BucketConfig, process.env);

export const handler = createZipHandler({
  store: mediaStore(config),
  archive: new ZipperArchiveWriter(),
  logger: invocationLogger(config),
});
