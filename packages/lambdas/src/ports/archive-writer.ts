import type { Readable, Writable } from 'node:stream';

/** One file of an archive: its path inside the archive and how to read it, lazily. */
export interface ArchiveEntry {
  /** The entry's path inside the archive, e.g. `photo/large/{mediaId}.jpg`. */
  readonly path: string;
  /** The size in bytes, when known (lets the writer skip ZIP64 for small files). */
  readonly size?: number;
  /** Opens the entry's bytes; called once, only when the writer reaches this entry. */
  readonly open: () => Promise<Readable>;
}

/** What was written. */
export interface ArchiveSummary {
  readonly entries: number;
  readonly bytes: number;
}

/**
 * Streams entries, in the order given, into one archive written to `destination`, opening one
 * entry at a time so memory stays flat whatever the total size. Implemented on `@toq/zipper`
 * (`adapters/zipper-archive-writer.ts`). Resolves once `destination` has received every byte.
 */
export interface ArchiveWriter {
  write(
    entries: AsyncIterable<ArchiveEntry> | Iterable<ArchiveEntry>,
    destination: Writable,
  ): Promise<ArchiveSummary>;
}
