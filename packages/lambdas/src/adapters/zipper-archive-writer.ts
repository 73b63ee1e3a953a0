import type { Writable } from 'node:stream';
import { createZip } from '@toq/zipper';
import type { ArchiveEntry, ArchiveSummary, ArchiveWriter } from '../ports/archive-writer.ts';

async function* asZipEntries(entries: AsyncIterable<ArchiveEntry> | Iterable<ArchiveEntry>) {
  for await (const entry of entries) {
    yield {
      path: entry.path,
      source: entry.open,
      ...(entry.size === undefined ? {} : { size: entry.size }),
    };
  }
}

/**
 * Entries whose objects are requested while an earlier one is written (within `@toq/zipper`'s
 * default 16 MiB window): S3's latency before each GET's first byte then overlaps the writing
 * (1.9 instead of 23 ms an entry with 20 ms of latency, `node bench/s3-latency.ts` in
 * packages/zipper), and the folder store's opens and reads overlap it too.
 */
const READ_AHEAD = 16;

/**
 * The {@link ArchiveWriter} on `@toq/zipper`: a streaming, deterministic zip (entries in the order
 * given, the next {@link READ_AHEAD} opened while one is written, within 16 MiB), so memory stays
 * flat whatever the listing's size.
 *
 * @throws {ZipperError} from `@toq/zipper` when an entry is invalid or a source fails.
 * @example
 * await new ZipperArchiveWriter().write(entries, passThroughToS3);
 */
export class ZipperArchiveWriter implements ArchiveWriter {
  async write(
    entries: AsyncIterable<ArchiveEntry> | Iterable<ArchiveEntry>,
    destination: Writable,
  ): Promise<ArchiveSummary> {
    const { entries: count, bytes } = await createZip(asZipEntries(entries), destination, {
      readAhead: READ_AHEAD,
    });
    return { entries: count, bytes };
  }
}
