import { zipEntryPath } from '@toq/contracts';
import { createZip, type ZipEntry } from '@toq/zipper';
import { ZipArchive } from 'archiver';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { mixedEntries } from '../support/mixed-entries.ts';
import {
  MemorySink,
  chunked,
  pseudoRandomBytes,
  readZip,
  sha256,
  sevenZipTestBuffer,
} from '../support/zip.ts';

const mediaIds = [
  '0b7c1a52-1f0e-4c7e-9a51-6f6d2a7b9c10',
  '5d2e8f10-3a4b-4c6d-8e9f-1a2b3c4d5e6f',
  '9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4',
] as const;

/** A listing's bundle in miniature: photos from streams, a video opened lazily, a text file. */
function bundleEntries(): ZipEntry[] {
  const photo = pseudoRandomBytes(300_000, 1);
  const poster = pseudoRandomBytes(20_000, 2);
  const video = pseudoRandomBytes(1_500_000, 3);
  return [
    {
      path: zipEntryPath({ mediaType: 'photo', size: 'large', mediaId: mediaIds[0], ext: 'jpg' }),
      source: chunked(photo),
      size: photo.length,
    },
    {
      path: zipEntryPath({ mediaType: 'photo', size: 'small', mediaId: mediaIds[1], ext: 'webp' }),
      source: Buffer.from(poster),
    },
    {
      path: zipEntryPath({ mediaType: 'video', size: 'large', mediaId: mediaIds[2], ext: 'mp4' }),
      source: async () => chunked(video, 100_000),
    },
    { path: 'manifest.json', source: Buffer.from(JSON.stringify({ photos: 2 }).repeat(200)) },
  ];
}

async function zipToBuffer(entries: ZipEntry[] | AsyncIterable<ZipEntry>, options = {}) {
  const sink = new MemorySink();
  const summary = await createZip(entries, sink, options);
  return { summary, archive: sink.buffer };
}

