// .npy and .npz writers (NumPy format 1.0/2.0, uncompressed ZIP), for exports and for
// people who want ergo's eigenvalues in NumPy. The readers (untrusted input) are in
// src/weights/npy.ts; these only write what ergo computed.
//   - encodeNpy writes format 1.0 (2.0 if the header would exceed 65535 bytes),
//     little-endian, C order, dtype '<f8' or '<c16' (interleaved re/im), header padded with
//     spaces to a multiple of 64 bytes and ended by '\n' as numpy.lib.format does;
//   - encodeNpz writes an uncompressed ZIP like numpy.savez, with fixed DOS timestamps
//     (deterministic bytes; no ZIP64: members and archive must stay below 4 GiB).
import { writeFile } from 'node:fs/promises';
import { crc32 } from '../../weights/npy.js';

const MAGIC = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59); // \x93NUMPY

export interface NpyWritable {
  dtype: '<f8' | '<c16';
  shape: readonly number[];
  data: ArrayLike<number>;
  imag?: ArrayLike<number>;
}

/** Encode an array as .npy bytes (format 1.0, or 2.0 for huge headers). */
export function encodeNpy(arr: NpyWritable): Uint8Array {
  const { dtype, shape, data, imag } = arr;
  if (dtype !== '<f8' && dtype !== '<c16') throw new Error(`encodeNpy: unsupported dtype ${String(dtype)} (write '<f8' or '<c16')`);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`encodeNpy: bad shape [${shape.join(', ')}]`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new Error(`encodeNpy: data has ${data.length} values, shape needs ${count}`);
  if (dtype === '<c16' && (!imag || imag.length !== count)) throw new Error('encodeNpy: <c16 needs imag of the same length as data');
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let version = 1, pre = 10;
  let total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  if (total - pre > 0xffff) { version = 2; pre = 12; total = Math.ceil((pre + dict.length + 1) / 64) * 64; }
  const headerLen = total - pre;
  const item = dtype === '<c16' ? 16 : 8;
  const out = new Uint8Array(total + count * item);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[6] = version; out[7] = 0;
  if (version === 1) view.setUint16(8, headerLen, true); else view.setUint32(8, headerLen, true);
  const header = dict + ' '.repeat(headerLen - dict.length - 1) + '\n';
  for (let k = 0; k < header.length; k++) out[pre + k] = header.charCodeAt(k);
  if (dtype === '<f8') {
    for (let k = 0; k < count; k++) view.setFloat64(total + 8 * k, data[k]!, true);
  } else {
    for (let k = 0; k < count; k++) {
      view.setFloat64(total + 16 * k, data[k]!, true);
      view.setFloat64(total + 16 * k + 8, imag![k]!, true);
    }
  }
  return out;
}

export async function writeNpy(path: string, arr: NpyWritable): Promise<void> {
  await writeFile(path, encodeNpy(arr));
}

/** Encode members as an uncompressed .npz (ZIP, method 0), names get '.npy' appended. */
export function encodeNpz(members: readonly { name: string; array: NpyWritable }[]): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  // DOS date/time of 1980-01-01 00:00 keeps the output deterministic.
  const dosTime = 0, dosDate = (0 << 9) | (1 << 5) | 1;
  for (const m of members) {
    const name = enc.encode(m.name + '.npy');
    const body = encodeNpy(m.array);
    const crc = crc32(body);
    if (body.length >= 0xffffffff || offset >= 0xffffffff) throw new Error('encodeNpz: archive too large (ZIP64 not written)');
    const lh = new Uint8Array(30 + name.length);
    const lv = new DataView(lh.buffer);
    lv.setUint32(0, 0x04034b50, true); lv.setUint16(4, 20, true); lv.setUint16(6, 0x800, true); lv.setUint16(8, 0, true);
    lv.setUint16(10, dosTime, true); lv.setUint16(12, dosDate, true); lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true); lv.setUint32(22, body.length, true); lv.setUint16(26, name.length, true); lv.setUint16(28, 0, true);
    lh.set(name, 30);
    const ch = new Uint8Array(46 + name.length);
    const cv = new DataView(ch.buffer);
    cv.setUint32(0, 0x02014b50, true); cv.setUint16(4, 20, true); cv.setUint16(6, 20, true); cv.setUint16(8, 0x800, true);
    cv.setUint16(10, 0, true); cv.setUint16(12, dosTime, true); cv.setUint16(14, dosDate, true); cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true); cv.setUint32(24, body.length, true); cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    ch.set(name, 46);
    parts.push(lh, body);
    central.push(ch);
    offset += lh.length + body.length;
  }
  const cdSize = central.reduce((a, c) => a + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true); ev.setUint16(8, members.length, true); ev.setUint16(10, members.length, true);
  ev.setUint32(12, cdSize, true); ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let o = 0;
  for (const p of [...parts, ...central, end]) { out.set(p, o); o += p.length; }
  return out;
}

export async function writeNpz(path: string, members: readonly { name: string; array: NpyWritable }[]): Promise<void> {
  await writeFile(path, encodeNpz(members));
}
