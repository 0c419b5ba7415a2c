// NumPy .npy / .npz reader and writer (no dependencies beyond node:fs and node:zlib).
//
// Format reference: NEP 1 "A simple file format for NumPy arrays" and
// numpy.lib.format (versions 1.0, 2.0, 3.0); ZIP: PKWARE APPNOTE.TXT 6.3
// (local/central headers, ZIP64 end records and extra field 0x0001).
//
// Reading
// - Every supported dtype is returned as float64 (`data`, plus `imag` for
//   complex). int64/uint64 values beyond 2^53 lose precision (documented, not
//   an error). Booleans read as 0/1.
// - Supported dtypes: f8 f4 f2 c16 c8 i8 i4 i2 i1 u8 u4 u2 u1 b1, in either byte
//   order ('<' little-endian, '>' big-endian; '|' for single bytes).
//   Anything else (structured, object, strings, datetimes, f16/c32) is refused
//   with an error naming the file, and so is a multi-byte dtype whose byte order
//   the file does not state ('=f8', '|f8', 'f8'). The payload must be exactly
//   shape x item size bytes; header keys other than descr/fortran_order/shape
//   are refused.
// - fortran_order True arrays are transposed so `data` is ALWAYS C (row-major)
//   order for `shape`.
// - A file on disk can also be read in two steps (readNpyFileHeader: preamble
//   and header only, checked against the file's size; readNpyPayload: the values,
//   streamed into float64 a step at a time), so that opening a model holds no payload.
// - .npz members are returned in the order the ZIP central directory lists
//   them (numpy.savez writes arr_0, arr_1, ... in order, but a re-zipped
//   archive need not); `sortNpzMembers` orders arr_<k> names by k.
//   Members may be stored (method 0) or deflated (method 8); CRC-32 is checked.
//   The end record's entry count must match the central directory exactly (no
//   record left over, none missing), member names are unique, and each local
//   header names the same member as its directory entry.
//
// The writers (encodeNpy, encodeNpz) are in src/pipeline/report/npy.ts.

import { UserError } from '../errors.js';
import { gatherStrided, halfToNumber } from './decode.js';
import { readFile } from 'node:fs/promises';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import * as zlib from 'node:zlib';

export type NpyDtype =
  | 'f8' | 'f4' | 'f2' | 'c16' | 'c8'
  | 'i8' | 'i4' | 'i2' | 'i1'
  | 'u8' | 'u4' | 'u2' | 'u1' | 'b1';

export interface NpyArray {
  /** dtype descriptor as found in the file, e.g. '<f8', '>c16', '|u1'. */
  dtype: string;
  shape: number[];
  /** Real parts (or the values), C order, length = product of shape. */
  data: Float64Array;
  /** Imaginary parts for complex dtypes, C order. */
  imag?: Float64Array;
  /** True if the file stored the array in Fortran order (data was transposed to C order). */
  fortranOrder?: boolean;
}


export interface NpzMember {
  /** Member name without the trailing '.npy' (as numpy.load's NpzFile keys). */
  name: string;
  array: NpyArray;
}

export class NpyFormatError extends UserError {
  /** The problem without the file name (callers that name the file themselves use this). */
  readonly detail: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'NpyFormatError';
    this.detail = message;
  }
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface DtypeInfo { kind: 'f' | 'c' | 'i' | 'u' | 'b'; size: number; little: boolean }