describe('createZip', () => {
  it('writes every entry with its path, size, CRC and content, read back by yauzl and 7-Zip', async () => {
    // Prepare
    const entries = bundleEntries();
    const expected = [
      pseudoRandomBytes(300_000, 1),
      pseudoRandomBytes(20_000, 2),
      pseudoRandomBytes(1_500_000, 3),
      Buffer.from(JSON.stringify({ photos: 2 }).repeat(200)),
    ];

    // Act
    const { summary, archive } = await zipToBuffer(entries);

    // Assess
    const read = await readZip(archive);
    expect(read.map((e) => e.path)).toEqual([
      `photo/large/${mediaIds[0]}.jpg`,
      `photo/small/${mediaIds[1]}.webp`,
      `video/large/${mediaIds[2]}.mp4`,
      'manifest.json',
    ]);
    expect(read.map((e) => e.size)).toEqual(expected.map((b) => b.length));
    expect(read.map((e) => sha256(e.data))).toEqual(expected.map(sha256));
    expect(summary).toEqual({ entries: 4, bytes: archive.length });
    const report = await sevenZipTestBuffer(archive);
    expect(report).toMatchObject({ files: 4, size: expected.reduce((n, e) => n + e.length, 0) });
  });

  it('stores already-compressed media and deflates the rest', async () => {
    const text = Buffer.from('the same line again\n'.repeat(5000));
    const entries: ZipEntry[] = [
      ...['jpg', 'JPEG', 'png', 'webp', 'avif', 'mp4', 'mov', 'txt', 'json'].map((ext) => ({
        path: `f/a.${ext}`,
        source: Buffer.from(text),
      })),
      { path: 'no-extension', source: chunked(text) },
    ];

    const { archive } = await zipToBuffer(entries);

    const methods = Object.fromEntries((await readZip(archive)).map((e) => [e.path, e.method]));
    expect(methods).toEqual({
      'f/a.jpg': 0,
      'f/a.JPEG': 0,
      'f/a.png': 0,
      'f/a.webp': 0,
      'f/a.avif': 0,
      'f/a.mp4': 0,
      'f/a.mov': 0,
      'f/a.txt': 8,
      'f/a.json': 8,
      'no-extension': 8,
    });
    const deflated = (await readZip(archive)).find((e) => e.path === 'f/a.txt');
    expect(deflated?.compressedSize).toBeLessThan(text.length / 10);
  });

  it('stores every entry when compressionLevel is 0', async () => {
    const { archive } = await zipToBuffer(
      [{ path: 'a.txt', source: chunked(Buffer.from('x'.repeat(10_000))) }],
      { compressionLevel: 0 },
    );
    const [entry] = await readZip(archive);
    expect(entry).toMatchObject({ method: 0, size: 10_000, compressedSize: 10_000 });
  });

  it('gives every entry the fixed date and rw-r--r-- permissions', async () => {
    const { archive } = await zipToBuffer(bundleEntries());
    const { archive: dated } = await zipToBuffer(bundleEntries(), {
      date: new Date('2026-11-25T10:20:30Z'),
    });

    for (const entry of await readZip(archive)) {
      expect(entry.mode).toBe(0o644);
      expect(entry.modified.toISOString()).toBe('1980-01-01T00:00:00.000Z');
    }
    for (const entry of await readZip(dated)) {
      expect(entry.modified.toISOString()).toBe('2026-11-25T10:20:30.000Z');
    }
  });

  it('gives byte-identical archives for the same entries, whatever the time zone', async () => {
    const zone = process.env.TZ;
    try {
      process.env.TZ = 'UTC';
      const first = await zipToBuffer(bundleEntries());
      process.env.TZ = 'Pacific/Kiritimati'; // UTC+14: a different calendar day from UTC
      const second = await zipToBuffer(bundleEntries());

      expect(sha256(second.archive)).toBe(sha256(first.archive));
      expect(first.archive.length).toBeGreaterThan(1_800_000);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('gives a different archive when the content differs by one byte', async () => {
    const changed = bundleEntries();
    const data = pseudoRandomBytes(20_000, 2);
    data.writeUInt8((data.readUInt8(100) + 1) & 0xff, 100);
    changed.splice(1, 1, { path: `photo/small/${mediaIds[1]}.webp`, source: data });

    const first = await zipToBuffer(bundleEntries());
    const second = await zipToBuffer(changed);

    expect(sha256(second.archive)).not.toBe(sha256(first.archive));
  });

  it("writes the bytes of archiver's own append: stored and deflated, Buffers and streams, empty, non-ASCII", async () => {
    const date = new Date('2026-11-25T10:20:30Z');
    const { archive: zipped } = await zipToBuffer(mixedEntries(), { date });

    const archive = new ZipArchive({ zlib: { level: 6 } });
    const expected = new MemorySink();
    const written = pipeline(archive, expected);
    for (const { path, source } of mixedEntries()) {
      archive.append(typeof source === 'function' ? await source() : source, {
        name: path,
        date,
        mode: 0o644,
        store: path.endsWith('.jpg'),
      });
    }
    await archive.finalize();
    await written;

    expect(zipped.length).toBe(expected.buffer.length);
    expect(sha256(zipped)).toBe(sha256(expected.buffer));
  });

  it('reads entries from an async generator', async () => {
    async function* listing(): AsyncGenerator<ZipEntry> {
      for (let i = 0; i < 3; i += 1) {
        await new Promise((resolve) => setImmediate(resolve));
        yield { path: `photo/thumbnail/${i}.jpg`, source: async () => Readable.from([`p${i}`]) };
      }
    }

    const { summary, archive } = await zipToBuffer(listing());

    const read = await readZip(archive);
    expect(read.map((e) => [e.path, e.data.toString()])).toEqual([
      ['photo/thumbnail/0.jpg', 'p0'],
      ['photo/thumbnail/1.jpg', 'p1'],
      ['photo/thumbnail/2.jpg', 'p2'],
    ]);
    expect(summary.entries).toBe(3);
  });

  it('writes a valid empty archive for no entries', async () => {
    const { summary, archive } = await zipToBuffer([]);

    expect(await readZip(archive)).toEqual([]);
    expect(summary).toEqual({ entries: 0, bytes: 22 });
  });

  it('keeps non-ASCII paths, flagged as UTF-8 (read back with strict file names)', async () => {
    const { archive } = await zipToBuffer([
      { path: 'fotos/sala de estar é.jpg', source: Buffer.from('x') },
    ]);

    expect((await readZip(archive)).map((e) => e.path)).toEqual(['fotos/sala de estar é.jpg']);
    expect((await sevenZipTestBuffer(archive)).paths).toEqual(['fotos/sala de estar é.jpg']);
  });
});
