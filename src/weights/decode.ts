// Element decoders shared by the readers: every stored dtype becomes float64.
import { open, stat } from 'node:fs/promises';
import { WeightsError } from './errors.js';

/** Storage dtypes the readers decode, little-endian. */
export type StoredType = 'f64' | 'f32' | 'f16' | 'bf16' | 'i64' | 'i32' | 'i16' | 'i8' | 'u64' | 'u32' | 'u16' | 'u8' | 'bool';

export const BYTES: Record<StoredType, number> = {
  f64: 8, f32: 4, f16: 2, bf16: 2, i64: 8, i32: 4, i16: 2, i8: 1, u64: 8, u32: 4, u16: 2, u8: 1, bool: 1,
};

// IEEE 754 binary16 -> number: sign, 5-bit exponent (bias 15), 10-bit fraction;
// subnormals scale the fraction by 2^-24 (IEEE 754-2008, section 3.6).
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}

const f32scratch = new Float32Array(1);
const u32scratch = new Uint32Array(f32scratch.buffer);

// bfloat16 is the top half of a binary32: shift it up 16 bits and reinterpret.
export function bf16ToNumber(b: number): number {
  u32scratch[0] = (b & 0xffff) << 16;
  return f32scratch[0]!;
}

/** Decode `count` little-endian elements of `type` from `bytes` (any alignment). */
export function decodeElements(bytes: Uint8Array, type: StoredType, count: number): Float64Array {
  const out = new Float64Array(count);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type) {
    case 'f64': for (let i = 0; i < count; i++) out[i] = dv.getFloat64(8 * i, true); break;
    case 'f32': for (let i = 0; i < count; i++) out[i] = dv.getFloat32(4 * i, true); break;
    case 'f16': for (let i = 0; i < count; i++) out[i] = halfToNumber(dv.getUint16(2 * i, true)); break;
    case 'bf16': for (let i = 0; i < count; i++) out[i] = bf16ToNumber(dv.getUint16(2 * i, true)); break;
    case 'i64': for (let i = 0; i < count; i++) out[i] = Number(dv.getBigInt64(8 * i, true)); break;
    case 'u64': for (let i = 0; i < count; i++) out[i] = Number(dv.getBigUint64(8 * i, true)); break;
    case 'i32': for (let i = 0; i < count; i++) out[i] = dv.getInt32(4 * i, true); break;
    case 'u32': for (let i = 0; i < count; i++) out[i] = dv.getUint32(4 * i, true); break;
    case 'i16': for (let i = 0; i < count; i++) out[i] = dv.getInt16(2 * i, true); break;
    case 'u16': for (let i = 0; i < count; i++) out[i] = dv.getUint16(2 * i, true); break;
    case 'i8': for (let i = 0; i < count; i++) out[i] = dv.getInt8(i); break;
    case 'u8': for (let i = 0; i < count; i++) out[i] = dv.getUint8(i); break;
    case 'bool': for (let i = 0; i < count; i++) out[i] = dv.getUint8(i) !== 0 ? 1 : 0; break;
  }
  return out;
}

/**
 * `table[key]` for an own string key only: a key from a file such as 'constructor' or
 * 'toString' must not find Object.prototype's members.
 */
export function lookup<T>(table: Readonly<Record<string, T>>, key: unknown): T | undefined {
  return typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined;
}

/**
 * A JSON value from a file as text for names and messages. Never String(x): a parsed object may
 * carry its own 'toString' key, and String() would then throw a TypeError.
 */
export function shown(x: unknown): string {
  return typeof x === 'string' ? x : (JSON.stringify(x) ?? 'nothing');
}

export function product(shape: readonly number[]): number {
  let p = 1;
  for (const d of shape) p *= d;
  return p;
}

/** Shape sanity: non-negative safe integers. */
export function checkShape(shape: unknown, file: string, tensor: string): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new WeightsError(file, tensor, `invalid shape ${JSON.stringify(shape)}`);
  }
  if (!Number.isSafeInteger(product(shape))) throw new WeightsError(file, tensor, `shape ${JSON.stringify(shape)} is too large`);
  return shape as number[];
}

/** Throws WeightsError naming file, tensor and the first bad index if any value is NaN/Inf. */
export function checkFinite(values: Float64Array, file: string, tensor: string): Float64Array {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) {
      throw new WeightsError(file, tensor, `non-finite weight (${v}) at flat index ${i}; refusing to analyse it`);
    }
  }
  return values;
}

/** Read exactly `length` bytes at `offset` of `file`; a short read is a WeightsError. */
export async function readRange(file: string, offset: number, length: number, tensor?: string): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw new WeightsError(file, tensor, `cannot open: ${(e as Error).message}`, { cause: e });
  }
  try {
    let done = 0;
    while (done < length) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await fh.read(out, done, length - done, offset + done));
      } catch (e) {
        throw new WeightsError(file, tensor, `cannot read: ${(e as Error).message}`, { cause: e });
      }
      if (bytesRead === 0) {
        throw new WeightsError(file, tensor, `file ends early: needed ${length} bytes at offset ${offset}, got ${done}`);
      }
      done += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return out;
}

/** Bytes read per piece by readElements: the raw bytes of a large tensor never sit in memory whole. */
const PIECE_BYTES = 16 * 1024 * 1024;

/**
 * Read and decode `count` elements of `type` at `offset` of `file`, piece by piece into one
 * Float64Array (the only full-size allocation); a short file is a WeightsError.
 */
export async function readElements(file: string, offset: number, type: StoredType, count: number, tensor?: string): Promise<Float64Array> {
  const size = BYTES[type];
  const per = Math.max(1, Math.floor(PIECE_BYTES / size));
  if (count <= per) return decodeElements(await readRange(file, offset, count * size, tensor), type, count);
  const out = new Float64Array(count);
  for (let done = 0; done < count; done += per) {
    const n = Math.min(per, count - done);
    out.set(decodeElements(await readRange(file, offset + done * size, n * size, tensor), type, n), done);
  }
  return out;
}

// Gather a strided view (sizes, strides in elements) of `src` (element 0 = storage offset)
// into row-major order: an odometer over the index space.
export function gatherStrided(src: Float64Array, size: number[], stride: number[]): Float64Array {
  const count = product(size);
  const out = new Float64Array(count);
  const rank = size.length;
  const idx = new Array<number>(rank).fill(0);
  let at = 0;
  for (let k = 0; k < count; k++) {
    out[k] = src[at]!;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      at += stride[d]!;
      if (idx[d]! < size[d]!) break;
      at -= stride[d]! * size[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

// Size in bytes of a weights file, or a WeightsError naming it if it cannot be read.
export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (e) {
    throw new WeightsError(path, undefined, `cannot read: ${(e as Error).message}`, { cause: e });
  }
}
