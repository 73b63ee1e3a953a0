import type { Writable } from 'node:stream';
import { renditionKey, zipKey } from '@toq/contracts';
import { describe, expect, it } from 'vitest';
import { TransientError } from '../../src/domain/errors.ts';
import { ZIP_CACHE_CONTROL, bundleListing } from '../../src/domain/zip.ts';
import type {
  ArchiveEntry,
  ArchiveSummary,
  ArchiveWriter,
} from '../../src/ports/archive-writer.ts';
import type { Logger } from '../../src/ports/logger.ts';
import {
  LISTING_ID,
  PHOTO_2_ID,
  PHOTO_ID,
  SCOPE,
  VIDEO_ID,
  silentLogger,
} from '../setup/fixtures.ts';
import { MemoryObjectStore } from '../setup/memory-store.ts';

/**
 * The archive writer port, faked: it opens the entries one at a time, in the order given, and
 * writes a plain listing of them (`path size bytes\n`) to the destination, so a test reads back
 * exactly what was bundled and in which order.
 */
class ListingArchive implements ArchiveWriter {
  readonly opened: string[] = [];
  constructor(private readonly failAt?: string) {}

  async write(
    entries: AsyncIterable<ArchiveEntry> | Iterable<ArchiveEntry>,
    destination: Writable,
  ): Promise<ArchiveSummary> {
    let count = 0;
    let bytes = 0;
    for await (const entry of entries) {
      if (entry.path === this.failAt) throw new Error(`cannot read ${entry.path}`);
      this.opened.push(entry.path);
      const chunks: Buffer[] = [];
      for await (const chunk of await entry.open()) chunks.push(Buffer.from(chunk as Uint8Array));
      const line = Buffer.from(`${entry.path} ${entry.size} ${Buffer.concat(chunks).toString()}\n`);
      destination.write(line);
      count += 1;
      bytes += line.length;
    }
    destination.end();
    return { entries: count, bytes };
  }
}

/** A logger that keeps its warnings. */
function warnings(): { logger: Logger; warned: unknown[] } {
  const warned: unknown[] = [];
  return { logger: { ...silentLogger, warn: (_message, extra) => warned.push(extra) }, warned };
}

const key = (
  mediaType: 'photo' | 'video',
  size: 'thumbnail' | 'large',
  mediaId: string,
  ext: 'jpg' | 'mp4',
) => renditionKey({ listingId: LISTING_ID, mediaType, size, mediaId, ext });

describe('zip (bundleListing)', () => {
  it('returns null and writes nothing when the listing has no rendition', async () => {
    // Prepare
    const store = new MemoryObjectStore();
    store.seed(`${LISTING_ID}/raw/photo/${PHOTO_ID}.jpg`, 'raw');
    const archive = new ListingArchive();

    // Act
    const result = await bundleListing({ ctx: SCOPE }, { store, archive, logger: silentLogger });

    // Assess
    expect(result).toBeNull();
    expect(archive.opened).toEqual([]);
    expect(await store.head(zipKey(LISTING_ID))).toBeUndefined();
  });

  it('bundles every rendition under its clean entry path, sorted, leaving out the zip itself and stray objects', async () => {
    // Prepare
    const store = new MemoryObjectStore();
    store.seed(key('video', 'large', VIDEO_ID, 'mp4'), 'mp4', 'video/mp4');
    store.seed(key('photo', 'large', PHOTO_2_ID, 'jpg'), 'p2-large', 'image/jpeg');
    store.seed(key('photo', 'thumbnail', PHOTO_ID, 'jpg'), 'p1-thumb', 'image/jpeg');
    store.seed(key('photo', 'large', PHOTO_ID, 'jpg'), 'p1-large', 'image/jpeg');
    store.seed(zipKey(LISTING_ID), 'the previous zip', 'application/zip');
    store.seed(`${LISTING_ID}/processed/notes.txt`, 'stray', 'text/plain');
    const archive = new ListingArchive();
    const { logger, warned } = warnings();

    // Act
    const result = await bundleListing({ ctx: SCOPE }, { store, archive, logger });

    // Assess
    const listing = [
      `photo/large/${PHOTO_ID}.jpg 8 p1-large`,
      `photo/large/${PHOTO_2_ID}.jpg 8 p2-large`,
      `photo/thumbnail/${PHOTO_ID}.jpg 8 p1-thumb`,
      `video/large/${VIDEO_ID}.mp4 3 mp4`,
    ]
      .map((line) => `${line}\n`)
      .join('');
    expect(store.objects.get(zipKey(LISTING_ID))).toEqual({
      body: Buffer.from(listing),
      contentType: 'application/zip',
      cacheControl: ZIP_CACHE_CONTROL,
    });
    expect(result).toEqual({ key: zipKey(LISTING_ID), bytes: listing.length, entries: 4 });
    expect(warned).toEqual([{ key: `${LISTING_ID}/processed/notes.txt` }]);
  });

  it('fails when the archive writer fails, leaving no zip (the upload is torn down too)', async () => {
    // Prepare
    const store = new MemoryObjectStore();
    store.seed(key('photo', 'large', PHOTO_ID, 'jpg'), 'p1-large', 'image/jpeg');
    store.seed(key('photo', 'thumbnail', PHOTO_ID, 'jpg'), 'p1-thumb', 'image/jpeg');
    const archive = new ListingArchive(`photo/thumbnail/${PHOTO_ID}.jpg`);

    // Act
    const error = await bundleListing(
      { ctx: SCOPE },
      { store, archive, logger: silentLogger },
    ).catch((e: unknown) => e);

    // Assess
    expect((error as Error).message).toBe(`cannot read photo/thumbnail/${PHOTO_ID}.jpg`);
    expect(await store.head(zipKey(LISTING_ID))).toBeUndefined();
  });

  it('fails with the store’s TransientError when the upload fails, without waiting on the archive', async () => {
    // Prepare
    class UnwritableStore extends MemoryObjectStore {
      override putStream(): Promise<{ bytes: number }> {
        return Promise.reject(new TransientError('S3 answered 503'));
      }
    }
    const store = new UnwritableStore();
    store.seed(key('photo', 'large', PHOTO_ID, 'jpg'), 'p1-large', 'image/jpeg');

    // Act
    const error = await bundleListing(
      { ctx: SCOPE },
      { store, archive: new ListingArchive(), logger: silentLogger },
    ).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'TransientError', message: 'S3 answered 503' });
  });
});
