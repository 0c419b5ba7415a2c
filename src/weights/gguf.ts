// GGUF reader (llama.cpp / ggml model files), versions 2 and 3 (little-endian).
// Format: ggml docs/gguf.md. File = "GGUF", u32 version, u64 tensor count, u64 metadata
// count, metadata (key string, u32 value type, value), tensor directory (name string, u32
// n_dims, u64 dims[n_dims] innermost first, u32 ggml type, u64 offset from the data start),
// padding to `general.alignment` (default 32), then the tensor data.
//
// Why our own header reader: @huggingface/gguf (0.4.6) parses the directory, but it pulls in
// @huggingface/tasks, reads local files through its remote range-request machinery, lets a
// string that runs past the end of a truncated file come back shorter instead of failing, and
// reads no tensor data, so every size would have to be checked here anyway. Here every count,
// length and offset is checked against the bytes the file has before anything is allocated,
// and metadata values are skipped, not kept (only `general.alignment` is read).
//
// Layout (SPEC 5): GGUF lists dims innermost first, so dims [ne0, ne1] are the row-major
// matrix ne1 x ne0 and N = the last listed dimension. `shape` is reported row-major
// (the dims reversed). Order: the tensor directory's order (as the converter wrote it).
// Data: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K, dequantised in float64, where every product of
// a 16-bit scale and a small integer quant is exact (ggml's own float32 arithmetic may round
// a K-quant's d*scale*q - dmin*min). Any other ggml type is refused by name when loaded.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { WeightsError } from './errors.js';
import { bf16ToNumber, checkFinite, halfToNumber, product, readRange } from './decode.js';
import type { TensorEntry, WeightSource } from './types.js';

/** ggml type ids (ggml.h `enum ggml_type`) -> name, for messages. */
export const GGML_TYPE_NAMES: Record<number, string> = {
  0: 'F32', 1: 'F16', 2: 'Q4_0', 3: 'Q4_1', 6: 'Q5_0', 7: 'Q5_1', 8: 'Q8_0', 9: 'Q8_1', 10: 'Q2_K', 11: 'Q3_K',
  12: 'Q4_K', 13: 'Q5_K', 14: 'Q6_K', 15: 'Q8_K', 16: 'IQ2_XXS', 17: 'IQ2_XS', 18: 'IQ3_XXS', 19: 'IQ1_S', 20: 'IQ4_NL',
  21: 'IQ3_S', 22: 'IQ2_S', 23: 'IQ4_XS', 24: 'I8', 25: 'I16', 26: 'I32', 27: 'I64', 28: 'F64', 29: 'IQ1_M', 30: 'BF16',
  34: 'TQ1_0', 35: 'TQ2_0', 39: 'MXFP4',
};

/** The types this reader decodes: elements per block and bytes per block (ggml-common.h block structs). */
export const GGUF_BLOCKS: Record<string, { elems: number; bytes: number }> = {
  F32: { elems: 1, bytes: 4 },
  F16: { elems: 1, bytes: 2 },
  BF16: { elems: 1, bytes: 2 },
  Q8_0: { elems: 32, bytes: 34 }, // f16 d, i8 qs[32]
  Q4_0: { elems: 32, bytes: 18 }, // f16 d, u8 qs[16]
  Q4_K: { elems: 256, bytes: 144 }, // f16 d, f16 dmin, u8 scales[12], u8 qs[128]
  Q6_K: { elems: 256, bytes: 210 }, // u8 ql[128], u8 qh[64], i8 scales[16], f16 d
};

const MAX_DIMS = 8;
const DEFAULT_ALIGNMENT = 32;


/** Sequential reader over the file's header with every read bounded by the file size. */
class Cursor {
  private buf = new Uint8Array(0);
  private bufStart = 0;
  pos = 0;
  constructor(private readonly fd: number, readonly size: number, readonly file: string) {}

  private fail(what: string): never {
    throw new WeightsError(this.file, undefined, `GGUF header: ${what}`);
  }

