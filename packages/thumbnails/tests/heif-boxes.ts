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
