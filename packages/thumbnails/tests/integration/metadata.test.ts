import exifReader from 'exif-reader';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRenditions, type RenditionSet } from '../../src/index';
import { at, fixture } from '../helpers';

const XMP =
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Seller Name</dc:creator>' +
  '</rdf:Description></rdf:RDF></x:xmpmeta>';
const COMMENT = 'secret-comment-4711';
const CAPTION = 'secret-iptc-caption';

/** A JPEG segment: marker, 2-byte length, payload. */
function segment(marker: number, payload: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

/** An APP13 Photoshop segment holding one IPTC-IIM caption (dataset 2:120). */
function iptcSegment(caption: string): Buffer {
  const text = Buffer.from(caption, 'latin1');
  const dataset = Buffer.concat([Buffer.from([0x1c, 2, 120, 0, text.length]), text]);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(dataset.length);
  const resource = Buffer.concat([Buffer.from('8BIM'), Buffer.from([4, 4, 0, 0]), size, dataset]);
  return segment(0xed, Buffer.concat([Buffer.from('Photoshop 3.0\0', 'latin1'), resource]));
}

/** The markers of a JPEG's segments up to the scan (SOI excluded). */
function jpegMarkers(jpeg: Buffer): number[] {
  const markers: number[] = [];
  let offset = 2;
  while (offset < jpeg.length && jpeg[offset] === 0xff) {
    const marker = jpeg.readUInt8(offset + 1);
    markers.push(marker);
    if (marker === 0xda) break;
    offset += 2 + jpeg.readUInt16BE(offset + 2);
  }
  return markers;
}

/** The GPS latitude recorded in an image's EXIF, if any. */
function gpsLatitude(exif: Buffer | undefined) {
  return exif ? exifReader(exif).GPSInfo?.GPSLatitude : undefined;
}

describe('createRenditions strips all metadata', () => {
  let photo: Buffer;
  let set: RenditionSet;

  beforeAll(async () => {
    // Prepare: a phone-like photo with GPS, camera EXIF, XMP, an ICC profile, then IPTC and a
    // comment spliced in after SOI
    const tagged = await sharp(fixture('Landscape', 0))
      .withExif({
        IFD0: { Make: 'PhoneMaker', Model: 'Phone 15', Orientation: '1' },
        IFD3: {
          GPSLatitudeRef: 'S',
          GPSLatitude: '23/1 33/1 1/1',
          GPSLongitudeRef: 'W',
          GPSLongitude: '46/1 37/1 59/1',
        },
      })
      .withXmp(XMP)
      .withIccProfile('p3')
      .jpeg()
      .toBuffer();
    photo = Buffer.concat([
      tagged.subarray(0, 2),
      iptcSegment(CAPTION),
      segment(0xfe, Buffer.from(COMMENT)),
      tagged.subarray(2),
    ]);
    set = await createRenditions(photo, { formats: ['webp', 'avif'] });
  });

  it('starts from a photo that really carries GPS, XMP, IPTC, ICC and a comment', async () => {
    const input = await sharp(photo).metadata();
    expect(gpsLatitude(input.exif)).toEqual([23, 33, 1]);
    expect(input.xmp?.toString()).toContain('Seller Name');
    expect(input.iptc?.toString('latin1')).toContain(CAPTION);
    expect(input.icc).toBeDefined();
    expect(jpegMarkers(photo)).toEqual(expect.arrayContaining([0xe1, 0xe2, 0xed, 0xfe]));
    expect(photo.includes(COMMENT)).toBe(true);
  });

  it('writes no EXIF, GPS, XMP, IPTC, ICC or comment into any rendition', async () => {
    expect(set.renditions.map((r) => r.ext).sort()).toEqual(
      [...Array(4).fill('avif'), ...Array(4).fill('jpg'), ...Array(4).fill('webp')].sort(),
    );
    for (const rendition of set.renditions) {
      const out = await sharp(rendition.data).metadata();
      const where = `${rendition.size}.${rendition.ext}`;
      expect(gpsLatitude(out.exif), where).toBeUndefined();
      expect([out.exif, out.xmp, out.iptc, out.icc, out.comments], where).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
      const bytes = rendition.data.toString('latin1');
      for (const trace of ['Exif\0', 'PhoneMaker', 'Seller Name', CAPTION, COMMENT, 'Photoshop']) {
        expect(bytes.includes(trace), `${where} contains ${trace}`).toBe(false);
      }
    }
  });

  it('writes progressive JPEGs whose only segments are tables, frame and scan', () => {
    for (const rendition of set.renditions.filter((r) => r.ext === 'jpg')) {
      // DQT, SOF2 (progressive), DHT, SOS: no APP1 (EXIF/XMP), APP2 (ICC), APP13 (IPTC), COM
      expect(new Set(jpegMarkers(rendition.data))).toEqual(new Set([0xdb, 0xc2, 0xc4, 0xda]));
    }
  });

  it('strips a transparent PNG with EXIF and XMP down to its pixels', async () => {
    // Prepare
    const png = await sharp(fixture('Portrait', 0))
      .resize(300)
      .ensureAlpha(0.5)
      .withExif({ IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '1/1 2/1 3/1' } })
      .withXmp(XMP)
      .png()
      .toBuffer();
    expect(gpsLatitude((await sharp(png).metadata()).exif)).toEqual([1, 2, 3]);
    // Act
    const result = await createRenditions(png, { sizes: ['thumbnail'] });
    // Assess
    const rendition = at(result.renditions, 0);
    expect(rendition.ext).toBe('png');
    const out = await sharp(rendition.data).metadata();
    expect([out.exif, out.xmp, out.icc]).toEqual([undefined, undefined, undefined]);
    expect(rendition.data.toString('latin1')).not.toMatch(/eXIf|iTXt|tEXt|zTXt|Seller Name/);
  });
});
