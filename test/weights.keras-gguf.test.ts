// Keras (.h5, .keras) and GGUF readers: the fixtures written by scripts/make-keras-gguf-fixtures.py
// give the same layers (order, N x M), matrices and eigenvalues as their safetensors twins; each
// GGUF quantisation is checked on blocks built here by hand, with the expected floats computed
// here from the block layout (ggml-common.h structs); unsupported types are refused by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWeights, layerMatrices, detectFormat, WeightsError, dequantizeGguf } from '../src/weights/index.js';
import { layerEigenvalues } from '../src/spectral/index.js';

const fromSource = import.meta.url.endsWith('.ts');
const FIX = fileURLToPath(new URL(fromSource ? './fixtures/weights/' : '../../test/fixtures/weights/', import.meta.url));

async function layersOf(path: string) {
  const layers = layerMatrices(await openWeights(path));
  return Promise.all(layers.map(async (l) => ({ name: l.name, n: l.rows, m: l.cols, a: await l.load(), warnings: layers.warnings })));
}

async function sameAsTwin(file: string, twin: string): Promise<void> {
  const got = await layersOf(join(FIX, file));
  const want = await layersOf(join(FIX, twin));
  assert.deepEqual(got.map((l) => [l.n, l.m]), want.map((l) => [l.n, l.m]), `${file}: layer order and N x M`);
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!, w = want[i]!;
    // the twin holds the same float64 values in the reader's column order: the matrices are identical
    assert.deepEqual(Array.from(g.a), Array.from(w.a), `${file}: layer ${i} (${g.name}) matrix`);
    const eg = layerEigenvalues({ rows: g.n, cols: g.m, data: g.a });
    const ew = layerEigenvalues({ rows: w.n, cols: w.m, data: w.a });
    const top = Math.max(...ew);
    for (let k = 0; k < eg.length; k++) assert.ok(Math.abs(eg[k]! - ew[k]!) <= 1e-12 * top, `${file}: layer ${i} eigenvalue ${k}`);
  }
}

test('Keras 2 .h5 (whole model): layer_names order, TF layouts, optimizer_weights ignored; same as the safetensors twin', async () => {
  const src = await openWeights(join(FIX, 'keras2-model.h5'));
  assert.equal(src.format, 'keras-h5');
  assert.ok(src.tensors.every((t) => !/Adam|optimizer/.test(t.name)), 'no optimizer variable is listed');
  assert.deepEqual(layerMatrices(src).map((l) => l.name), ['conv_b/kernel:0', 'dw_a/depthwise_kernel:0', 'dense_c/kernel:0', 'aux_dense/kernel:0']);
  await sameAsTwin('keras2-model.h5', 'keras2-model.expected.safetensors');
});

test('Keras 2 save_weights .h5 (root layer_names, no config): same layers, with a warning about inferred layouts', async () => {
  await sameAsTwin('keras2-weights.h5', 'keras2-model.expected.safetensors');
  const layers = layerMatrices(await openWeights(join(FIX, 'keras2-weights.h5')));
  assert.ok(layers.warnings.some((w) => /no model_config/.test(w)));
});

test('Keras 3 .keras: config.json order (not the alphabetical HDF5 order), vars by index, LSTM cell, optimizer ignored', async () => {
  assert.equal(await detectFormat(join(FIX, 'keras3-model.keras')), 'keras');
  const layers = layerMatrices(await openWeights(join(FIX, 'keras3-model.keras')));
  assert.deepEqual(layers.map((l) => l.name), [
    'z_dense/kernel', 'lstm/cell/kernel', 'lstm/cell/recurrent_kernel', 'b_sep/depthwise_kernel', 'b_sep/pointwise_kernel', 'a_out/kernel',
  ]);
  await sameAsTwin('keras3-model.keras', 'keras3-model.expected.safetensors');
});

for (const t of ['f32', 'f16', 'bf16', 'q8_0', 'q4_0', 'q4_k', 'q6_k']) {
  test(`GGUF ${t.toUpperCase()}: dims innermost first (N = last listed), dequantised values equal the script's`, async () => {
    assert.equal(await detectFormat(join(FIX, `gguf-${t}.gguf`)), 'gguf');
    const layers = layerMatrices(await openWeights(join(FIX, `gguf-${t}.gguf`)));
    assert.deepEqual(layers.map((l) => [l.name, l.rows, l.cols]), [['blk.0.attn_q.weight', 6, 256], ['blk.0.ffn_up.weight', 12, 256], ['blk.0.ffn_down.weight', 4, 512]]);
    await sameAsTwin(`gguf-${t}.gguf`, `gguf-${t}.expected.safetensors`);
  });
}

