/** Every character outside printable ASCII: control, bidi, zero-width, non-ASCII, lone surrogates. */
const UNPRINTABLE = /[^\x20-\x7e]/gu;

/** `text` with `"` and `\` backslashed and every character outside printable ASCII as `\u{…}`. */
function escape(text: string): string {
  return text
    .replace(/["\\]/g, (c) => `\\${c}`)
    .replace(UNPRINTABLE, (c) => `\\u{${c.codePointAt(0)?.toString(16)}}`);
}

/** The name of the class `value` is an instance of (its prototype's), `Object` when it has none. */
function className(value: object): string {
  const name: unknown = (Object.getPrototypeOf(value) as { constructor?: unknown } | null)
    ?.constructor;
  const text = typeof name === 'function' ? name.name : '';
  return text === '' ? 'Object' : escape(text.slice(0, 40));
}

/** `a` or `an` before `word` (`an Int8Array`, `a Uint8Array`, `an object`). */
function article(word: string): string {
  return /^[aeio]/i.test(word) ? `an ${word}` : `a ${word}`;
}

/**
 * A value as an error message shows it, after "received": what a caller needs to find the mistake,
 * and nothing a hostile input could use to flood a log or forge a line in it.
 *
 * - A string is quoted, cut at `maxLength` characters (its length then follows), with `"` and `\`
 *   backslashed and every character outside printable ASCII escaped: `"a\u{202e}b"`,
 *   `"xxx…" (10240 characters)`.
 * - A number, boolean, bigint, `null` or `undefined` is written as it is: `42`, `-0`, `NaN`,
 *   `true`, `12n`, `null`, `undefined`.
 * - Anything else by its kind: `an empty array`, `an array of 3 items`, `a Buffer of 12 bytes`
 *   (any typed array or DataView), `a Date (2026-01-01T00:00:00.000Z)`, `an invalid Date`,
 *   `a function`, `a symbol`, `an object (Object)`, `an object (Map)`. Objects are named by their
 *   class (their prototype's constructor), never by their own properties.
 *
 * It never throws, and never calls the value's `toString` or `toJSON`.
 *
 * @example
 * `must be a UUID, received ${describeValue(input)}` // …, received "listing-42" / received 42
 */
export function describeValue(value: unknown, maxLength = 40): string {
  switch (typeof value) {
    case 'string': {
      const shown = `"${escape(value.slice(0, maxLength))}`;
      return value.length > maxLength ? `${shown}…" (${value.length} characters)` : `${shown}"`;
    }
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
  }
  if (value === null) return 'null';
  try {
    if (Array.isArray(value)) {
      const { length } = value;
      return length === 0
        ? 'an empty array'
        : `an array of ${length} item${length === 1 ? '' : 's'}`;
    }
    if (ArrayBuffer.isView(value)) {
      const bytes = value.byteLength;
      return `${article(className(value))} of ${bytes} byte${bytes === 1 ? '' : 's'}`;
    }
    if (value instanceof Date) {
      const time = Date.prototype.getTime.call(value);
      return Number.isNaN(time) ? 'an invalid Date' : `a Date (${new Date(time).toISOString()})`;
    }
    return `an object (${className(value as object)})`;
  } catch {
    // A revoked Proxy, or a prototype chain that throws.
    return 'an object';
  }
}
