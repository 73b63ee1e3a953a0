// archiver 8 ships no type declarations (and @types/archiver describes the CommonJS v7 API): the
// part of it this package uses.
declare module 'archiver' {
  import type { Transform } from 'node:stream';

  interface ZipArchiveOptions {
    /** Options of the zlib deflate stream used for entries that are not stored. */
    zlib?: { level?: number };
    /** The readable side's buffer in bytes (archiver's default is 1 MiB). */
    highWaterMark?: number;
  }

  interface ZipEntryData {
    name: string;
    date?: Date;
    mode?: number;
    store?: boolean;
    /** Called once the entry has been written into the archive stream. */
    callback?: () => void;
  }

  export class ZipArchive extends Transform {
    constructor(options?: ZipArchiveOptions);
    append(source: Buffer | NodeJS.ReadableStream, data: ZipEntryData): this;
    finalize(): Promise<void>;
    abort(): this;
    /** The number of bytes the archive has emitted so far. */
    pointer(): number;
  }
}
