// Test helpers: write small weight files (safetensors, .npy, .npz) with encoders
// written here from the format descriptions, independent of src/weights, and a
// synthetic network whose values are multiples of 1/8 in [-2, 2] (exact in
// float16, bfloat16, float32 and float64, so every format holds the same numbers).

export type StDtype = 'F64' | 'F32' | 'F16' | 'BF16';
export type NpyDescr = '<f8' | '<f4' | '<f2';

export interface Tensor {
  name: string;
  shape: number[];
  data: Float64Array;
}

/** Multiplicative hash (Knuth) of j reduced to {-16..16}/8. Exact in float64 for j < 3e6. */
export function synthValue(j: number): number {
  return ((((j * 2654435761) % 4294967296) % 33) - 16) / 8;
}

/** PyTorch-layout synthetic network; values run on across tensors (offset = elements before). */
export const SYNTH_SPEC: [string, number[]][] = [
  ['conv0.weight', [8, 3, 3, 3]],
  ['conv0.bias', [8]],
  ['conv1.weight', [16, 8, 3, 3]],
  ['conv2.weight', [16, 16, 1, 1]],
  ['bn.weight', [16]],
  ['fc0.weight', [32, 64]],
  ['fc1.weight', [32, 8]], // N > M: rank 8, 24 zero eigenvalues
  ['fc2.weight', [4, 32]],
  ['fc3.weight', [2, 4]],
];

export function synthNetwork(): Tensor[] {
  let off = 0;
  return SYNTH_SPEC.map(([name, shape]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = Float64Array.from({ length: size }, (_, k) => synthValue(off + k));
    off += size;
    return { name, shape, data };
  });
}

// IEEE half precision of a value that it represents exactly (throws otherwise).
function f16bits(v: number): number {
  if (v === 0) return Object.is(v, -0) ? 0x8000 : 0;
  const s = v < 0 ? 0x8000 : 0;
  const a = Math.abs(v);
  const e = Math.floor(Math.log2(a));
  if (e < -14 || e > 15) throw new Error(`${v} is not a normal float16`);
  const mant = (a / 2 ** e - 1) * 1024;
  if (!Number.isInteger(mant)) throw new Error(`${v} is not exact in float16`);
  return s | ((e + 15) << 10) | mant;
}

/** Little-endian bytes of `data` in the given element type (exactness checked for 16-bit types). */
export function encodeFloats(data: ArrayLike<number>, type: 'f64' | 'f32' | 'f16' | 'bf16'): Uint8Array {
  const n = data.length;
  if (type === 'f64') return new Uint8Array(Float64Array.from(data).buffer);
  if (type === 'f32') return new Uint8Array(Float32Array.from(data).buffer);
  const out = new Uint16Array(n);
  if (type === 'f16') for (let i = 0; i < n; i++) out[i] = f16bits(data[i]!);
  else {
    const u = new Uint32Array(Float32Array.from(data).buffer);
    for (let i = 0; i < n; i++) {
      if ((u[i]! & 0xffff) !== 0) throw new Error(`${data[i]} is not exact in bfloat16`);
      out[i] = u[i]! >>> 16;
    }
  }
  return new Uint8Array(out.buffer);
}

const ST_TYPE = { F64: 'f64', F32: 'f32', F16: 'f16', BF16: 'bf16' } as const;

/** safetensors: u64 LE header length, JSON header (names in the given order), then the data. */
export function safetensorsBytes(tensors: readonly Tensor[], dtype: StDtype | ((t: Tensor) => StDtype)): Uint8Array {
  return safetensorsRaw(tensors.map((t) => {
    const dt = typeof dtype === 'function' ? dtype(t) : dtype;
    return { name: t.name, dtype: dt, shape: t.shape, bytes: encodeFloats(t.data, ST_TYPE[dt]) };
  }));
}

/** safetensors from already-encoded tensors (any dtype string, for tests of unknown or bad dtypes). */
export function safetensorsRaw(entries: readonly { name: string; dtype: string; shape: readonly number[]; bytes: Uint8Array }[]): Uint8Array {
  const parts = ['"__metadata__":{"format":"pt"}'];
  let off = 0;
  for (const e of entries) {
    parts.push(`${JSON.stringify(e.name)}:{"dtype":"${e.dtype}","shape":${JSON.stringify(e.shape)},"data_offsets":[${off},${off + e.bytes.length}]}`);
    off += e.bytes.length;
  }
  let header = `{${parts.join(',')}}`;
  header += ' '.repeat((8 - (header.length % 8)) % 8);
  const out = new Uint8Array(8 + header.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(new TextEncoder().encode(header), 8);
  let p = 8 + header.length;
  for (const e of entries) {
    out.set(e.bytes, p);
    p += e.bytes.length;
  }
  return out;
}

/** .npy version 1.0, C order. */
export function npyBytes(data: ArrayLike<number>, shape: readonly number[], descr: NpyDescr = '<f8'): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const body = encodeFloats(data, descr === '<f8' ? 'f64' : descr === '<f4' ? 'f32' : 'f16');
  const out = new Uint8Array(10 + header.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(body, 10 + header.length);
  return out;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();
function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip archive with stored (uncompressed) members in the given order: what numpy.savez writes. */
export function zipStore(members: readonly { name: string; bytes: Uint8Array }[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let off = 0;
  for (const m of members) {
    const name = new TextEncoder().encode(m.name);
    const crc = crc32(m.bytes);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, m.bytes.length, true);
    lv.setUint32(22, m.bytes.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const cd = new Uint8Array(46 + name.length);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, m.bytes.length, true);
    cv.setUint32(24, m.bytes.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, off, true);
    cd.set(name, 46);
    chunks.push(local, m.bytes);
    central.push(cd);
    off += local.length + m.bytes.length;
  }
  const cdSize = central.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, members.length, true);
  ev.setUint16(10, members.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, off, true);
  const all = [...chunks, ...central, end];
  const out = new Uint8Array(all.reduce((s, c) => s + c.length, 0));
  let p = 0;
  for (const c of all) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

/** .npz of named tensors (member `<name>.npy`), in the given order. */
export function npzBytes(tensors: readonly Tensor[], descr: NpyDescr = '<f8'): Uint8Array {
  return zipStore(tensors.map((t) => ({ name: `${t.name}.npy`, bytes: npyBytes(t.data, t.shape, descr) })));
}

/** TF/Keras conv kernel [kh, kw, in, out] (float32 values) -> PyTorch [out, in, kh, kw]. */
export function tfConvToTorch(k: ArrayLike<number>, [kh, kw, cin, cout]: readonly number[]): Float64Array {
  const t = new Float64Array(k.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) {
    t[((o * cin + i) * kh + y) * kw + x] = k[((y * kw + x) * cin + i) * cout + o]!;
  }
  return t;
}