function parseDescr(descr: string, file: string): DtypeInfo {
  const m = /^([<>|=]?)([fciub])(\d+)$/.exec(descr);
  if (!m) throw new NpyFormatError(file, `unsupported dtype '${descr}' (only plain numeric and bool dtypes are read)`);
  const order = m[1]!, kind = m[2]! as DtypeInfo['kind'], size = Number(m[3]);
  const ok: Record<string, number[]> = { f: [2, 4, 8], c: [8, 16], i: [1, 2, 4, 8], u: [1, 2, 4, 8], b: [1] };
  if (!ok[kind]!.includes(size)) throw new NpyFormatError(file, `unsupported dtype '${descr}'`);
  // numpy writes '<' or '>' for multi-byte dtypes and '|' for single bytes. A multi-byte dtype
  // whose byte order the file does not state ('=' native, '|' or none) cannot be decoded safely.
  if (size > 1 && order !== '<' && order !== '>') {
    throw new NpyFormatError(file, `dtype '${descr}' does not state its byte order ('<' or '>'); refused`);
  }
  return { kind, size, little: order !== '>' };
}

// ---- header parsing: the header is a Python dict literal; parse just the subset numpy writes ----

type PyValue = string | number | boolean | null | PyValue[] | { [k: string]: PyValue };

function parsePyLiteral(text: string, file: string): PyValue {
  let i = 0;
  const fail = (why: string): never => { throw new NpyFormatError(file, `cannot parse .npy header (${why}): ${JSON.stringify(text.slice(0, 200))}`); };
  const ws = () => { while (i < text.length && /\s/.test(text[i]!)) i++; };
  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: { [k: string]: PyValue } = {};
      for (;;) {
        ws();
        if (text[i] === '}') { i++; return obj; }
        const k = value();
        if (typeof k !== 'string') fail('dict key is not a string');
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        obj[k as string] = value();
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return obj; }
        fail("expected ',' or '}'");
      }
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const arr: PyValue[] = [];
      for (;;) {
        ws();
        if (text[i] === close) { i++; return arr; }
        arr.push(value());
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === close) { i++; return arr; }
        fail(`expected ',' or '${close}'`);
      }
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) fail('unterminated string');
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    const m = /^(True|False|None|-?\d+L?)/.exec(text.slice(i));
    if (!m) fail(`unexpected '${c ?? 'end of header'}'`);
    i += m![0].length;
    if (m![1] === 'True') return true;
    if (m![1] === 'False') return false;
    if (m![1] === 'None') return null;
    return Number(m![1]!.replace('L', ''));
  };
  const v = value();
  ws();
  if (i !== text.length) fail('trailing characters');
  return v;
}

function readScalar(view: DataView, off: number, kind: DtypeInfo['kind'], size: number, little: boolean): number {
  switch (kind) {
    case 'f': return size === 8 ? view.getFloat64(off, little) : size === 4 ? view.getFloat32(off, little) : halfToNumber(view.getUint16(off, little));
    case 'i': return size === 8 ? Number(view.getBigInt64(off, little)) : size === 4 ? view.getInt32(off, little) : size === 2 ? view.getInt16(off, little) : view.getInt8(off);
    case 'u': return size === 8 ? Number(view.getBigUint64(off, little)) : size === 4 ? view.getUint32(off, little) : size === 2 ? view.getUint16(off, little) : view.getUint8(off);
    case 'b': return view.getUint8(off) ? 1 : 0;
    default: throw new Error('unreachable');
  }
}

/** Permute a Fortran-order buffer of `shape` into C order. */
function fortranToC(src: Float64Array, shape: number[]): Float64Array {
  const n = src.length, rank = shape.length;
  if (rank < 2 || n === 0) return src;
  // Fortran strides (in elements): stride[0] = 1, stride[k] = stride[k-1]*shape[k-1].
  const fstride = new Array<number>(rank);
  fstride[0] = 1;
  for (let k = 1; k < rank; k++) fstride[k] = fstride[k - 1]! * shape[k - 1]!;
  return gatherStrided(src, shape, fstride);
}

function copyBytes(buf: Uint8Array, start: number, length: number): ArrayBuffer {
  const out = new Uint8Array(length);
  out.set(buf.subarray(start, start + length));
  return out.buffer;
}

/** What a .npy header says, checked against the file's size (no payload read). */
export interface NpyHeader {
  dtype: string;
  shape: number[];
  fortranOrder: boolean;
  /** Byte offset of the payload. */
  dataStart: number;
  /** Elements (product of shape). */
  count: number;
  info: DtypeInfo;
}

