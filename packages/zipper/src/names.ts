/**
 * The characters an entry path may not contain, and the key under which two paths count as the
 * same name. Anyone who uploads a file to a listing names it, so a name may be built to deceive
 * (a right-to-left override that shows `gpj.exe` as `exe.jpg`), to escape the extraction folder
 * on Windows (`..∕x`, whose division slash Windows' "best fit" conversion turns into `../x`), or
 * to overwrite another entry on a case-insensitive file system (`a.jpg` and `A.JPG`).
 */

/** The bidirectional controls: they reorder how the rest of a name is displayed. */
const BIDI_CONTROLS: ReadonlyMap<number, string> = new Map([
  [0x061c, 'ARABIC LETTER MARK'],
  [0x200e, 'LEFT-TO-RIGHT MARK'],
  [0x200f, 'RIGHT-TO-LEFT MARK'],
  [0x202a, 'LEFT-TO-RIGHT EMBEDDING'],
  [0x202b, 'RIGHT-TO-LEFT EMBEDDING'],
  [0x202c, 'POP DIRECTIONAL FORMATTING'],
  [0x202d, 'LEFT-TO-RIGHT OVERRIDE'],
  [0x202e, 'RIGHT-TO-LEFT OVERRIDE'],
  [0x2066, 'LEFT-TO-RIGHT ISOLATE'],
  [0x2067, 'RIGHT-TO-LEFT ISOLATE'],
  [0x2068, 'FIRST STRONG ISOLATE'],
  [0x2069, 'POP DIRECTIONAL ISOLATE'],
]);

/** The line and paragraph separators: a new line in a listing, like `\n`. */
const SEPARATORS: ReadonlyMap<number, string> = new Map([
  [0x2028, 'LINE SEPARATOR'],
  [0x2029, 'PARAGRAPH SEPARATOR'],
]);

/**
 * How a lookalike becomes the character it imitates: Windows' "best fit" conversion (a program
 * that extracts through the ANSI file APIs; the tables are Unicode's `WindowsBestFit/bestfit*.txt`),
 * NFKC normalization, or only the eye.
 */
type Becomes = 'best fit' | 'NFKC' | 'best fit, NFKC' | 'looks';

/**
 * Lookalikes of `.`, `/` and `\`: every character that a Windows best-fit table (code pages 874,
 * 932, 936, 949, 950, 1250–1258, 1361) maps to one of them, every one whose NFKC form is only dots
 * or holds a slash, and the big solidi of Unicode's math block.
 */
const LOOKALIKES: ReadonlyMap<number, readonly [name: string, imitates: string, how: Becomes]> =
  new Map([
    [0x00a5, ['YEN SIGN', '\\', 'best fit']], // code page 932 (Japanese): 0x5C is the yen sign
    [0x00b4, ['ACUTE ACCENT', '/', 'best fit']], // code page 1253 (Greek)
    [0x2024, ['ONE DOT LEADER', '.', 'NFKC']],
    [0x2025, ['TWO DOT LEADER', '..', 'NFKC']],
    [0x2044, ['FRACTION SLASH', '/', 'best fit']],
    [0x20a9, ['WON SIGN', '\\', 'best fit']], // code pages 949 and 1361 (Korean)
    [0x2100, ['ACCOUNT OF', 'a/c', 'NFKC']],
    [0x2101, ['ADDRESSED TO THE SUBJECT', 'a/s', 'NFKC']],
    [0x2105, ['CARE OF', 'c/o', 'NFKC']],
    [0x2106, ['CADA UNA', 'c/u', 'NFKC']],
    [0x2215, ['DIVISION SLASH', '/', 'best fit']],
    [0x2216, ['SET MINUS', '\\', 'best fit']],
    [0x29f5, ['REVERSE SOLIDUS OPERATOR', '\\', 'looks']],
    [0x29f8, ['BIG SOLIDUS', '/', 'looks']],
    [0x29f9, ['BIG REVERSE SOLIDUS', '\\', 'looks']],
    [0xfe30, ['PRESENTATION FORM FOR VERTICAL TWO DOT LEADER', '..', 'NFKC']],
    [0xfe52, ['SMALL FULL STOP', '.', 'NFKC']],
    [0xfe68, ['SMALL REVERSE SOLIDUS', '\\', 'NFKC']],
    [0xff0e, ['FULLWIDTH FULL STOP', '.', 'best fit, NFKC']],
    [0xff0f, ['FULLWIDTH SOLIDUS', '/', 'best fit, NFKC']],
    [0xff3c, ['FULLWIDTH REVERSE SOLIDUS', '\\', 'best fit, NFKC']],
  ]);

