/**
 * Makes an iPhone-style rotated HEIC out of an unrotated one: iPhones store the sensor's pixels
 * and a rotation property (`irot`) on the image item, beside an EXIF orientation saying the same.
 * The HEICs in `fixtures/formats` come from libheif 1.15's encoder, which cannot write `irot`, so
 * this adds one: an `irot` box appended to `ipco`, associated with the primary item in `ipma`, box
 * sizes grown and the item locations (`iloc`) after the `meta` box moved by the bytes inserted
 * (ISO/IEC 23008-12).
 */

interface Box {
  type: string;
  start: number;
  end: number;
}

function boxes(data: Buffer, start: number, end: number): Box[] {
  const found: Box[] = [];
  for (let at = start; at + 8 <= end;) {
    const size = data.readUInt32BE(at);
    if (size < 8) throw new Error(`unsupported box size ${size} at ${at}`);
    found.push({ type: data.toString('latin1', at + 4, at + 8), start: at, end: at + size });
    at += size;
  }
  return found;
}

function child(data: Buffer, parent: Box, type: string, header = 8): Box {
  const box = boxes(data, parent.start + header, parent.end).find((b) => b.type === type);
  if (!box) throw new Error(`no ${type} box in ${parent.type}`);
  return box;
}

function readUInt(data: Buffer, at: number, size: number): number {
  return size === 0
    ? 0
    : size === 2
      ? data.readUInt16BE(at)
      : size === 4
        ? data.readUInt32BE(at)
        : NaN;
}

function writeUInt(data: Buffer, at: number, size: number, value: number) {
  if (size === 4) data.writeUInt32BE(value, at);
  else if (size === 2) data.writeUInt16BE(value, at);
  else throw new Error(`unsupported field size ${size}`);
}

/** Moves every file offset in `iloc` that points at or after `from` by `delta` bytes (in place). */
function shiftLocations(data: Buffer, iloc: Box, from: number, delta: number) {
  let at = iloc.start + 8;
  const version = data.readUInt8(at);
  at += 4;
  const sizes = data.readUInt16BE(at);
  const [offsetSize, lengthSize, baseSize, indexSize] = [
    sizes >> 12,
    (sizes >> 8) & 15,
    (sizes >> 4) & 15,
    version > 0 ? sizes & 15 : 0,
  ];
  at += 2;
  const count = version < 2 ? data.readUInt16BE(at) : data.readUInt32BE(at);
  at += version < 2 ? 2 : 4;
  for (let item = 0; item < count; item++) {
    at += version < 2 ? 2 : 4; // item_ID
    const method = version > 0 ? data.readUInt16BE(at) & 15 : 0;
    if (version > 0) at += 2;
    at += 2; // data_reference_index
    const base = readUInt(data, at, baseSize);
    const moveBase = method === 0 && base !== 0 && base >= from;
    if (moveBase) writeUInt(data, at, baseSize, base + delta);
    at += baseSize;
    const extents = data.readUInt16BE(at);
    at += 2;
    for (let extent = 0; extent < extents; extent++) {
      at += indexSize;
      const offset = readUInt(data, at, offsetSize);
      if (method === 0 && base === 0 && offset >= from)
        writeUInt(data, at, offsetSize, offset + delta);
      at += offsetSize + lengthSize;
    }
  }
}

/** Returns a copy of `heic` whose primary image carries `irot` (quarter turns anticlockwise). */
export function withRotation(heic: Buffer, quarterTurnsAnticlockwise: 1 | 2 | 3): Buffer {
  const data = Buffer.from(heic);
  const meta = boxes(data, 0, data.length).find((b) => b.type === 'meta');
  if (!meta) throw new Error('no meta box');
  const primary = data.readUInt16BE(child(data, meta, 'pitm', 12).start + 12);
  const iprp = child(data, meta, 'iprp', 12);
  const ipco = child(data, iprp, 'ipco');
  const ipma = child(data, iprp, 'ipma');
  const propertyIndex = boxes(data, ipco.start + 8, ipco.end).length + 1;
  const irot = Buffer.from([0, 0, 0, 9, 0x69, 0x72, 0x6f, 0x74, quarterTurnsAnticlockwise & 3]);

  // ipma: find the primary item's entry and add one essential association to the new property
  const version = data.readUInt8(ipma.start + 8);
  const wide = (data.readUInt8(ipma.start + 11) & 1) === 1;
  let at = ipma.start + 12;
  const entries = data.readUInt32BE(at);
  at += 4;
  let insertAt = -1;
  for (let entry = 0; entry < entries; entry++) {
    const item = version < 1 ? data.readUInt16BE(at) : data.readUInt32BE(at);
    at += version < 1 ? 2 : 4;
    const associations = data.readUInt8(at);
    if (item === primary) {
      data.writeUInt8(associations + 1, at);
      insertAt = at + 1 + associations * (wide ? 2 : 1);
    }
    at += 1 + associations * (wide ? 2 : 1);
  }
  if (insertAt < 0 || wide || propertyIndex > 127) throw new Error('unsupported ipma layout');
  const association = Buffer.from([0x80 | propertyIndex]);

  const inserted = irot.length + association.length;
  shiftLocations(data, child(data, meta, 'iloc', 12), meta.end, inserted);
  for (const box of [meta, iprp, ipco])
    data.writeUInt32BE(box.end - box.start + (box === ipco ? irot.length : inserted), box.start);
  data.writeUInt32BE(ipma.end - ipma.start + association.length, ipma.start);
  if (ipco.end > ipma.start) throw new Error('expected ipco before ipma');
  return Buffer.concat([
    data.subarray(0, ipco.end),
    irot,
    data.subarray(ipco.end, insertAt),
    association,
    data.subarray(insertAt),
  ]);
}

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

