import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';

/**
 * Writes `path` all at once: the data goes to a temporary file beside it, is flushed to disk,
 * then renamed over `path`. A reader (or a restart after a crash) sees the old file or the new
 * one, never half of one.
 *
 * @example
 * await writeFileAtomic('.local/dev/connection.json', JSON.stringify(connection), { mode: 0o600 });
 */
export async function writeFileAtomic(
  path: string,
  data: string,
  { mode = 0o644 }: { readonly mode?: number } = {},
): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const file = await open(temporary, 'w', mode);
    try {
      await file.writeFile(data, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
