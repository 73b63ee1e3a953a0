import { describe, expect, it } from 'vitest';
import {
  declaredDurationSeconds,
  mvhdDurationSeconds,
  truncationOf,
} from '../../src/domain/video-duration.ts';
import { MemoryObjectStore } from '../setup/memory-store.ts';

/** An ISO-BMFF box: 32-bit size, type, body. */
function box(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

/** An `mvhd` body of `version` 0 (32-bit times) or 1 (64-bit), declaring duration/timescale. */
function mvhd(version: 0 | 1, timescale: number, duration: number): Buffer {
  const body = Buffer.alloc(version === 1 ? 108 : 96);
  body[0] = version;
  if (version === 1) {
    body.writeUInt32BE(timescale, 20);
    body.writeBigUInt64BE(BigInt(duration), 24);
  } else {
    body.writeUInt32BE(timescale, 12);
    body.writeUInt32BE(duration, 16);
  }
  return body;
}

const ftyp = box('ftyp', Buffer.from('isom\0\0\x02\0isomiso2avc1mp41', 'latin1'));
const moov = (header: Buffer) =>
  box('moov', Buffer.concat([box('mvhd', header), box('trak', Buffer.alloc(64))]));

async function declared(file: Buffer): Promise<number | undefined> {
  const store = new MemoryObjectStore();
  store.seed('l/raw/video/v.mp4', file);
  return declaredDurationSeconds(store, 'l/raw/video/v.mp4');
}

describe('declaredDurationSeconds', () => {
  it('reads mvhd with moov first (faststart) and moov last, after a large mdat', async () => {
    const header = mvhd(0, 1000, 4020);
    const mdat = box('mdat', Buffer.alloc(200_000));

    expect(await declared(Buffer.concat([ftyp, moov(header), mdat]))).toBe(4.02);
    expect(
      await declared(Buffer.concat([ftyp, box('wide', Buffer.alloc(0)), mdat, moov(header)])),
    ).toBe(4.02);
  });

  it('reads a version 1 mvhd (64-bit times) and a QuickTime timescale', async () => {
    expect(await declared(Buffer.concat([ftyp, moov(mvhd(1, 600, 2400))]))).toBe(4);
  });

  it('declares nothing for a file without moov, a WebM, an unknown duration or a zero timescale', async () => {
    expect(await declared(Buffer.concat([ftyp, box('mdat', Buffer.alloc(100))]))).toBeUndefined();
    expect(
      await declared(Buffer.from('1a45dfa39f4286810142f7810142f2810442f381', 'hex')),
    ).toBeUndefined();
    expect(await declared(Buffer.concat([ftyp, moov(mvhd(0, 1000, 0xffff_ffff))]))).toBeUndefined();
    expect(await declared(Buffer.concat([ftyp, moov(mvhd(0, 0, 4000))]))).toBeUndefined();
  });

  it('declares nothing for an upload that is gone', async () => {
    expect(
      await declaredDurationSeconds(new MemoryObjectStore(), 'l/raw/video/gone.mov'),
    ).toBeUndefined();
  });

  it('stops at a box whose size cannot be right instead of looping', async () => {
    const broken = Buffer.concat([ftyp, Buffer.from([0, 0, 0, 4]), Buffer.from('junk')]);

    expect(await declared(broken)).toBeUndefined();
  });
});

describe('mvhdDurationSeconds', () => {
  it('is undefined for a body too short to hold a duration', () => {
    expect(mvhdDurationSeconds(Buffer.alloc(10))).toBeUndefined();
  });
});

describe('truncationOf', () => {
  it('flags an MP4 half as long as its source, saying both durations', () => {
    expect(truncationOf(4.02, 2.02)).toBe(
      'The MP4 lasts 2.02 s but the upload declares 4.02 s: the upload is truncated (re-upload the whole file)',
    );
  });

  it('lets an MP4 be a second short, or 5 % of a long video, as encoders round', () => {
    expect(truncationOf(4, 3.05)).toBeUndefined();
    expect(truncationOf(100, 95.5)).toBeUndefined();
    expect(truncationOf(100, 90)).toMatch(/truncated/);
    expect(truncationOf(4, 4.1)).toBeUndefined();
  });
});
