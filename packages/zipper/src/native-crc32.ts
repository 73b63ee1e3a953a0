import { crc32 } from 'node:zlib';

/**
 * Stands in for the `crc-32` package inside the bundled archiver (see `tsup.config.ts`): the
 * one function archiver's zip code calls, `buf(data, seed)`, on Node's native `zlib.crc32`
 * instead of a JavaScript table loop. Same results: `seed` is the CRC-32 so far (anything that
 * is not a number, such as the zeroed Buffer `crc32-stream` starts with, counts as 0) and the
 * result is a signed 32-bit integer, as `crc-32` returns it.
 */
export function buf(data: Uint8Array, seed?: unknown): number {
  return crc32(data, typeof seed === 'number' ? seed >>> 0 : 0) | 0;
}

export default { buf };
