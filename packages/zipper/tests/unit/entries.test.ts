import { MEDIA_TYPES, RENDITION_SIZES, zipEntryPath } from '@toq/contracts';
import { ZipperError } from '@toq/zipper';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EntryPaths, checkEntry, checkEntryPath, isStored } from '../../src/entries.ts';

function pathError(path: string): ZipperError {
  try {
    checkEntryPath(path);
  } catch (error) {
    if (error instanceof ZipperError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(path)} to be rejected`);
}

describe('checkEntryPath', () => {
  it('accepts every path zipEntryPath builds', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MEDIA_TYPES),
        fc.constantFrom(...RENDITION_SIZES),
        fc.uuid(),
        (mediaType, size, mediaId) => {
          const path = zipEntryPath({ mediaType, size, mediaId, ext: 'jpg' });
          expect(() => checkEntryPath(path)).not.toThrow();
        },
      ),
    );
  });

  it.each([
    ['', 'is empty'],
    ['/etc/passwd', 'is absolute (starts with "/")'],
    ['C:/Windows/a.jpg', 'starts with a drive letter'],
    ['c:a.jpg', 'starts with a drive letter'],
    ['photo:large/a.jpg', 'contains ":"'],
    ['photo\\large\\a.jpg', 'contains a backslash (use forward slashes)'],
    ['photo/../../a.jpg', 'has a ".." segment'],
    ['..', 'has a ".." segment'],
    ['photo/./a.jpg', 'has a "." segment'],
    ['photo//a.jpg', 'has an empty segment ("//")'],
    ['photo/large/', 'ends with "/" (directories are implied by their files)'],
    ['photo/a\u0000.jpg', 'contains U+0000 (a control character) at index 7'],
    ['photo/a\n.jpg', 'contains U+000A (a control character) at index 7'],
    [`${'a/'.repeat(40_000)}a.jpg`, 'is longer than 65535 bytes'],
  ])('rejects %j: it %s', (path, problem) => {
    const error = pathError(path);

    expect(error).toMatchObject({ name: 'ZipperError', code: 'INVALID_PATH', entryPath: path });
    expect(error.message).toBe(
      `Invalid entry path ${JSON.stringify(path)}: expected a relative path with forward slashes and no "..", "." or empty segment, but it ${problem}`,
    );
  });

  it('never accepts a path that has a ".." or empty segment, or is absolute', () => {
    const segment = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !s.includes('/'));
    fc.assert(
      fc.property(
        fc.array(fc.oneof(segment, fc.constantFrom('..', '', '.')), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (segments, absolute) => {
          const path = (absolute ? '/' : '') + segments.join('/');
          const unsafe = absolute || segments.some((s) => s === '..' || s === '' || s === '.');
          if (unsafe) expect(pathError(path).code).toBe('INVALID_PATH');
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('checkEntry', () => {
  it('rejects a second entry with the same path', () => {
    const seen = new EntryPaths();
    checkEntry({ path: 'a.jpg', source: Buffer.of(1) }, 0, seen);

    expect(() => checkEntry({ path: 'a.jpg', source: Buffer.of(2) }, 1, seen)).toThrow(
      expect.objectContaining({
        code: 'DUPLICATE_PATH',
        message: 'Duplicate entry path "a.jpg": expected every path once, but entry #1 repeats it',
      }),
    );
  });

  it.each([
    [null, 'Invalid entry #3: expected an object { path, source, size? }, but received null'],
    [{ source: Buffer.of() }, 'Invalid entry #3: expected a string path, but received undefined'],
    [
      { path: 'a.jpg', source: 'hello' },
      'Invalid entry #3 ("a.jpg"): expected a source that is a Buffer, a Readable or a function, but received "hello"',
    ],
    [
      { path: 'a.jpg', source: Buffer.of(), size: -1 },
      'Invalid entry #3 ("a.jpg"): expected a size that is a whole number of bytes >= 0, but received -1',
    ],
    [
      { path: 'a.jpg', source: Buffer.of(), size: 1.5 },
      'Invalid entry #3 ("a.jpg"): expected a size that is a whole number of bytes >= 0, but received 1.5',
    ],
  ])('rejects %j with INVALID_ENTRY', (entry, message) => {
    expect(() => checkEntry(entry, 3, new EntryPaths())).toThrow(
      expect.objectContaining({ name: 'ZipperError', code: 'INVALID_ENTRY', message }),
    );
  });
});

describe('isStored', () => {
  it.each([
    ['photo/large/a.jpg', true],
    ['photo/large/a.JPEG', true],
    ['photo/large/a.webp', true],
    ['photo/large/a.avif', true],
    ['photo/large/a.png', true],
    ['video/large/a.mp4', true],
    ['video/raw/a.MOV', true],
    ['notes/readme.txt', false],
    ['manifest.json', false],
    ['photo.jpg/readme', false],
    ['photo/.jpg', false],
    ['photo/a.jpg.txt', false],
  ])('%s is stored: %s', (path, stored) => {
    expect(isStored(path)).toBe(stored);
  });
});