  /** Make bytes [pos, pos + n) available; n is checked against the file before reading. */
  private need(n: number, what: string): Uint8Array {
    if (!Number.isSafeInteger(n) || n < 0 || this.pos + n > this.size) {
      this.fail(`${what} needs ${n} bytes at offset ${this.pos}, but the file has ${this.size} bytes (truncated or corrupt)`);
    }
    const end = this.pos + n;
    if (this.pos < this.bufStart || end > this.bufStart + this.buf.length) {
      const len = Math.min(this.size - this.pos, Math.max(n, 1 << 20));
      const b = new Uint8Array(len);
      let done = 0;
      while (done < len) {
        const r = readSync(this.fd, b, done, len - done, this.pos + done);
        if (r === 0) this.fail(`file ends early at offset ${this.pos + done}`);
        done += r;
      }
      this.buf = b;
      this.bufStart = this.pos;
    }
    const s = this.buf.subarray(this.pos - this.bufStart, end - this.bufStart);
    this.pos = end;
    return s;
  }

  u32(what: string): number {
    const b = this.need(4, what);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  /** u64 as a number; values beyond 2^53 are corruption for any count, size or offset. */
  u64(what: string): number {
    const lo = this.u32(what), hi = this.u32(what);
    if (hi >= 0x200000) this.fail(`${what} = ${BigInt(hi) * 2n ** 32n + BigInt(lo)} is impossibly large`);
    return hi * 2 ** 32 + lo;
  }

  str(what: string): string {
    const n = this.u64(`${what} length`);
    return new TextDecoder('utf-8', { fatal: false }).decode(this.need(n, what));
  }

  skip(n: number, what: string): void {
    if (!Number.isSafeInteger(n) || n < 0 || this.pos + n > this.size) this.need(n, what);
    this.pos += n;
  }
}

// Metadata value types (gguf.md): fixed sizes; 8 = string, 9 = array.
const VALUE_SIZES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

function skipValue(c: Cursor, type: number, key: string, depth: number): void {
  const fixed = VALUE_SIZES[type];
  if (fixed !== undefined) return c.skip(fixed, `metadata '${key}'`);
  if (type === 8) return c.skip(c.u64(`metadata '${key}' string length`), `metadata '${key}' string`);
  if (type === 9) {
    if (depth > 4) throw new WeightsError(c.file, undefined, `GGUF header: metadata '${key}' nests arrays too deeply`);
    const inner = c.u32(`metadata '${key}' array type`);
    const count = c.u64(`metadata '${key}' array length`);
    const size = VALUE_SIZES[inner];
    if (size !== undefined) return c.skip(count * size, `metadata '${key}' array`);
    // strings or arrays: each element takes at least 8 bytes, so the count is bounded by the file
    if (count * 8 > c.size - c.pos) {
      throw new WeightsError(c.file, undefined, `GGUF header: metadata '${key}' claims ${count} elements, more than the file can hold`);
    }
    for (let i = 0; i < count; i++) skipValue(c, inner, key, depth + 1);
    return;
  }
  throw new WeightsError(c.file, undefined, `GGUF header: metadata '${key}' has unknown value type ${type}`);
}

interface DirEntry {
  name: string;
  dims: number[];
  type: number;
  offset: number;
}

function readDirectory(path: string, fd: number, size: number): { entries: DirEntry[]; dataStart: number; version: number } {
  const c = new Cursor(fd, size, path);
  const magic = c.u32('magic');
  if (magic !== 0x46554747) throw new WeightsError(path, undefined, 'not a GGUF file (no GGUF magic)');
  const version = c.u32('version');
  if (version === 0x03000000 || version === 0x02000000) {
    throw new WeightsError(path, undefined, 'big-endian GGUF files are not supported');
  }
  if (version !== 2 && version !== 3) throw new WeightsError(path, undefined, `unsupported GGUF version ${version} (this reader reads versions 2 and 3)`);
  const tensorCount = c.u64('tensor count');
  const kvCount = c.u64('metadata count');
  // every directory entry and metadata pair takes at least 8 + 4 + 8 bytes: refuse counts the file cannot hold
  if ((tensorCount + kvCount) * 12 > size) {
    throw new WeightsError(path, undefined, `GGUF header claims ${tensorCount} tensors and ${kvCount} metadata entries, more than a ${size}-byte file can hold`);
  }
  let alignment = DEFAULT_ALIGNMENT;
  for (let i = 0; i < kvCount; i++) {
    const key = c.str(`metadata key ${i}`);
    const type = c.u32(`metadata '${key}' type`);
    if (key === 'general.alignment' && type === 4) {
      alignment = c.u32('general.alignment');
      if (alignment === 0 || (alignment & (alignment - 1)) !== 0) {
        throw new WeightsError(path, undefined, `GGUF general.alignment ${alignment} is not a power of two`);
      }
    } else {
      skipValue(c, type, key, 0);
    }
  }
  const entries: DirEntry[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = c.str(`tensor ${i} name`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(name)) throw new WeightsError(path, undefined, `GGUF tensor ${i} has a name with control characters: ${JSON.stringify(name)}`);
    const nd = c.u32(`tensor '${name}' n_dims`);
    if (nd < 1 || nd > MAX_DIMS) throw new WeightsError(path, name, `GGUF n_dims ${nd} (expected 1..${MAX_DIMS})`);
    const dims: number[] = [];
    for (let d = 0; d < nd; d++) dims.push(c.u64(`tensor '${name}' dim ${d}`));
    if (!Number.isSafeInteger(product(dims))) throw new WeightsError(path, name, `GGUF dims ${JSON.stringify(dims)} are too large`);
    const type = c.u32(`tensor '${name}' type`);
    const offset = c.u64(`tensor '${name}' offset`);
    entries.push({ name, dims, type, offset });
  }
  const dataStart = Math.ceil(c.pos / alignment) * alignment;
  return { entries, dataStart, version };
}

// ---------------------------------------------------------------- dequantisation kernels

// Q8_0 (ggml-quants.c dequantize_row_q8_0): x = d * q, q int8, 32 per block.
export function dequantQ8_0(src: Uint8Array, out: Float64Array): void {
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let b = 0, o = 0, p = 0; o < out.length; b++, p += 34) {
    const d = halfToNumber(dv.getUint16(p, true));
    for (let j = 0; j < 32; j++) out[o++] = d * dv.getInt8(p + 2 + j);
  }
}