/**
 * Parse and check the preamble and header of a .npy file. `buf` holds at least the preamble
 * and header (the whole file for readNpy); `fileSize` is the whole file's size in bytes.
 */
export function readNpyHeader(buf: Uint8Array, fileSize: number, name = '<buffer>'): NpyHeader {
  if (buf.length < 10 || MAGIC.some((b, k) => buf[k] !== b)) {
    throw new NpyFormatError(name, 'not a .npy file (bad magic; expected \\x93NUMPY)');
  }
  const major = buf[6]!, minor = buf[7]!;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let headerLen: number, headerStart: number;
  if (major === 1) { headerLen = view.getUint16(8, true); headerStart = 10; }
  else if (major === 2 || major === 3) {
    if (buf.length < 12) throw new NpyFormatError(name, 'truncated .npy preamble');
    headerLen = view.getUint32(8, true); headerStart = 12;
  } else throw new NpyFormatError(name, `unsupported .npy format version ${major}.${minor}`);
  const dataStart = headerStart + headerLen;
  if (headerLen === 0 || dataStart > fileSize || dataStart > buf.length) {
    throw new NpyFormatError(name, `bad header length ${headerLen} (file has ${fileSize} bytes)`);
  }
  const headerBytes = buf.subarray(headerStart, dataStart);
  const headerText = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes).trim();
  const header = parsePyLiteral(headerText, name);
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new NpyFormatError(name, 'header is not a dict');
  }
  const extra = Object.keys(header).filter((k) => k !== 'descr' && k !== 'fortran_order' && k !== 'shape');
  if (extra.length) throw new NpyFormatError(name, `header has keys other than descr, fortran_order, shape: ${extra.join(', ')}`);
  const descr = header['descr'], fortran = header['fortran_order'], shapeV = header['shape'];
  if (typeof descr !== 'string') throw new NpyFormatError(name, `unsupported dtype ${JSON.stringify(descr)} (structured dtypes are not read)`);
  if (typeof fortran !== 'boolean') throw new NpyFormatError(name, "header lacks boolean 'fortran_order'");
  if (!Array.isArray(shapeV) || !shapeV.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
    throw new NpyFormatError(name, "header lacks a valid 'shape' tuple");
  }
  const shape = shapeV as number[];
  const info = parseDescr(descr, name);
  const count = shape.reduce((a, b) => a * b, 1);
  const need = count * info.size;
  if (!Number.isSafeInteger(need)) throw new NpyFormatError(name, `shape (${shape.join(', ')}) is too large`);
  if (fileSize - dataStart < need) {
    throw new NpyFormatError(name, `truncated data: shape (${shape.join(', ')}) of ${descr} needs ${need} bytes, file has ${fileSize - dataStart}`);
  }
  // The payload is exactly shape x item size (numpy writes nothing after it): extra bytes mean the
  // header's shape or dtype does not describe the data.
  if (fileSize - dataStart > need) {
    throw new NpyFormatError(name, `payload has ${fileSize - dataStart} bytes but shape (${shape.join(', ')}) of ${descr} needs exactly ${need}`);
  }
  return { dtype: descr, shape: [...shape], fortranOrder: fortran, dataStart, count, info };
}

