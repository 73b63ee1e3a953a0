import { describe, expect, it } from 'vitest';
import { describeValue } from '@toq/contracts';
import { describeValue as fromConstants } from '@toq/contracts/constants';

class Listing {
  readonly id = 'listing-42';
}

describe('describeValue', () => {
  it.each([
    ['a string, quoted', 'listing-42', '"listing-42"'],
    ['an empty string', '', '""'],
    ['quotes and backslashes, backslashed', 'a"b\\c', '"a\\"b\\\\c"'],
    ['invisible characters, escaped', 'a\u202Eb\n\u0000', '"a\\u{202e}b\\u{a}\\u{0}"'],
    ['non-ASCII characters, escaped', 'café 📷', '"caf\\u{e9} \\u{1f4f7}"'],
    ['a number', 42, '42'],
    ['a fraction', 1.5, '1.5'],
    ['minus zero', -0, '-0'],
    ['NaN', Number.NaN, 'NaN'],
    ['a boolean', false, 'false'],
    ['a bigint', 12n, '12n'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a symbol', Symbol('secret'), 'a symbol'],
    ['a function', () => 1, 'a function'],
    ['an empty array', [], 'an empty array'],
    ['an array of one item', ['huge'], 'an array of 1 item'],
    ['an array', [1, 2, 3], 'an array of 3 items'],
    ['a Buffer', Buffer.from('hello'), 'a Buffer of 5 bytes'],
    ['a Uint8Array', new Uint8Array(3), 'a Uint8Array of 3 bytes'],
    ['a one-byte Buffer', Buffer.of(1), 'a Buffer of 1 byte'],
    ['an Int16Array', new Int16Array(3), 'an Int16Array of 6 bytes'],
    ['a Date', new Date(Date.UTC(2026, 0, 1)), 'a Date (2026-01-01T00:00:00.000Z)'],
    ['an invalid Date', new Date(Number.NaN), 'an invalid Date'],
    ['a plain object', { a: 1 }, 'an object (Object)'],
    ['an object without prototype', Object.create(null), 'an object (Object)'],
    ['a class instance', new Listing(), 'an object (Listing)'],
    ['a Map', new Map(), 'an object (Map)'],
  ])('shows %s', (_label, value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });

  it('cuts a string at maxLength characters (40 by default) and says how long it was', () => {
    expect(describeValue('x'.repeat(10_240))).toBe(`"${'x'.repeat(40)}…" (10240 characters)`);
    expect(describeValue('x'.repeat(40))).toBe(`"${'x'.repeat(40)}"`);
    expect(describeValue('abcdef', 3)).toBe('"abc…" (6 characters)');
  });

  it('never names an object by its own properties, nor calls its methods', () => {
    const hostile = JSON.parse(
      '{"constructor":{"name":"\u202Eevil"},"toString":1,"toJSON":1}',
    ) as unknown;
    expect(describeValue(hostile)).toBe('an object (Object)');
    const throwing = {
      toString() {
        throw new Error('called');
      },
    };
    expect(describeValue(throwing)).toBe('an object (Object)');
  });

  it('escapes and cuts a class name', () => {
    class Odd {
      readonly odd = true;
    }
    Object.defineProperty(Odd, 'name', { value: 'a\u202Eb'.padEnd(60, 'c') });
    expect(describeValue(new Odd())).toBe(`an object (a\\u{202e}b${'c'.repeat(37)})`);
  });

  it('never throws, even on a revoked Proxy', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(describeValue(proxy)).toBe('an object');
  });

  it('is the same function at @toq/contracts/constants (no zod)', () => {
    expect(fromConstants).toBe(describeValue);
  });
});
