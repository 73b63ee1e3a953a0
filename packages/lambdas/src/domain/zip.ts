import { PassThrough } from 'node:stream';
import {
  ZipResult,
  parse,
  parseMediaKey,
  processedPrefix,
  zipEntryPath,
  zipKey,
} from '@toq/contracts';
import * as z from 'zod';
import type { ArchiveEntry, ArchiveWriter } from '../ports/archive-writer.ts';
import type { Logger } from '../ports/logger.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import { TaskContext } from './state-keys.ts';

/** `BundleZip`'s payload (docs/pipeline.md): `{ ctx }`. */
export const ZipInput = z.object({ ctx: TaskContext });
export type ZipInput = z.output<typeof ZipInput>;

/** What bundling needs from the outside world. */
export interface BundleDeps {
  readonly store: ObjectStore;
  readonly archive: ArchiveWriter;
  readonly logger: Logger;
}

/** The zip changes whenever a listing is processed again: caches must revalidate it. */
export const ZIP_CACHE_CONTROL = 'no-cache';

interface PlannedEntry {
  readonly key: string;
  readonly path: string;
  readonly size: number;
}

/**
 * Lists what goes into the zip: every rendition under `{listingId}/processed/` (never the zip
 * itself, never anything that is not a rendition key of the layout), sorted by entry path so the
 * same objects always give the same archive.
 */
async function planEntries(store: ObjectStore, listingId: string, logger: Logger) {
  const planned: PlannedEntry[] = [];
  for await (const object of store.list(processedPrefix(listingId))) {
    let parsed;
    try {
      parsed = parseMediaKey(object.key);
    } catch {
      logger.warn('Skipping an object that is not a rendition', { key: object.key });
      continue;
    }
    if (parsed.kind !== 'rendition') continue;
    planned.push({ key: object.key, path: zipEntryPath(parsed), size: object.size });
  }
  return planned.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * `BundleZip`: streams every processed object of the listing into `zipKey(listingId)`, one entry
 * at a time, through the store's streaming (multipart) upload: memory stays flat whatever the
 * listing's size. Entry paths are clean (`{mediaType}/{size}/{mediaId}.{ext}`).
 *
 * @returns the `ZipResult`, or `null` when there is nothing to bundle (no zip is written).
 * @throws whatever the store or the archive writer throws; a retry rewrites the same key.
 */
export async function bundleListing(input: ZipInput, deps: BundleDeps): Promise<ZipResult | null> {
  const { listingId } = input.ctx;
  const planned = await planEntries(deps.store, listingId, deps.logger);
  if (planned.length === 0) {
    deps.logger.info('Nothing to bundle');
    return null;
  }
  const key = zipKey(listingId);
  const entries: ArchiveEntry[] = planned.map((entry) => ({
    path: entry.path,
    size: entry.size,
    open: () => deps.store.getStream(entry.key),
  }));
  const body = new PassThrough();
  // Both failures reach the caller through the promises below; the body's own 'error' event,
  // which `destroy(error)` emits even when no writer listens any more, must not crash the process.
  body.on('error', () => undefined);
  // Whichever side fails first tears the pipe down, so the other side fails too instead of
  // waiting forever on a stream nobody reads (or writes).
  const abort = (error: unknown): never => {
    body.destroy(error instanceof Error ? error : new Error(String(error)));
    throw error;
  };
  const upload = deps.store
    .putStream(key, body, { contentType: 'application/zip', cacheControl: ZIP_CACHE_CONTROL })
    .catch(abort);
  const written = deps.archive.write(entries, body).catch(abort);
  const [summary, { bytes }] = await Promise.all([written, upload]);
  deps.logger.info('Zip written', { key, entries: summary.entries, bytes });
  return parse(ZipResult, { key, bytes, entries: summary.entries });
}