// ---------------------------------------------------------------- blocks built by hand

function f16bits(x: number): number {
  // exact for the values used below (small integers times powers of two)
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0]!;
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  const frac = (u >>> 13) & 0x3ff;
  if (x === 0) return sign;
  assert.ok(exp > 0 && exp < 31 && (u & 0x1fff) === 0, `${x} is not exact in f16`);
  return sign | (exp << 10) | frac;
}

function u16(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = v >> 8;
}

test('Q8_0 block by hand: x = d * q', () => {
  const b = new Uint8Array(34);
  u16(b, 0, f16bits(0.25));
  for (let j = 0; j < 32; j++) b[2 + j] = (j * 8 - 128) & 0xff; // int8 q = 8j - 128, in -128..120
  const x = dequantizeGguf(b, 'Q8_0', 32);
  for (let j = 0; j < 32; j++) assert.equal(x[j], 0.25 * (8 * j - 128));
});

test('Q4_0 block by hand: byte j = element j (low nibble) and j + 16 (high); x = d * (nibble - 8)', () => {
  const b = new Uint8Array(18);
  u16(b, 0, f16bits(-0.5));
  for (let j = 0; j < 16; j++) b[2 + j] = (j & 15) | (((15 - j) & 15) << 4);
  const x = dequantizeGguf(b, 'Q4_0', 32);
  for (let j = 0; j < 16; j++) {
    assert.equal(x[j], -0.5 * (j - 8));
    assert.equal(x[j + 16], -0.5 * (15 - j - 8));
  }
});

test('Q4_K super-block by hand: 6-bit scales/mins packed in 12 bytes; x = d*sc*q - dmin*m', () => {
  const d = 0.125, dmin = 0.0625;
  const sc = [1, 2, 3, 63, 17, 32, 48, 5];
  const mn = [0, 7, 60, 1, 33, 16, 2, 63];
  const b = new Uint8Array(144);
  u16(b, 0, f16bits(d));
  u16(b, 2, f16bits(dmin));
  // packing: bytes 0..3 = sc[0..3] (low 6 bits) + top 2 bits of sc[4..7]; bytes 4..7 = mn[0..3] + top 2 bits
  // of mn[4..7]; bytes 8..11 = low 4 bits of sc[4..7] | low 4 bits of mn[4..7] << 4
  for (let j = 0; j < 4; j++) {
    b[4 + j] = sc[j]! | ((sc[j + 4]! >> 4) << 6);
    b[8 + j] = mn[j]! | ((mn[j + 4]! >> 4) << 6);
    b[12 + j] = (sc[j + 4]! & 15) | ((mn[j + 4]! & 15) << 4);
  }
  const q = (i: number): number => (i * 7 + 3) % 16; // the 4-bit quant of element i
  // 4 chunks of 32 bytes: element 64c + l in the low nibble of byte 32c + l, element 64c + 32 + l in the high
  for (let c = 0; c < 4; c++) for (let l = 0; l < 32; l++) b[16 + 32 * c + l] = q(64 * c + l) | (q(64 * c + 32 + l) << 4);
  const x = dequantizeGguf(b, 'Q4_K', 256);
  for (let i = 0; i < 256; i++) {
    const sub = i >> 5; // sub-block of 32
    assert.equal(x[i], d * sc[sub]! * q(i) - dmin * mn[sub]!, `element ${i}`);
  }
});

test('Q6_K super-block by hand: 4 low bits in ql, 2 high bits in qh, minus 32, int8 scale per 16, f16 d last', () => {
  const d = 0.03125;
  const scales = [1, -2, 3, -4, 5, -6, 7, -8, 127, -128, 11, -12, 13, -14, 15, -16];
  const q = (i: number): number => (i * 37 + 11) % 64; // the stored 6-bit value of element i
  const b = new Uint8Array(210);
  // within each half h of 128: element 128h + 32k + l (k = 0..3, l = 0..31) sits in
  // ql[64h + l + 32(k & 1)] (low nibble for k < 2, high for k >= 2) and qh[32h + l] bits 2k..2k+1
  for (let h = 0; h < 2; h++) {
    for (let l = 0; l < 32; l++) {
      for (let k = 0; k < 4; k++) {
        const v = q(128 * h + 32 * k + l);
        const qlIdx = 64 * h + l + 32 * (k & 1);
        b[qlIdx] = b[qlIdx]! | ((v & 15) << (k >= 2 ? 4 : 0));
        b[128 + 32 * h + l] = b[128 + 32 * h + l]! | ((v >> 4) << (2 * k));
      }
    }
  }
  scales.forEach((s, i) => { b[192 + i] = s & 0xff; });
  u16(b, 208, f16bits(d));
  const x = dequantizeGguf(b, 'Q6_K', 256);
  for (let i = 0; i < 256; i++) {
    assert.equal(x[i], d * scales[i >> 4]! * (q(i) - 32), `element ${i}`); // one scale per 16 consecutive elements
  }
});

