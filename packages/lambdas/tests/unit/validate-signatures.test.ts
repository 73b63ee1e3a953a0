import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { sniffMedia } from '../../src/domain/validate-signatures.ts';
import { fixturePath } from '../../../../tools/testing/fixtures.ts';

const ftyp = (major: string, ...compatible: string[]) => {
  const brands = [major, '\0\0\0\0', ...compatible].join('');
  const size = 8 + brands.length;
  return Buffer.concat([Buffer.from([0, 0, 0, size]), Buffer.from('ftyp' + brands, 'latin1')]);
};

describe('sniffMedia', () => {
  it('recognises a real JPEG from the fixtures', async () => {
    // The repository's fixtures/exif-orientation (fixtures/README.md).
    const photo = await readFile(fixturePath('exif-orientation', 'Landscape_6.jpg'));

    expect(sniffMedia(photo.subarray(0, 512))).toMatchObject({
      format: 'jpeg',
      mediaType: 'photo',
    });
  });

  it.each([
    ['png', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), 'png', ['png']],
    ['webp', Buffer.from('RIFF\x24\0\0\0WEBPVP8 ', 'latin1'), 'webp', ['webp']],
    ['tiff (little endian)', Buffer.from('49492a0008000000', 'hex'), 'tiff', ['tif', 'tiff']],
    ['tiff (big endian)', Buffer.from('4d4d002a00000008', 'hex'), 'tiff', ['tif', 'tiff']],
    ['heic', ftyp('heic', 'mif1', 'heic'), 'heif', ['heic', 'heif']],
    ['heif (mif1)', ftyp('mif1', 'heic'), 'heif', ['heic', 'heif']],
    ['avif (mif1 compatible)', ftyp('avif', 'mif1', 'miaf'), 'avif', ['avif']],
    ['mp4', ftyp('isom', 'isom', 'iso2', 'avc1', 'mp41'), 'mp4', ['mp4', 'm4v']],
    ['m4v', ftyp('M4V ', 'M4V ', 'mp42'), 'm4v', ['m4v', 'mp4']],
    ['mov', ftyp('qt  ', 'qt  '), 'quicktime', ['mov']],
    ['old QuickTime', Buffer.from('\0\0\0\x08wide\0\0\0\0mdat', 'latin1'), 'quicktime', ['mov']],
    [
      'webm',
      Buffer.from('1a45dfa3a34286810142f7810142f2810442f381084282847765626d', 'hex'),
      'webm',
      ['webm'],
    ],
  ])('recognises %s', (_name, bytes, format, extensions) => {
    expect(sniffMedia(bytes)).toMatchObject({ format, extensions });
  });

  it.each([
    ['GIF', Buffer.from('GIF89a', 'latin1')],
    ['3GP', ftyp('3gp4', '3gp4')],
    [
      'Matroska that is not WebM',
      Buffer.from('1a45dfa3a342868101428288' + Buffer.from('matroska').toString('hex'), 'hex'),
    ],
    ['text', Buffer.from('hello, world')],
    ['nothing', Buffer.alloc(0)],
  ])('does not recognise %s', (_name, bytes) => {
    expect(sniffMedia(bytes)).toBeUndefined();
  });
});
