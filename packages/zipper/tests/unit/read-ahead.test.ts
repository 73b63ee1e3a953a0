import type { ZipEntry } from '@toq/zipper';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { queued, readAheadSpan } from '../../src/read-ahead.ts';

const lazy = async () => Readable.from([]);
const sized = (size: number): ZipEntry => ({ path: 'p.jpg', source: lazy, size });
const waiting = (...entries: ZipEntry[]) => entries.map(queued);

describe('readAheadSpan', () => {
  it('counts the entries that fit in the budget with the one being written', () => {
    expect(readAheadSpan(sized(100), waiting(sized(100), sized(100), sized(100)), 300)).toBe(2);
    expect(readAheadSpan(sized(100), waiting(sized(100), sized(100), sized(100)), 400)).toBe(3);
  });

  it('stops at the first entry that does not fit, even if a later one would', () => {
    expect(readAheadSpan(sized(10), waiting(sized(10), sized(500), sized(10)), 100)).toBe(1);
  });

  it('reads nothing ahead of an entry larger than the budget, or of one without a size', () => {
    expect(readAheadSpan(sized(1_000), waiting(sized(1)), 100)).toBe(0);
    expect(readAheadSpan({ path: 'v.mp4', source: lazy }, waiting(sized(1)), 100)).toBe(0);
  });

  it('ends the span at an entry without a size, and counts a Buffer by its length', () => {
    const unknown: ZipEntry = { path: 'v.mp4', source: lazy };
    const buffer: ZipEntry = { path: 'n.txt', source: Buffer.alloc(50) };
    expect(readAheadSpan(sized(10), waiting(sized(10), unknown, sized(10)), 1_000)).toBe(1);
    expect(readAheadSpan(sized(10), waiting(buffer, buffer, sized(10)), 100)).toBe(1);
  });

  it('reads only empty entries ahead with a budget of 0, and nothing when nothing waits', () => {
    expect(readAheadSpan(sized(0), waiting(sized(1)), 0)).toBe(0);
    expect(readAheadSpan(sized(0), waiting(sized(0), sized(0)), 0)).toBe(2);
    expect(readAheadSpan(sized(10), [], 100)).toBe(0);
  });
});
