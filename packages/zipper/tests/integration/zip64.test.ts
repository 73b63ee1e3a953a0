import { createZip, type ZipEntry } from '@toq/zipper';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MemorySink, readZip, sevenZipTestBuffer } from '../support/zip.ts';

/** One more entry than the classic end-of-central-directory record can count (0xFFFF). */
const COUNT = 70_000;

const content = (i: number) => Buffer.from(`entry ${i}\n`);
const path = (i: number) => `photo/thumbnail/${String(i).padStart(5, '0')}.jpg`;

function* manyEntries(): Generator<ZipEntry> {
  for (let i = 0; i < COUNT; i += 1) yield { path: path(i), source: content(i) };
}

describe('createZip past 65,535 entries', () => {
  it('switches to ZIP64 and every entry reads back with its path, size and CRC', async () => {
    // Act
    const sink = new MemorySink();
    const summary = await createZip(manyEntries(), sink);
    const archive = sink.buffer;

    // Assess: the ZIP64 end-of-central-directory record and locator precede the classic record,
    // whose 16-bit entry count says "see ZIP64" (0xFFFF).
    const eocd = archive.length - 22;
    expect(archive.readUInt32LE(eocd)).toBe(0x06054b50);
    expect(archive.readUInt16LE(eocd + 10)).toBe(0xffff);
    expect(archive.readUInt32LE(eocd - 20)).toBe(0x07064b50);
    expect(archive.readUInt32LE(eocd - 20 - 56)).toBe(0x06064b50);
    expect(Number(archive.readBigUInt64LE(eocd - 20 - 56 + 32))).toBe(COUNT);
    expect(summary).toEqual({ entries: COUNT, bytes: archive.length });

    const entries = await readZip(archive, { withData: false });
    expect(entries).toHaveLength(COUNT);
    const mismatches = entries.filter(
      (entry, i) =>
        entry.path !== path(i) ||
        entry.size !== content(i).length ||
        entry.crc32 !== crc32(content(i)) >>> 0,
    );
    expect(mismatches).toEqual([]);

    expect(await sevenZipTestBuffer(archive)).toMatchObject({ files: COUNT });
  });
});