/** A full box: version and 24 bits of flags before the payload. */
function fullBox(type: string, version: number, ...payload: Buffer[]): Buffer {
  return box(type, Buffer.from([version, 0, 0, 0]), ...payload);
}

function u16(...values: number[]): Buffer {
  const data = Buffer.alloc(2 * values.length);
  values.forEach((value, index) => data.writeUInt16BE(value, 2 * index));
  return data;
}

function u32(...values: number[]): Buffer {
  const data = Buffer.alloc(4 * values.length);
  values.forEach((value, index) => data.writeUInt32BE(value, 4 * index));
  return data;
}

/**
 * A HEIC whose primary image is a `grid` of `width`×`height` made of one single-image HEIC's
 * coded picture repeated: every tile item points at the same bytes, so the file stays about the
 * size of the tile while declaring any size (how iPhones store photos, 512 px tiles in a grid,
 * and how a 58 KB file declares 256 megapixels). ISO/IEC 23008-12, §6.6.2.3. `tiles` fewer than
 * cover the image make a file whose header declares the size but that no decoder renders.
 */
export function gridHeic(
  tileHeic: Buffer,
  width: number,
  height: number,
  tiles?: { readonly columns: number; readonly rows: number },
): Buffer {
  const meta = boxes(tileHeic, 0, tileHeic.length).find((b) => b.type === 'meta');
  if (!meta) throw new Error('no meta box');
  const ipco = child(tileHeic, child(tileHeic, meta, 'iprp', 12), 'ipco');
  const hvcC = child(tileHeic, ipco, 'hvcC');
  const ispe = child(tileHeic, ipco, 'ispe');
  const tileWidth = tileHeic.readUInt32BE(ispe.start + 12);
  const tileHeight = tileHeic.readUInt32BE(ispe.start + 16);
  // The tile's one extent (iloc version 0 with 4-byte offsets, lengths and base offsets, one
  // item of one extent, as libheif writes it)
  const iloc = child(tileHeic, meta, 'iloc', 12);
  if (
    tileHeic.readUInt8(iloc.start + 8) !== 0 ||
    tileHeic.readUInt16BE(iloc.start + 12) !== 0x4440 ||
    tileHeic.readUInt16BE(iloc.start + 14) !== 1 ||
    tileHeic.readUInt16BE(iloc.start + 24) !== 1
  )
    throw new Error('unsupported iloc layout');
  const tileOffset =
    tileHeic.readUInt32BE(iloc.start + 20) + tileHeic.readUInt32BE(iloc.start + 26);
  const tileLength = tileHeic.readUInt32BE(iloc.start + 30);
  const coded = tileHeic.subarray(tileOffset, tileOffset + tileLength);

  const { columns, rows } = tiles ?? {
    columns: Math.ceil(width / tileWidth),
    rows: Math.ceil(height / tileHeight),
  };
  if (columns > 256 || rows > 256) throw new Error('a grid has at most 256x256 tiles');
  const gridId = 1;
  const tileIds = Array.from({ length: rows * columns }, (_, index) => index + 2);
  const descriptor = Buffer.concat([
    Buffer.from([0, 1, rows - 1, columns - 1]),
    u32(width, height),
  ]);

  const ftyp = box(
    'ftyp',
    Buffer.from('heic', 'latin1'),
    u32(0),
    Buffer.from('mif1heic', 'latin1'),
  );
  const itemCount = 1 + tileIds.length;
  const metaBox = (mdatData: number) =>
    fullBox(
      'meta',
      0,
      fullBox('hdlr', 0, u32(0), Buffer.from('pict', 'latin1'), u32(0, 0, 0), Buffer.from([0])),
      fullBox('pitm', 0, u16(gridId)),
      fullBox(
        'iloc',
        0,
        u16(0x4400, itemCount),
        u16(gridId, 0, 1),
        u32(mdatData, descriptor.length),
        ...tileIds.map((id) =>
          Buffer.concat([u16(id, 0, 1), u32(mdatData + descriptor.length, coded.length)]),
        ),
      ),
      fullBox(
        'iinf',
        0,
        u16(itemCount),
        ...[gridId, ...tileIds].map((id) =>
          fullBox(
            'infe',
            2,
            u16(id, 0),
            Buffer.from(id === gridId ? 'grid\0' : 'hvc1\0', 'latin1'),
          ),
        ),
      ),
      fullBox('iref', 0, box('dimg', u16(gridId, tileIds.length, ...tileIds))),
      box(
        'iprp',
        box(
          'ipco',
          tileHeic.subarray(hvcC.start, hvcC.end),
          tileHeic.subarray(ispe.start, ispe.end),
          fullBox('ispe', 0, u32(width, height)),
        ),
        fullBox(
          'ipma',
          0,
          u32(itemCount),
          u16(gridId),
          Buffer.from([1, 3]),
          ...tileIds.map((id) => Buffer.concat([u16(id), Buffer.from([2, 0x81, 2])])),
        ),
      ),
    );
  const metaLength = metaBox(0).length;
  const mdatData = ftyp.length + metaLength + 8;
  return Buffer.concat([ftyp, metaBox(mdatData), box('mdat', descriptor, coded)]);
}