// Q4_0 (ggml-quants.c dequantize_row_q4_0): byte j holds element j (low nibble) and
// element j + 16 (high nibble); x = d * (nibble - 8).
export function dequantQ4_0(src: Uint8Array, out: Float64Array): void {
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let o = 0, p = 0; o < out.length; o += 32, p += 18) {
    const d = halfToNumber(dv.getUint16(p, true));
    for (let j = 0; j < 16; j++) {
      const q = src[p + 2 + j]!;
      out[o + j] = d * ((q & 0x0f) - 8);
      out[o + j + 16] = d * ((q >> 4) - 8);
    }
  }
}

// Q4_K (ggml-quants.c dequantize_row_q4_K, get_scale_min_k4): 8 sub-blocks of 32 with 6-bit
// scale sc and min m packed in 12 bytes; x = d*sc*q - dmin*m, q the 4-bit quant.
export function dequantQ4_K(src: Uint8Array, out: Float64Array): void {
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const sc = new Uint8Array(8), mn = new Uint8Array(8);
  for (let o = 0, p = 0; o < out.length; o += 256, p += 144) {
    const d = halfToNumber(dv.getUint16(p, true));
    const dmin = halfToNumber(dv.getUint16(p + 2, true));
    const s = p + 4; // scales[12]
    for (let j = 0; j < 8; j++) {
      if (j < 4) {
        sc[j] = src[s + j]! & 63;
        mn[j] = src[s + j + 4]! & 63;
      } else {
        sc[j] = (src[s + j + 4]! & 0x0f) | ((src[s + j - 4]! >> 6) << 4);
        mn[j] = (src[s + j + 4]! >> 4) | ((src[s + j]! >> 6) << 4);
      }
    }
    const q = p + 16; // qs[128]: 4 chunks of 32 bytes, low nibbles = sub-block 2c, high = 2c + 1
    for (let c = 0; c < 4; c++) {
      const d1 = d * sc[2 * c]!, m1 = dmin * mn[2 * c]!;
      const d2 = d * sc[2 * c + 1]!, m2 = dmin * mn[2 * c + 1]!;
      const base = o + 64 * c, qb = q + 32 * c;
      for (let l = 0; l < 32; l++) {
        const byte = src[qb + l]!;
        out[base + l] = d1 * (byte & 0x0f) - m1;
        out[base + 32 + l] = d2 * (byte >> 4) - m2;
      }
    }
  }
}