test('F16 and BF16 elements by hand', () => {
  const b = new Uint8Array([0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00]); // f16 1, -2, 2^-24
  assert.deepEqual(Array.from(dequantizeGguf(b, 'F16', 3)), [1, -2, 2 ** -24]);
  const c = new Uint8Array([0x80, 0x3f, 0x40, 0xc0]); // bf16 1, -3
  assert.deepEqual(Array.from(dequantizeGguf(c, 'BF16', 2)), [1, -3]);
});

// ---------------------------------------------------------------- GGUF built in the test

/** Little-endian GGUF header writer: the magic and version 3 first, then what the caller adds. */
function ggufWriter() {
  const parts: number[] = [];
  const u32 = (v: number) => { for (let i = 0; i < 4; i++) parts.push((v >>> (8 * i)) & 0xff); };
  const u64 = (v: bigint) => { for (let i = 0n; i < 8n; i++) parts.push(Number((v >> (8n * i)) & 0xffn)); };
  const str = (s: string) => { const e = new TextEncoder().encode(s); u64(BigInt(e.length)); parts.push(...e); };
  parts.push(0x47, 0x47, 0x55, 0x46);
  u32(3);
  return { parts, u32, u64, str };
}

function ggufFile(tensors: { name: string; dims: number[]; type: number; bytes: number }[], opts: { tensorCount?: bigint } = {}): Uint8Array {
  const { parts, u32, u64, str } = ggufWriter();
  u64(opts.tensorCount ?? BigInt(tensors.length));
  u64(0n);
  let off = 0;
  for (const t of tensors) {
    str(t.name);
    u32(t.dims.length);
    for (const d of t.dims) u64(BigInt(d));
    u32(t.type);
    u64(BigInt(off));
    off += Math.ceil(t.bytes / 32) * 32;
  }
  while (parts.length % 32) parts.push(0);
  const out = new Uint8Array(parts.length + off);
  out.set(parts);
  return out;
}

test('GGUF: a type outside the supported list is refused by name when its layer is loaded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ergo-gguf-'));
  try {
    const p = join(dir, 'm.gguf');
    writeFileSync(p, ggufFile([{ name: 'blk.0.ffn_up.weight', dims: [256, 4], type: 13, bytes: 4 * 176 }])); // Q5_K
    const layers = layerMatrices(await openWeights(p));
    assert.equal(layers.length, 1);
    await assert.rejects(layers[0]!.load(), (e: unknown) => e instanceof WeightsError && /Q5_K is not supported/.test(e.message) && /blk\.0\.ffn_up\.weight/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('GGUF: counts and sizes are checked against the file (huge tensor count, data past the end)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ergo-gguf-'));
  try {
    const p = join(dir, 'm.gguf');
    writeFileSync(p, ggufFile([], { tensorCount: 2n ** 40n }));
    await assert.rejects(openWeights(p), (e: unknown) => e instanceof WeightsError && /more than a \d+-byte file can hold/.test(e.message));
    const full = ggufFile([{ name: 'w', dims: [32, 4], type: 0, bytes: 512 }]);
    writeFileSync(p, full.subarray(0, full.length - 100));
    await assert.rejects(openWeights(p), (e: unknown) => e instanceof WeightsError && /\[tensor 'w'\].*past the end/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// A metadata array of strings (or arrays) whose count the file cannot hold is refused before
// any element is read (gguf.ts skipValue): each element takes at least 8 bytes, so the count is
// bounded by the bytes left. Without the check the reader would loop over the claimed count.
test('GGUF: a metadata array claiming more strings than the file can hold is refused up front, naming the key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ergo-gguf-'));
  try {
    const { parts, u32, u64, str } = ggufWriter();
    u64(0n); // tensors
    u64(1n); // metadata entries
    str('tokenizer.ggml.tokens');
    u32(9); // array
    u32(8); // of strings
    u64(1000n); // claimed: 1000 strings, at least 8000 bytes
    for (let i = 0; i < 4; i++) str('tok'); // present: 4 (44 bytes)
    const p = join(dir, 'm.gguf');
    writeFileSync(p, Uint8Array.from(parts));
    await assert.rejects(openWeights(p), (e: unknown) => e instanceof WeightsError && /metadata 'tokenizer\.ggml\.tokens' claims 1000 elements, more than the file can hold/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