/** Decode one .npy file held in memory. `name` is used in error messages. */
export function readNpy(buf: Uint8Array, name = '<buffer>'): NpyArray {
  const { dtype: descr, shape, fortranOrder: fortran, dataStart, count, info } = readNpyHeader(buf, buf.length, name);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const need = count * info.size;
  let data: Float64Array;
  let imag: Float64Array | undefined;
  if (info.kind === 'c') {
    const half = info.size / 2;
    data = new Float64Array(count);
    imag = new Float64Array(count);
    for (let k = 0, off = dataStart; k < count; k++, off += info.size) {
      data[k] = readScalar(view, off, 'f', half, info.little);
      imag[k] = readScalar(view, off + half, 'f', half, info.little);
    }
  } else if (info.kind === 'f' && info.size === 8 && info.little === HOST_LITTLE_ENDIAN) {
    // fast path: copy into a fresh (aligned) buffer and view it (copyBytes, since Buffer#slice is a view)
    data = new Float64Array(copyBytes(buf, dataStart, need));
  } else if (info.kind === 'f' && info.size === 4 && info.little === HOST_LITTLE_ENDIAN) {
    data = Float64Array.from(new Float32Array(copyBytes(buf, dataStart, need)));
  } else {
    data = new Float64Array(count);
    for (let k = 0, off = dataStart; k < count; k++, off += info.size) data[k] = readScalar(view, off, info.kind, info.size, info.little);
  }
  if (fortran) {
    data = fortranToC(data, shape);
    if (imag) imag = fortranToC(imag, shape);
  }
  const out: NpyArray = { dtype: descr, shape: [...shape], data };
  if (imag) out.imag = imag;
  if (fortran) out.fortranOrder = true;
  return out;
}

export function readNpyFile(path: string): NpyArray {
  return readNpy(readFileSync(path), path);
}

/** Bytes read per step when a payload is streamed (readNpyPayload). */
const STREAM_BYTES = 8 << 20;

function readFully(fd: number, into: Uint8Array, position: number, name: string): void {
  let done = 0;
  while (done < into.length) {
    const got = readSync(fd, into, done, into.length - done, position + done);
    if (got === 0) throw new NpyFormatError(name, `file shrank while being read (expected ${into.length - done} more bytes at offset ${position + done})`);
    done += got;
  }
}

/**
 * The header of a .npy file on disk, read without its payload (the preamble and header only,
 * and the file's size from fstat): for readers that open a model now and load each tensor
 * later, one at a time.
 */
export function readNpyFileHeader(path: string, name = path): NpyHeader {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const pre = new Uint8Array(Math.min(size, 12));
    readFully(fd, pre, 0, name);
    // Preamble first (magic, version, header length), then exactly the header's bytes.
    const major = pre[6], lenBytes = major === 1 ? 2 : 4;
    const headerStart = 8 + lenBytes;
    let headerLen = 0;
    if (pre.length >= headerStart && MAGIC.every((b, k) => pre[k] === b)) {
      const view = new DataView(pre.buffer);
      headerLen = lenBytes === 2 ? view.getUint16(8, true) : view.getUint32(8, true);
    }
    const take = headerLen > 0 && headerStart + headerLen <= size ? headerStart + headerLen : pre.length;
    const head = new Uint8Array(take);
    readFully(fd, head, 0, name);
    return readNpyHeader(head, size, name);
  } finally {
    closeSync(fd);
  }
}

/**
 * The values of a .npy file whose header readNpyFileHeader returned, as float64 in C order.
 * Host-order f8 and f4 payloads in C order are streamed into the result STREAM_BYTES at a time
 * (memory: the result plus one step, not the whole file besides); other dtypes and Fortran
 * order go through readNpy on the whole file. The file must still have the header's size and
 * header (it is read again), else NpyFormatError.
 */
