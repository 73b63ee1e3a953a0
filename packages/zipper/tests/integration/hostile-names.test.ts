/**
 * The red team's names: anyone who uploads a file to a listing names it, so every name below is
 * one an attacker can put into a bundle. Each must end in a typed error before a byte of its
 * entry is written, and leave nothing that passes for a zip; ordinary names must still pass.
 */
import { createZip, ZipperError, type ZipEntry } from '@toq/zipper';
import { describe, expect, it } from 'vitest';
import { MemorySink, readZip, rejectionOf, sevenZipTestBuffer } from '../support/zip.ts';

const photo = Buffer.from('not really a JPEG');

// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const UNESCAPED = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

/** Zips `paths` (after one good entry, so that the archive has begun) and returns the error. */
async function refusal(
  paths: readonly string[],
): Promise<{ error: ZipperError; sink: MemorySink }> {
  const sink = new MemorySink();
  const entries: ZipEntry[] = [
    { path: 'listing/cover.jpg', source: photo },
    ...paths.map((path) => ({ path, source: photo })),
  ];
  const error = await rejectionOf(createZip(entries, sink));
  expect(error).toBeInstanceOf(ZipperError);
  return { error: error as ZipperError, sink };
}

describe('createZip refuses hostile names (INVALID_PATH)', () => {
  it.each([
    // bidirectional controls: "gpj.exe" shown as "exe.jpg"
    ['right-to-left override', 'listing/foto\u202Egpj.exe', 'U+202E', 12],
    ['left-to-right override', 'listing/\u202Dfoto.jpg', 'U+202D', 8],
    ['left-to-right embedding', 'listing/\u202Afoto.jpg', 'U+202A', 8],
    ['right-to-left embedding', 'listing/\u202Bfoto.jpg', 'U+202B', 8],
    ['pop directional formatting', 'listing/foto\u202C.jpg', 'U+202C', 12],
    ['left-to-right isolate', 'listing/\u2066foto.jpg', 'U+2066', 8],
    ['right-to-left isolate', 'listing/\u2067foto.jpg', 'U+2067', 8],
    ['first strong isolate', 'listing/\u2068foto.jpg', 'U+2068', 8],
    ['pop directional isolate', 'listing/foto\u2069.jpg', 'U+2069', 12],
    ['left-to-right mark', 'listing/foto\u200E.jpg', 'U+200E', 12],
    ['right-to-left mark', 'listing/foto\u200F.jpg', 'U+200F', 12],
    ['arabic letter mark', 'listing/foto\u061C.jpg', 'U+061C', 12],
    // C0 and C1 controls (terminal escapes, new lines in a listing)
    ['NUL', 'listing/foto\u0000.jpg', 'U+0000', 12],
    ['ESC (terminal escape)', 'listing/\u001B[2Jfoto.jpg', 'U+001B', 8],
    ['carriage return', 'listing/foto\r.jpg', 'U+000D', 12],
    ['DEL', 'listing/foto\u007F.jpg', 'U+007F', 12],
    ['next line (C1)', 'listing/foto\u0085.jpg', 'U+0085', 12],
    ['CSI (C1 terminal escape)', 'listing/\u009B2Jfoto.jpg', 'U+009B', 8],
    ['last C1 control', 'listing/foto\u009F.jpg', 'U+009F', 12],
    ['line separator', 'listing/foto\u2028.jpg', 'U+2028', 12],
    ['paragraph separator', 'listing/foto\u2029.jpg', 'U+2029', 12],
    // lookalike dots: "．．" becomes ".." once Windows best fit or NFKC has been through it
    ['fullwidth full stop', '\uFF0E\uFF0E/etc/passwd', 'U+FF0E', 0],
    ['one dot leader', '\u2024\u2024/etc/passwd', 'U+2024', 0],
    ['two dot leader', '\u2025/etc/passwd', 'U+2025', 0],
    ['small full stop', '\uFE52\uFE52/etc/passwd', 'U+FE52', 0],
    ['vertical two dot leader', '\uFE30/etc/passwd', 'U+FE30', 0],
    // lookalike slashes: "..∕x" becomes "../x"
    ['division slash', '..\u2215etc\u2215passwd', 'U+2215', 2],
    ['fraction slash', '..\u2044etc', 'U+2044', 2],
    ['fullwidth solidus', '..\uFF0Fetc', 'U+FF0F', 2],
    ['big solidus', '..\u29F8etc', 'U+29F8', 2],
    ['acute accent (best fit "/" in code page 1253)', '..\u00B4etc', 'U+00B4', 2],
    ['account of ("a/c" in NFKC)', 'listing/\u2100.txt', 'U+2100', 8],
    // lookalike backslashes: "..＼x" becomes "..\x"
    ['fullwidth reverse solidus', '..\uFF3CWindows', 'U+FF3C', 2],
    ['set minus', '..\u2216Windows', 'U+2216', 2],
    ['small reverse solidus', '..\uFE68Windows', 'U+FE68', 2],
    ['reverse solidus operator', '..\u29F5Windows', 'U+29F5', 2],
    ['big reverse solidus', '..\u29F9Windows', 'U+29F9', 2],
    ['yen sign (the backslash of code page 932)', '..\u00A5Windows', 'U+00A5', 2],
    ['won sign (the backslash of code page 949)', '..\u20A9Windows', 'U+20A9', 2],
    // what UTF-8 cannot encode: both would be written as U+FFFD, one name
    ['lone high surrogate', 'listing/foto\uD83D.jpg', 'U+D83D', 12],
    ['lone low surrogate', 'listing/foto\uDE00.jpg', 'U+DE00', 12],
  ])('%s: %j', async (_attack, path, code, index) => {
    const { error, sink } = await refusal([path]);

    expect(error).toMatchObject({ name: 'ZipperError', code: 'INVALID_PATH', entryPath: path });
    expect(error.message).toMatch(
      /^Invalid entry path ".*": expected a relative path with forward slashes and no "\.\.", "\." or empty segment, but it contains U\+[0-9A-F]{4} \(.+\) at index \d+$/,
    );
    expect(error.message).toContain(`contains ${code} (`);
    expect(error.message).toContain(`) at index ${index}`);
    // The message shows the name's controls escaped, not at work.
    expect(error.message).not.toMatch(UNESCAPED);
    expect(sink.destroyed).toBe(true);
    await expect(readZip(sink.buffer)).rejects.toThrow(/end of central directory record/i);
  });

  it('names the character, what it imitates and how it gets there', async () => {
    const division = await refusal(['..\u2215x']);
    const rlo = await refusal(['listing/foto\u202Egpj.exe']);
    const nel = await refusal(['a\u0085b']);
    const fullwidth = await refusal(['\uFF0E\uFF0E/x']);

    expect(division.error.message).toBe(
      'Invalid entry path "..\u2215x": expected a relative path with forward slashes and no "..", "." or empty segment, but it contains U+2215 (DIVISION SLASH, a lookalike of "/" that Windows\' best fit conversion turns into "/") at index 2',
    );
    expect(rlo.error.message).toBe(
      'Invalid entry path "listing/foto\\u202egpj.exe": expected a relative path with forward slashes and no "..", "." or empty segment, but it contains U+202E (RIGHT-TO-LEFT OVERRIDE, a bidirectional control that reorders the name\'s display) at index 12',
    );
    expect(nel.error.message).toBe(
      'Invalid entry path "a\\u0085b": expected a relative path with forward slashes and no "..", "." or empty segment, but it contains U+0085 (a control character) at index 1',
    );
    expect(fullwidth.error.message).toMatch(
      / but it contains U\+FF0E \(FULLWIDTH FULL STOP, a lookalike of "\." that Windows' best fit conversion and NFKC normalization turn into "\."\) at index 0$/,
    );
  });

  it.each([
    ['256 ASCII bytes', `listing/${'a'.repeat(252)}.jpg`, 2, 8, 256],
    ['128 two-byte letters (256 bytes)', `${'é'.repeat(128)}/a.jpg`, 1, 0, 256],
    ['64 four-byte emoji (256 bytes)', `listing/fotos/${'📷'.repeat(64)}`, 3, 14, 256],
    ['a 65,535-byte name (unzip truncates it)', 'a'.repeat(65_535), 1, 0, 65_535],
  ])('a segment over 255 bytes: %s', async (_what, path, segment, index, bytes) => {
    const { error } = await refusal([path]);

    expect(error).toMatchObject({ code: 'INVALID_PATH', entryPath: path });
    expect(error.message).toMatch(
      `but it has a segment longer than 255 bytes in UTF-8 (segment ${segment}, at index ${index}, is ${bytes} bytes)`,
    );
  });
});

describe('createZip refuses names that collide (DUPLICATE_PATH)', () => {
  it.each([
    ['the same path', ['a.jpg', 'a.jpg'], 'but entry #2 repeats it'],
    ['letter case', ['a.jpg', 'A.JPG'], 'but entry #2 is the same path as entry #1 "a.jpg"'],
    [
      'letter case of a folder',
      ['fotos/a.jpg', 'FOTOS/b.jpg'],
      'but entry #2 has the folder "FOTOS" where entry #1 "fotos/a.jpg" has "fotos"',
    ],
    [
      'NFC and NFD',
      ['caf\u00E9.jpg', 'cafe\u0301.jpg'],
      'but entry #2 is the same path as entry #1 "caf\u00E9.jpg"',
    ],
    [
      'NFC and NFD of a folder',
      ['S\u00E3o Paulo/a.jpg', 'Sa\u0303o Paulo/b.jpg'],
      'but entry #2 has the folder "Sa\u0303o Paulo" where entry #1 "S\u00E3o Paulo/a.jpg" has "S\u00E3o Paulo"',
    ],
    ['NFKC: a ligature', ['file.txt', '\uFB01le.txt'], 'is the same path as entry #1 "file.txt"'],
    ['NFKC: fullwidth letters', ['a.jpg', '\uFF41.jpg'], 'is the same path as entry #1 "a.jpg"'],
    ['case folding: ß and SS', ['stra\u00DFe.txt', 'STRASSE.txt'], 'is the same path as entry #1'],
    [
      'an invisible character',
      ['a.jpg', 'a\u200B.jpg'],
      'Duplicate entry path "a\\u200b.jpg": expected every path once, whatever its letter case and Unicode normalization, but entry #2 is the same path as entry #1 "a.jpg"',
    ],
    [
      'a file, then a folder of the same name',
      ['a', 'a/b.jpg'],
      'Duplicate entry path "a/b.jpg": expected no path to be both a file and a folder, but entry #2 has a folder "a" where entry #1 "a" is a file',
    ],
    [
      'a folder, then a file of the same name',
      ['a/b.jpg', 'a'],
      'Duplicate entry path "a": expected no path to be both a file and a folder, but entry #2 is a file where entry #1 "a/b.jpg" has a folder "a"',
    ],
    [
      'a deep folder, then a file of another case',
      ['a/b/c.jpg', 'a/B'],
      'but entry #2 is a file where entry #1 "a/b/c.jpg" has a folder "a/b"',
    ],
    [
      'a file, then a folder of another case',
      ['fotos', 'Fotos/b.jpg'],
      'but entry #2 has a folder "Fotos" where entry #1 "fotos" is a file',
    ],
  ])('%s', async (_attack, paths, message) => {
    const { error, sink } = await refusal(paths);

    expect(error).toMatchObject({ code: 'DUPLICATE_PATH', entryPath: paths[1] });
    expect(error.message).toContain(message);
    expect(sink.destroyed).toBe(true);
    await expect(readZip(sink.buffer)).rejects.toThrow(/end of central directory record/i);
  });

  it('finds a collision across an async iterable, however far apart, and leaves no zip', async () => {
    const sink = new MemorySink();
    const opened: string[] = [];
    async function* listing(): AsyncGenerator<ZipEntry> {
      yield { path: 'fotos/sala.jpg', source: photo };
      for (let i = 0; i < 500; i += 1) yield { path: `fotos/${i}.jpg`, source: photo };
      yield {
        path: 'Fotos/Sala.JPG',
        source: async () => {
          opened.push('Fotos/Sala.JPG');
          throw new Error('never opened');
        },
      };
    }

    const error = await rejectionOf(createZip(listing(), sink));

    expect(error).toMatchObject({ code: 'DUPLICATE_PATH', entryPath: 'Fotos/Sala.JPG' });
    expect((error as Error).message).toContain('where entry #0 "fotos/sala.jpg" has "fotos"');
    expect(opened).toEqual([]);
    await expect(readZip(sink.buffer)).rejects.toThrow(/end of central directory record/i);
    await expect(sevenZipTestBuffer(sink.buffer)).rejects.toThrow(/7-Zip found errors/);
  });
});

describe('createZip keeps ordinary names', () => {
  it('zips accented, CJK, emoji and dotted names, and names that only look alike', async () => {
    const paths = [
      'fotos/S\u00E3o Paulo/pra\u00E7a da S\u00E9 \u2014 a\u00E7\u00E3o.jpg',
      'fotos/Concei\u00E7\u00E3o/ma\u00E7\u00E3 & p\u00EAssego (1).jpeg',
      'fotos/Jo\u00E3o/cora\u00E7\u00E3o.png', // NFD names from a Mac are kept as they are
      'fotos/Jo\u00E3o/cora\u00E7a\u0303o-2.png',
      '\u5199\u771F/\u6771\u4EAC\u30BF\u30EF\u30FC.jpg',
      '\uC0AC\uC9C4/\uC11C\uC6B8.png',
      '\u{1F3E0} casa/\u{1F468}\u200D\u{1F469}\u200D\u{1F467} fam\u00EDlia.jpg', // ZWJ sequence
      '\u{1F3E0} casa/\u2764\uFE0F.jpg', // variation selector
      '\u0627\u0644\u0635\u0648\u0631/\u0628\u064A\u062A.jpg', // Arabic, no bidi control
      'v1.2.3/archive.tar.gz',
      '.hidden/.env.example',
      'plans/floor...final.pdf',
      'a',
      'ab/c.jpg',
      'a.jpg/readme.txt',
      'fotos/a.jpg',
      'fotos/b.jpg',
      `long/${'a'.repeat(251)}.jpg`, // 255 bytes
      `long/${'\u00E9'.repeat(127)}a`, // 255 bytes
    ];
    const sink = new MemorySink();

    const summary = await createZip(
      paths.map((path) => ({ path, source: Buffer.from(path) })),
      sink,
    );

    expect(summary.entries).toBe(paths.length);
    const read = await readZip(sink.buffer);
    expect(read.map((entry) => entry.path)).toEqual(paths);
    expect(read.map((entry) => entry.data.toString())).toEqual(paths);
    const sevenZip = await sevenZipTestBuffer(sink.buffer);
    expect(sevenZip.files).toBe(paths.length);
  });
});