// Q6_K (ggml-quants.c dequantize_row_q6_K): 6-bit quants = 4 low bits (ql) + 2 high bits (qh),
// minus 32, times an int8 scale per 16 elements and the f16 super-block scale d.
export function dequantQ6_K(src: Uint8Array, out: Float64Array): void {
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let o = 0, p = 0; o < out.length; o += 256, p += 210) {
    const d = halfToNumber(dv.getUint16(p + 208, true));
    for (let h = 0; h < 2; h++) {
      const ql = p + 64 * h, qh = p + 128 + 32 * h, sc = p + 192 + 8 * h, y = o + 128 * h;
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const hb = src[qh + l]!;
        const q1 = ((src[ql + l]! & 0x0f) | ((hb & 3) << 4)) - 32;
        const q2 = ((src[ql + l + 32]! & 0x0f) | (((hb >> 2) & 3) << 4)) - 32;
        const q3 = ((src[ql + l]! >> 4) | (((hb >> 4) & 3) << 4)) - 32;
        const q4 = ((src[ql + l + 32]! >> 4) | (((hb >> 6) & 3) << 4)) - 32;
        out[y + l] = d * dv.getInt8(sc + is) * q1;
        out[y + l + 32] = d * dv.getInt8(sc + is + 2) * q2;
        out[y + l + 64] = d * dv.getInt8(sc + is + 4) * q3;
        out[y + l + 96] = d * dv.getInt8(sc + is + 6) * q4;
      }
    }
  }
}

/** Decode `count` elements of ggml type `typeName` from `bytes` (whole blocks). */
export function dequantize(bytes: Uint8Array, typeName: string, count: number): Float64Array {
  const out = new Float64Array(count);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (typeName) {
    case 'F32': for (let i = 0; i < count; i++) out[i] = dv.getFloat32(4 * i, true); break;
    case 'F16': for (let i = 0; i < count; i++) out[i] = halfToNumber(dv.getUint16(2 * i, true)); break;
    case 'BF16': for (let i = 0; i < count; i++) out[i] = bf16ToNumber(dv.getUint16(2 * i, true)); break;
    case 'Q8_0': dequantQ8_0(bytes, out); break;
    case 'Q4_0': dequantQ4_0(bytes, out); break;
    case 'Q4_K': dequantQ4_K(bytes, out); break;
    case 'Q6_K': dequantQ6_K(bytes, out); break;
    default: throw new RangeError(`no decoder for ggml type ${typeName}`);
  }
  return out;
}

export async function openGguf(path: string): Promise<WeightSource> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new WeightsError(path, undefined, `cannot open: ${(e as Error).message}`, { cause: e });
  }
  let dir;
  let size: number;
  try {
    size = fstatSync(fd).size;
    dir = readDirectory(path, fd, size);
  } finally {
    closeSync(fd);
  }
  const dataLen = size - dir.dataStart;
  const tensors: TensorEntry[] = dir.entries.map((e) => {
    const typeName = GGML_TYPE_NAMES[e.type] ?? `unknown type ${e.type}`;
    const shape = e.dims.slice().reverse();
    const count = product(e.dims);
    const block = GGUF_BLOCKS[typeName];
    const check = (): number => {
      if (!block) throw new WeightsError(path, e.name, `GGUF type ${typeName} is not supported (supported: ${Object.keys(GGUF_BLOCKS).join(', ')})`);
      if (e.dims[0]! % block.elems !== 0) {
        throw new WeightsError(path, e.name, `GGUF ${typeName} row of ${e.dims[0]} elements is not a whole number of ${block.elems}-element blocks`);
      }
      const bytes = (count / block.elems) * block.bytes;
      if (e.offset + bytes > dataLen) {
        throw new WeightsError(path, e.name, `data [${e.offset}, ${e.offset + bytes}) runs past the end of the data block (${dataLen} bytes; truncated file?)`);
      }
      return bytes;
    };
    // Sizes are checked now for the types we decode, so a truncated file fails at open.
    if (block) check();
    return {
      name: e.name,
      shape,
      dtype: typeName,
      layout: { kind: 'axis', axis: 0, rule: 'GGUF dims innermost first: [ne0, ne1, ...] is row-major [..., ne1, ne0], N = last listed dim' },
      load: async () => {
        check();
        // whole blocks, 16 MiB at a time: the raw bytes of a large tensor never sit in memory whole
        const b = block!;
        const per = Math.max(1, Math.floor((16 * 1024 * 1024) / b.bytes));
        const nBlocks = count / b.elems;
        const out = new Float64Array(count);
        for (let k = 0; k < nBlocks; k += per) {
          const nb = Math.min(per, nBlocks - k);
          const raw = await readRange(path, dir.dataStart + e.offset + k * b.bytes, nb * b.bytes, e.name);
          out.set(dequantize(raw, typeName, nb * b.elems), k * b.elems);
        }
        return checkFinite(out, path, e.name);
      },
    } satisfies TensorEntry;
  });
  return { format: 'gguf', path, tensors, warnings: [] };
}