/** The code points of `LOOKALIKES` as a regular-expression class body. */
const lookalikeClass = [...LOOKALIKES.keys()]
  .map((code) => `\\u${code.toString(16).padStart(4, '0')}`)
  .join('');

/**
 * One refused character: C0 and C1 controls (and DEL), bidirectional controls, line and paragraph
 * separators, lookalikes, and lone surrogates (which UTF-8 cannot encode: written as U+FFFD, two
 * different names would become one). Without the `u` flag, so that surrogates are matched one by one.
 */
const REFUSED = new RegExp(
  `[\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069${lookalikeClass}]` +
    '|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]',
);

/** `U+202E`: a code unit as Unicode writes it. */
export function codePointLabel(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

function whatItIs(code: number): string {
  const bidi = BIDI_CONTROLS.get(code);
  if (bidi !== undefined)
    return `${bidi}, a bidirectional control that reorders the name's display`;
  const separator = SEPARATORS.get(code);
  if (separator !== undefined) return `${separator}, a line break`;
  const lookalike = LOOKALIKES.get(code);
  if (lookalike !== undefined) {
    const [name, imitates, how] = lookalike;
    const shown = JSON.stringify(imitates);
    if (how === 'looks') return `${name}, a lookalike of ${shown}`;
    const by = {
      'best fit': "Windows' best fit conversion turns",
      NFKC: 'NFKC normalization turns',
      'best fit, NFKC': "Windows' best fit conversion and NFKC normalization turn",
    }[how];
    return `${name}, a lookalike of ${shown} that ${by} into ${shown}`;
  }
  if (code >= 0xd800 && code <= 0xdfff) return 'a lone surrogate, not a character';
  return 'a control character';
}

/**
 * The first refused character of `path`, described as `U+202E (RIGHT-TO-LEFT OVERRIDE, …) at
 * index 5` (the index counts UTF-16 code units, as `path[5]` does), or `undefined`.
 */
export function refusedCharacter(path: string): string | undefined {
  const match = REFUSED.exec(path);
  if (match === null) return undefined;
  const code = match[0].charCodeAt(0);
  return `${codePointLabel(code)} (${whatItIs(code)}) at index ${match.index}`;
}

/** Characters that would be invisible or disruptive in an error message. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * `path` quoted for an error message: `JSON.stringify`, with every control, format character
 * (bidirectional controls, zero-width characters) and line separator escaped as `\uXXXX`, so
 * that a message shows a hostile name as it is, not as it wants to be seen.
 */
export function quotePath(path: string): string {
  return JSON.stringify(path).replace(UNPRINTABLE, (character) => {
    let escaped = '';
    for (let i = 0; i < character.length; i += 1) {
      escaped += `\\u${character.charCodeAt(i).toString(16).padStart(4, '0')}`;
    }
    return escaped;
  });
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Code points that are invisible and ignored in comparisons (soft hyphen, zero-width joiner…). */
const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * The key under which two path segments are the same name: NFKC normalization and case folding
 * (close to Unicode's NFKC_Casefold), so that `A.JPG` and `a.jpg`, `café` in NFC and in NFD,
 * `ﬁle` and `file`, `straße` and `STRASSE` have the same key.
 */
export function nameKey(segment: string): string {
  // Printable ASCII (uuids, extensions): NFKC leaves it as it is, and it ignores nothing.
  if (PRINTABLE_ASCII.test(segment)) return segment.toLowerCase();
  return segment
    .replace(DEFAULT_IGNORABLE, '')
    .normalize('NFKC')
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKC');
}
