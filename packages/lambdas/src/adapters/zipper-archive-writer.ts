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
 * The {@link ArchiveWriter} on `@toq/zipper`: a streaming, deterministic zip (entries in the order
 * given, each opened only when its turn comes), so memory stays flat whatever the listing's size.
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
    const { entries: count, bytes } = await createZip(asZipEntries(entries), destination);
    return { entries: count, bytes };
  }
}
