import {
  createZip,
  ZipperError,
  type ZipEntry,
  type ZipOptions,
  type ZipperErrorCode,
} from '@toq/zipper';
import type { Readable, Writable } from 'node:stream';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { MemorySink } from '../support/zip.ts';

const entries: ZipEntry[] = [{ path: 'a.txt', source: Buffer.from('a') }];

describe('createZip arguments', () => {
  it.each([
    [
      { level: 9 },
      'Invalid options: expected only date, compressionLevel, signal, idleTimeout, readAhead, readAheadBytes, but received "level"',
    ],
    [
      { compressionLevel: 10 },
      'Invalid option compressionLevel: expected an integer from 0 to 9, but received 10',
    ],
    [
      { date: new Date('1979-12-31T23:59:59Z') },
      'Invalid option date: expected a valid Date from 1980 through 2043, but received a Date (1979-12-31T23:59:59.000Z)',
    ],
    [
      { date: '2026-01-01' },
      'Invalid option date: expected a valid Date from 1980 through 2043, but received "2026-01-01"',
    ],
    [
      { signal: {} },
      'Invalid option signal: expected an AbortSignal, but received an object (Object)',
    ],
    [
      { idleTimeout: -1 },
      'Invalid option idleTimeout: expected a number of milliseconds >= 0 (0 or Infinity for no limit), but received -1',
    ],
    [
      { idleTimeout: '30s' },
      'Invalid option idleTimeout: expected a number of milliseconds >= 0 (0 or Infinity for no limit), but received "30s"',
    ],
    [
      { readAhead: -1 },
      'Invalid option readAhead: expected a whole number of entries >= 0, but received -1',
    ],
    [
      { readAhead: 2.5 },
      'Invalid option readAhead: expected a whole number of entries >= 0, but received 2.5',
    ],
    [
      { readAheadBytes: Infinity },
      'Invalid option readAheadBytes: expected a whole number of bytes >= 0, but received Infinity',
    ],
    ['fast', 'Invalid options: expected an object, but received "fast"'],
  ])('rejects the options %j with INVALID_ARGUMENT', async (options, message) => {
    const sink = new MemorySink();

    await expect(createZip(entries, sink, options as ZipOptions)).rejects.toThrow(
      expect.objectContaining({ name: 'ZipperError', code: 'INVALID_ARGUMENT', message }),
    );
    expect(sink.destroyed).toBe(false);
    expect(sink.chunks).toEqual([]);
  });

  it('rejects entries that are not iterable', async () => {
    await expect(createZip(42 as never, new MemorySink())).rejects.toThrow(
      'Invalid entries: expected an Iterable or AsyncIterable of { path, source, size? }, but received 42',
    );
  });

  it('rejects a destination that is not a writable stream, or has already ended', async () => {
    const ended = new MemorySink();
    ended.end();

    await expect(createZip(entries, {} as Writable)).rejects.toThrow(
      'Invalid destination: expected a Writable stream, but received an object (Object)',
    );
    await expect(createZip(entries, ended)).rejects.toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/already ended/),
      }),
    );
  });

  it('has a ZipperError whose name, code and cause are fixed', () => {
    const cause = new Error('low level');
    const error = new ZipperError('SOURCE_FAILED', 'Entry "a" failed', { cause, entryPath: 'a' });

    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'ZipperError',
      code: 'SOURCE_FAILED',
      entryPath: 'a',
      cause,
    });
    expectTypeOf(error.code).toEqualTypeOf<ZipperErrorCode>();
  });

  it('types the public API as the issue gives it', () => {
    expectTypeOf(createZip)
      .parameter(0)
      .toEqualTypeOf<Iterable<ZipEntry> | AsyncIterable<ZipEntry>>();
    expectTypeOf(createZip).parameter(1).toEqualTypeOf<Writable>();
    expectTypeOf(createZip).returns.resolves.toEqualTypeOf<{
      readonly entries: number;
      readonly bytes: number;
    }>();
    expectTypeOf<ZipEntry['source']>().toEqualTypeOf<
      Buffer | Readable | (() => Promise<Readable>)
    >();
  });
});