export function readNpyPayload(path: string, header: NpyHeader, name = path): Float64Array {
  const now = readNpyFileHeader(path, name);
  if (now.dtype !== header.dtype || now.dataStart !== header.dataStart || now.fortranOrder !== header.fortranOrder || now.shape.join(',') !== header.shape.join(',')) {
    throw new NpyFormatError(name, 'the file changed since it was opened (its header differs)');
  }
  const { info, count, dataStart } = header;
  const streamable = !header.fortranOrder && info.kind === 'f' && (info.size === 8 || info.size === 4) && info.little === HOST_LITTLE_ENDIAN;
  if (!streamable) return readNpy(readFileSync(path), name).data;
  const out = new Float64Array(count);
  const step = Math.max(info.size, STREAM_BYTES - (STREAM_BYTES % info.size));
  const buf = new Uint8Array(Math.min(step, count * info.size));
  const fd = openSync(path, 'r');
  try {
    for (let k = 0; k < count;) {
      const n = Math.min(count - k, buf.length / info.size);
      const bytes = buf.subarray(0, n * info.size);
      readFully(fd, bytes, dataStart + k * info.size, name);
      if (info.size === 8) out.set(new Float64Array(buf.buffer, 0, n), k);
      else out.set(new Float32Array(buf.buffer, 0, n), k);
      k += n;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

// ---- ZIP (.npz) ----

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320) as used by ZIP; table-driven. */
export function crc32Table(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// zlib's own CRC-32 (Node >= 20.15): the same function, 12 times faster than the table loop
// (32 MiB: 7 ms against 84 ms). The table is the fallback for older Node 20 releases.
const zlibCrc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/** CRC-32 as ZIP computes it: zlib's when Node has it, else the table (crc32Table). */
export function crc32(bytes: Uint8Array): number {
  return zlibCrc32 ? zlibCrc32(bytes) >>> 0 : crc32Table(bytes);
}

/** Decode an .npz archive held in memory; members in central-directory order. */
export function readNpzBuffer(buf: Uint8Array, file = '<buffer>', opts: { checkCrc?: boolean } = {}): NpzMember[] {
  const checkCrc = opts.checkCrc ?? true;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const u16 = (o: number) => view.getUint16(o, true);
  const u32 = (o: number) => view.getUint32(o, true);
  const u64 = (o: number) => {
    const v = view.getBigUint64(o, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new NpyFormatError(file, 'ZIP64 value too large');
    return Number(v);
  };
  // End of central directory: scan back over at most a 65535-byte comment.
  let eocd = -1;
  for (let o = buf.length - 22; o >= 0 && o >= buf.length - 22 - 65535; o--) {
    if (u32(o) === 0x06054b50) { eocd = o; break; }
  }
  if (eocd < 0) throw new NpyFormatError(file, 'not a ZIP/.npz file (no end-of-central-directory record)');
  let entries = u16(eocd + 10), cdSize = u32(eocd + 12), cdOffset = u32(eocd + 16);
  if (u16(eocd + 8) !== entries || u16(eocd + 4) !== 0 || u16(eocd + 6) !== 0) {
    throw new NpyFormatError(file, `inconsistent end-of-central-directory record (${u16(eocd + 8)} entries on this disk, ${entries} in total; multi-disk archives are not read)`);
  }
  if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || u32(loc) !== 0x07064b50) throw new NpyFormatError(file, 'ZIP64 archive without ZIP64 locator');
    const z = u64(loc + 8);
    if (z + 56 > buf.length || u32(z) !== 0x06064b50) throw new NpyFormatError(file, 'bad ZIP64 end-of-central-directory record');
    entries = u64(z + 32); cdSize = u64(z + 40); cdOffset = u64(z + 48);
  }
  if (cdOffset + cdSize > buf.length) throw new NpyFormatError(file, 'truncated ZIP (central directory beyond end of file)');
  const out: NpzMember[] = [];
  const names = new Set<string>();
  const cdEnd = cdOffset + cdSize;
  let p = cdOffset;
  for (let e = 0; e < entries; e++) {
    if (p + 46 > cdEnd || u32(p) !== 0x02014b50) {
      throw new NpyFormatError(file, `the end-of-central-directory record counts ${entries} entries, but the central directory holds only ${e} (or entry ${e} is corrupt)`);
    }
    const flags = u16(p + 8), method = u16(p + 10), crc = u32(p + 16);
    let compSize = u32(p + 20), size = u32(p + 24);
    const nameLen = u16(p + 28), extraLen = u16(p + 30), commentLen = u16(p + 32);
    let localOff = u32(p + 42);
    const memberName = new TextDecoder(flags & 0x800 ? 'utf-8' : 'latin1').decode(buf.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extra field: 8-byte values for exactly those fields saturated in the header.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    if (xEnd + commentLen > cdEnd) throw new NpyFormatError(file, `central directory entry ${e} (${memberName}) runs past the directory`);
    while (x + 4 <= xEnd) {
      const id = u16(x), len = u16(x + 2);
      if (id === 0x0001) {
        let q = x + 4;
        const field = (): number => {
          if (q + 8 > Math.min(x + 4 + len, xEnd)) throw new NpyFormatError(file, `member ${memberName}: ZIP64 extra field too short`);
          const v = u64(q); q += 8; return v;
        };
        if (size === 0xffffffff) size = field();
        if (compSize === 0xffffffff) compSize = field();
        if (localOff === 0xffffffff) localOff = field();
      }
      x += 4 + len;
    }
    p = xEnd + commentLen;
    if (flags & 1) throw new NpyFormatError(file, `member ${memberName} is encrypted`);
    if (names.has(memberName)) throw new NpyFormatError(file, `member ${memberName} appears twice in the archive`);
    names.add(memberName);
    if (memberName.endsWith('/')) continue; // directory entry
    if (localOff + 30 > buf.length || u32(localOff) !== 0x04034b50) throw new NpyFormatError(file, `bad local header for member ${memberName}`);
    const localName = buf.subarray(localOff + 30, localOff + 30 + u16(localOff + 26));
    if (new TextDecoder(flags & 0x800 ? 'utf-8' : 'latin1').decode(localName) !== memberName) {
      throw new NpyFormatError(file, `member ${memberName}: local header names it differently (corrupt archive)`);
    }
    const dataOff = localOff + 30 + u16(localOff + 26) + u16(localOff + 28);
    if (dataOff + compSize > buf.length) throw new NpyFormatError(file, `truncated data for member ${memberName}`);
    const raw = buf.subarray(dataOff, dataOff + compSize);
    let bytes: Uint8Array;
    if (method === 0) bytes = raw;
    else if (method === 8) {
      try { bytes = zlib.inflateRawSync(raw); } catch (err) { throw new NpyFormatError(file, `cannot inflate member ${memberName}: ${(err as Error).message}`); }
    } else throw new NpyFormatError(file, `member ${memberName} uses unsupported ZIP compression method ${method}`);
    if (bytes.length !== size) throw new NpyFormatError(file, `member ${memberName}: size ${bytes.length} != ${size} in directory`);
    if (checkCrc && crc32(bytes) !== crc) throw new NpyFormatError(file, `member ${memberName}: CRC-32 mismatch (corrupt archive)`);
    const name = memberName.endsWith('.npy') ? memberName.slice(0, -4) : memberName;
    out.push({ name, array: readNpy(bytes, `${file}[${memberName}]`) });
  }
  // Every byte of the directory must belong to the entries counted: more records than counted
  // (an edited count) would otherwise be dropped without a word.
  if (p !== cdEnd) {
    throw new NpyFormatError(file, `the end-of-central-directory record counts ${entries} entries, but the central directory holds more (${cdEnd - p} bytes left over)`);
  }
  return out;
}

export async function readNpz(path: string, opts: { checkCrc?: boolean } = {}): Promise<NpzMember[]> {
  return readNpzBuffer(await readFile(path), path, opts);
}

/**
 * Order members named arr_<k> by k (numpy.savez positional names), placed
 * first; other names follow in their archive order. Returns a new array.
 */
export function sortNpzMembers<T extends { name: string }>(members: readonly T[]): T[] {
  const num = (n: string) => { const m = /^arr_(\d+)$/.exec(n); return m ? Number(m[1]) : null; };
  const positional = members.filter((m) => num(m.name) !== null).sort((a, b) => num(a.name)! - num(b.name)!);
  return [...positional, ...members.filter((m) => num(m.name) === null)];
}
