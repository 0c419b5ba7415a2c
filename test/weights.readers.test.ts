// Readers: the same small network written by this test as safetensors, .npz,
// a folder of .npy, ONNX (encoded with protobufjs from our own descriptor, so
// the hand-written ONNX walker is checked against an independent encoder) and
// a TF.js layers-model must give the same layers and the same matrices.
// Values are multiples of 1/8 in [-2, 2]: exact in float16, bfloat16, float32
// and in 3-bit uint8 quantization, so every comparison can be exact.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWeights, layerMatrices, WeightsError, type LayerInfo } from '../src/weights/index.js';
import { encodeNpy, encodeNpz } from '../src/pipeline/report/npy.js';
import { ModelProto } from './helpers/onnxproto.js';
import { safetensorsRaw as safetensors } from './helpers/weightfiles.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ergo-weights-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

// ---- the network (PyTorch layout: conv [out, in, kh, kw], linear [out, in]) ----
const val = (k: number) => ((((k * 7) % 33) + 33) % 33 - 16) / 8; // multiples of 1/8 in [-2, 2]
const fill = (n: number, off: number) => Float64Array.from({ length: n }, (_, k) => val(k + off));
const CONV = { shape: [4, 3, 3, 3], data: fill(108, 0) }; // A0: 4 x 27, columns (in, kh, kw)
const FC1 = { shape: [6, 4], data: fill(24, 5) }; // A1: 6 x 4
const FC2 = { shape: [3, 6], data: fill(18, 11) }; // A2: 3 x 6
const CONV_B = { shape: [4], data: fill(4, 3) };

function transpose2(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j]!;
  return t;
}
/** PyTorch [o, i, kh, kw] -> TF [kh, kw, i, o]. */
function torchToTfConv(w: Float64Array, [o, i, kh, kw]: number[]): Float64Array {
  const t = new Float64Array(w.length);
  for (let a = 0; a < o; a++) for (let b = 0; b < i; b++) for (let c = 0; c < kh; c++) for (let d = 0; d < kw; d++) {
    t[((c * kw + d) * i + b) * o + a] = w[((a * i + b) * kh + c) * kw + d]!;
  }
  return t;
}

// ---- independent little encoders ----
function f32bytes(a: ArrayLike<number>): Uint8Array {
  return new Uint8Array(Float32Array.from(a).buffer);
}
// float16 of a value with at most 11 significant bits and a normal exponent (enough here)
function f16bits(v: number): number {
  if (v === 0) return Object.is(v, -0) ? 0x8000 : 0;
  const s = v < 0 ? 0x8000 : 0;
  const e = Math.floor(Math.log2(Math.abs(v)));
  const mant = Math.abs(v) / 2 ** e - 1;
  return s | ((e + 15) << 10) | Math.round(mant * 1024);
}
function f16bytes(a: ArrayLike<number>): Uint8Array {
  return new Uint8Array(Uint16Array.from(Array.from(a, f16bits)).buffer);
}
function bf16bytes(a: ArrayLike<number>): Uint8Array {
  const u = new Uint32Array(Float32Array.from(a).buffer);
  return new Uint8Array(Uint16Array.from(u, (x) => x >>> 16).buffer);
}


function encodeOnnx(graph: object): Uint8Array {
  return ModelProto.encode(ModelProto.fromObject({ irVersion: 8, graph })).finish();
}
const node = (opType: string, input: string[], output: string[], attribute: object[] = []) => ({ opType, input, output, name: output[0], attribute });
const INT = 2;

function writeAll(): Record<string, string> {
  const paths: Record<string, string> = {};
  // safetensors: mixed dtypes, header written in network order
  paths.safetensors = join(dir, 'net.safetensors');
  writeFileSync(paths.safetensors, safetensors([
    { name: 'conv.weight', dtype: 'F32', shape: CONV.shape, bytes: f32bytes(CONV.data) },
    { name: 'conv.bias', dtype: 'F32', shape: CONV_B.shape, bytes: f32bytes(CONV_B.data) },
    { name: 'fc1.weight', dtype: 'F16', shape: FC1.shape, bytes: f16bytes(FC1.data) },
    { name: 'fc2.weight', dtype: 'BF16', shape: FC2.shape, bytes: bf16bytes(FC2.data) },
  ]));
  // npz and a folder of npy, float64
  const members = [
    { name: 'conv.weight', array: { dtype: '<f8' as const, shape: CONV.shape, data: CONV.data } },
    { name: 'conv.bias', array: { dtype: '<f8' as const, shape: CONV_B.shape, data: CONV_B.data } },
    { name: 'fc1.weight', array: { dtype: '<f8' as const, shape: FC1.shape, data: FC1.data } },
    { name: 'fc2.weight', array: { dtype: '<f8' as const, shape: FC2.shape, data: FC2.data } },
  ];
  paths.npz = join(dir, 'net.npz');
  writeFileSync(paths.npz, encodeNpz(members));
  paths.npydir = join(dir, 'npydir');
  mkdirSync(paths.npydir);
  members.forEach((m, k) => writeFileSync(join(paths.npydir!, `${k}_${m.name}.npy`), encodeNpy(m.array)));
  // ONNX: Conv (raw_data) -> Flatten -> Gemm transB=1 (FLOAT16 in int32_data) -> MatMul [in, out] (float_data).
  // Initializers deliberately listed out of node order, plus one unused matrix.
  paths.onnx = join(dir, 'net.onnx');
  writeFileSync(paths.onnx, encodeOnnx({
    name: 'g',
    node: [
      node('Conv', ['x', 'conv.weight', 'conv.bias'], ['c']),
      node('Flatten', ['c'], ['f']),
      node('Gemm', ['f', 'fc1.weight'], ['h'], [{ name: 'transB', type: INT, i: 1 }]),
      node('MatMul', ['h', 'fc2.weight_t'], ['y']),
    ],
    initializer: [
      { name: 'fc2.weight_t', dims: [6, 3], dataType: 1, floatData: Array.from(transpose2(FC2.data, 3, 6)) },
      { name: 'unused', dims: [2, 2], dataType: 1, floatData: [1, 2, 3, 4] },
      { name: 'conv.weight', dims: CONV.shape, dataType: 1, rawData: f32bytes(CONV.data) },
      { name: 'conv.bias', dims: CONV_B.shape, dataType: 1, rawData: f32bytes(CONV_B.data) },
      { name: 'fc1.weight', dims: FC1.shape, dataType: 10, int32Data: Array.from(FC1.data, f16bits) },
    ],
  }));
  // TF.js layers-model: Keras layouts; manifest alphabetical (not network order),
  // data split over two shards at an odd byte; float32, float16 and uint8 quantization.
  const tfdir = join(dir, 'tfjs');
  mkdirSync(tfdir);
  paths.tfjs = join(tfdir, 'model.json');
  const kernel = torchToTfConv(CONV.data, CONV.shape);
  const q = (a: Float64Array) => Uint8Array.from(a, (v) => (v + 2) * 8); // v = q/8 - 2
  const blobs = [
    q(transpose2(FC2.data, 3, 6)), // a_fc2/kernel [6, 3] uint8
    f16bytes(transpose2(FC1.data, 6, 4)), // b_fc1/kernel [4, 6] float16
    f32bytes(CONV_B.data), // z_conv/bias
    f32bytes(kernel), // z_conv/kernel [3, 3, 3, 4]
  ];
  const all = new Uint8Array(blobs.reduce((s, b) => s + b.length, 0));
  let o = 0;
  for (const b of blobs) {
    all.set(b, o);
    o += b.length;
  }
  writeFileSync(join(tfdir, 'group1-shard1of2.bin'), all.subarray(0, 101));
  writeFileSync(join(tfdir, 'group1-shard2of2.bin'), all.subarray(101));
  const layer = (class_name: string, name: string) => ({ class_name, config: { name }, name, inbound_nodes: [] });
  writeFileSync(paths.tfjs, JSON.stringify({
    format: 'layers-model',
    modelTopology: {
      model_config: {
        class_name: 'Functional',
        config: { name: 'net', layers: [layer('InputLayer', 'in'), layer('Conv2D', 'z_conv'), layer('Flatten', 'flat'), layer('Dense', 'b_fc1'), layer('Dense', 'a_fc2')] },
      },
    },
    weightsManifest: [{
      paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'],
      weights: [
        { name: 'a_fc2/kernel', shape: [6, 3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.125, min: -2 } },
        { name: 'b_fc1/kernel', shape: [4, 6], dtype: 'float32', quantization: { dtype: 'float16' } },
        { name: 'z_conv/bias', shape: [4], dtype: 'float32' },
        { name: 'z_conv/kernel', shape: [3, 3, 3, 4], dtype: 'float32' },
      ],
    }],
  }));
  return paths;
}

let paths: Record<string, string> = {};
before(() => {
  paths = writeAll();
});

async function matrices(layers: LayerInfo[]): Promise<Float64Array[]> {
  return Promise.all(layers.map((l) => l.load()));
}

test('safetensors, npz, npy folder, ONNX and TF.js give the same layers and matrices', async () => {
  const expectDims = [[4, 27], [6, 4], [3, 6]];
  const expectA = [CONV.data, FC1.data, FC2.data];
  for (const key of ['safetensors', 'npz', 'npydir', 'onnx', 'tfjs']) {
    const src = await openWeights(paths[key]!);
    const layers = layerMatrices(src);
    assert.deepEqual(layers.map((l) => [l.rows, l.cols]), expectDims, `${key}: layer list`);
    assert.deepEqual(layers.map((l) => l.index), [0, 1, 2]);
    const A = await matrices(layers);
    // Dense layers: identical entries in every format.
    assert.deepEqual(A[1], expectA[1], `${key}: fc1`);
    assert.deepEqual(A[2], expectA[2], `${key}: fc2`);
    if (key === 'tfjs') {
      // Keras conv columns run (kh, kw, in) instead of (in, kh, kw): same rows,
      // permuted columns (which leaves X = A A^T unchanged).
      const perm = new Float64Array(108);
      for (let oc = 0; oc < 4; oc++) for (let i = 0; i < 3; i++) for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 3; kw++) {
        perm[oc * 27 + i * 9 + kh * 3 + kw] = A[0]![oc * 27 + (kh * 3 + kw) * 3 + i]!;
      }
      assert.deepEqual(perm, expectA[0]);
    } else {
      assert.deepEqual(A[0], expectA[0], `${key}: conv`);
    }
  }
});

test('formats are detected from content and the order rules hold', async () => {
  const st = await openWeights(paths.safetensors!);
  assert.equal(st.format, 'safetensors');
  assert.deepEqual(st.tensors.map((t) => t.name), ['conv.weight', 'conv.bias', 'fc1.weight', 'fc2.weight']);
  assert.deepEqual(st.tensors.map((t) => t.dtype), ['F32', 'F32', 'F16', 'BF16']);
  const onnx = await openWeights(paths.onnx!);
  assert.equal(onnx.format, 'onnx');
  // node order, then the unused initializer
  assert.deepEqual(onnx.tensors.map((t) => t.name), ['conv.weight', 'conv.bias', 'fc1.weight', 'fc2.weight_t', 'unused']);
  const warn = layerMatrices(onnx).warnings;
  assert.ok(warn.some((w) => w.includes('unused') && w.includes('not consumed')), warn.join('\n'));
  const tf = await openWeights(paths.tfjs!);
  assert.equal(tf.format, 'tfjs-layers-model');
  assert.deepEqual(tf.tensors.map((t) => t.name), ['z_conv/kernel', 'z_conv/bias', 'b_fc1/kernel', 'a_fc2/kernel']);
  assert.equal((await openWeights(paths.npz!)).format, 'npz');
  assert.equal((await openWeights(paths.npydir!)).format, 'npy-dir');
});

test('safetensors: header order as written even for integer-like names; every dtype decodes exactly', async () => {
  const vals = [0, 1, -2, 0.5, 0.125, -0.375, 1.75, 2];
  const i8 = Int8Array.from([-128, -1, 0, 1, 2, 3, 127, 5]);
  const i64 = new BigInt64Array([-(2n ** 40n), -1n, 0n, 1n, 2n, 3n, 2n ** 40n, 5n]);
  const file = join(dir, 'dtypes.safetensors');
  writeFileSync(file, safetensors([
    { name: 'z', dtype: 'F64', shape: [2, 4], bytes: new Uint8Array(Float64Array.from(vals).buffer) },
    { name: '10', dtype: 'F16', shape: [2, 4], bytes: f16bytes(vals) },
    { name: '2', dtype: 'BF16', shape: [2, 4], bytes: bf16bytes(vals) },
    { name: 'a', dtype: 'I8', shape: [2, 4], bytes: new Uint8Array(i8.buffer) },
    { name: 'b', dtype: 'I64', shape: [8], bytes: new Uint8Array(i64.buffer) },
    { name: 'c', dtype: 'U8', shape: [8], bytes: Uint8Array.from([0, 1, 2, 3, 4, 5, 255, 7]) },
    { name: 'd', dtype: 'BOOL', shape: [8], bytes: Uint8Array.from([0, 1, 0, 1, 1, 0, 0, 1]) },
    { name: 'e', dtype: 'I16', shape: [2], bytes: new Uint8Array(Int16Array.from([-300, 300]).buffer) },
    { name: 'f', dtype: 'I32', shape: [2], bytes: new Uint8Array(Int32Array.from([-70000, 70000]).buffer) },
  ]));
  const src = await openWeights(file);
  assert.deepEqual(src.tensors.map((t) => t.name), ['z', '10', '2', 'a', 'b', 'c', 'd', 'e', 'f']);
  const got = await Promise.all(src.tensors.map((t) => t.load()));
  assert.deepEqual(Array.from(got[0]!), vals);
  assert.deepEqual(Array.from(got[1]!), vals);
  assert.deepEqual(Array.from(got[2]!), vals);
  assert.deepEqual(Array.from(got[3]!), Array.from(i8));
  assert.deepEqual(Array.from(got[4]!), Array.from(i64, Number));
  assert.deepEqual(Array.from(got[5]!), [0, 1, 2, 3, 4, 5, 255, 7]);
  assert.deepEqual(Array.from(got[6]!), [0, 1, 0, 1, 1, 0, 0, 1]);
  assert.deepEqual(Array.from(got[7]!), [-300, 300]);
  assert.deepEqual(Array.from(got[8]!), [-70000, 70000]);
});

test('float16 / bfloat16 decoding matches the IEEE bit patterns (including subnormals and the max half)', async () => {
  // well-known patterns: half 1 = 0x3C00, -2 = 0xC000, 65504 = 0x7BFF, 2^-24 = 0x0001, 2^-14 = 0x0400;
  // bfloat16 1 = 0x3F80, -2 = 0xC000, 0.125 = 0x3E00
  const { halfToNumber, bf16ToNumber } = await import('../src/weights/index.js');
  assert.equal(halfToNumber(0x3c00), 1);
  assert.equal(halfToNumber(0xc000), -2);
  assert.equal(halfToNumber(0x7bff), 65504);
  assert.equal(halfToNumber(0x0001), 2 ** -24);
  assert.equal(halfToNumber(0x0400), 2 ** -14);
  assert.equal(halfToNumber(0x7c00), Infinity);
  assert.ok(Number.isNaN(halfToNumber(0x7e00)));
  assert.equal(bf16ToNumber(0x3f80), 1);
  assert.equal(bf16ToNumber(0xc000), -2);
  assert.equal(bf16ToNumber(0x3e00), 0.125);
});

test('ONNX: subgraphs, Constant nodes, LSTM per direction, ConvTranspose groups, typed fields, external data', async () => {
  const ext = join(dir, 'ext.bin');
  const extVals = fill(12, 40);
  const pad = new Uint8Array(16).fill(7);
  writeFileSync(ext, new Uint8Array([...pad, ...f32bytes(extVals)]));
  const lstmW = fill(2 * 8 * 3, 1); // [2 directions, 4 gates * 2 hidden, 3 in]
  const ctW = fill(4 * 3 * 2 * 2, 9); // ConvTranspose [Cin 4, Cout/g 3, 2, 2], group 2 -> Cout 6
  const file = join(dir, 'features.onnx');
  writeFileSync(file, encodeOnnx({
    name: 'main',
    node: [
      node('Constant', [], ['k'], [{ name: 'value', type: 4, t: { dims: [3, 2], dataType: 11, doubleData: [0.5, -1, 2, 0.25, 1.5, -0.75] } }]),
      node('MatMul', ['x', 'k'], ['y']),
      node('If', ['cond'], ['z'], [{
        name: 'then_branch', type: 5,
        g: {
          name: 'then',
          node: [node('Conv', ['y', 'inner.w'], ['z1'])],
          initializer: [{ name: 'inner.w', dims: [2, 3, 2], dataType: 1, externalData: [{ key: 'location', value: 'ext.bin' }, { key: 'offset', value: '16' }, { key: 'length', value: '48' }], dataLocation: 1 }],
        },
      }]),
      node('LSTM', ['z', 'lstm.W', 'lstm.R', 'lstm.B'], ['h']),
      node('ConvTranspose', ['h', 'ct.w'], ['u'], [{ name: 'group', type: INT, i: 2 }]),
      node('Gather', ['idx', 'ints'], ['v']),
    ],
    initializer: [
      { name: 'ints', dims: [2, 3], dataType: 7, int64Data: [-3, 2, 1, 0, 9, 4] },
      { name: 'ct.w', dims: [4, 3, 2, 2], dataType: 1, rawData: f32bytes(ctW) },
      { name: 'lstm.B', dims: [2, 16], dataType: 1, rawData: f32bytes(new Float64Array(32)) },
      { name: 'lstm.R', dims: [2, 8, 2], dataType: 1, rawData: f32bytes(fill(32, 2)) },
      { name: 'lstm.W', dims: [2, 8, 3], dataType: 1, rawData: f32bytes(lstmW) },
    ],
  }));
  const src = await openWeights(file);
  assert.deepEqual(src.tensors.map((t) => t.name), ['k', 'inner.w', 'lstm.W', 'lstm.R', 'lstm.B', 'ct.w', 'ints']);
  assert.deepEqual(Array.from(await src.tensors[0]!.load()), [0.5, -1, 2, 0.25, 1.5, -0.75]);
  assert.deepEqual(await src.tensors[1]!.load(), extVals);
  assert.deepEqual(Array.from(await src.tensors[6]!.load()), [-3, 2, 1, 0, 9, 4]);
  const layers = layerMatrices(src);
  assert.deepEqual(
    layers.map((l) => [l.name, l.rows, l.cols]),
    [['k', 2, 3], ['inner.w', 2, 6], ['lstm.W[direction 0]', 8, 3], ['lstm.W[direction 1]', 8, 3],
      ['lstm.R[direction 0]', 8, 2], ['lstm.R[direction 1]', 8, 2], ['ct.w', 6, 8]],
  );
  // MatMul weight [in, out] -> A = K^T
  assert.deepEqual(Array.from(await layers[0]!.load()), [0.5, 2, 1.5, -1, 0.25, -0.75]);
  assert.deepEqual(await layers[3]!.load(), lstmW.slice(24, 48));
  // ConvTranspose: A[g*3 + o, i*4 + t] = W[g*2 + i, o, t]
  const A = await layers[6]!.load();
  for (let g = 0; g < 2; g++) for (let o = 0; o < 3; o++) for (let i = 0; i < 2; i++) for (let t = 0; t < 4; t++) {
    assert.equal(A[(g * 3 + o) * 8 + i * 4 + t], ctW[((g * 2 + i) * 3 + o) * 4 + t]);
  }
  // Gather of a rank-2 tensor: reported, not guessed
  assert.ok(layers.warnings.some((w) => w.startsWith('ints') && w.includes('Gather')), layers.warnings.join('\n'));
});

test('include / exclude patterns select tensors by name', async () => {
  const src = await openWeights(paths.safetensors!);
  assert.deepEqual(layerMatrices(src, { include: /^fc/ }).map((l) => l.name), ['fc1.weight', 'fc2.weight']);
  assert.deepEqual(layerMatrices(src, { exclude: /fc2/ }).map((l) => l.name), ['conv.weight', 'fc1.weight']);
});

// ---- errors: always a WeightsError naming the file (and the tensor when there is one) ----

async function rejectsNaming(path: string, tensor: string | undefined, fn: () => Promise<unknown>, detail: RegExp): Promise<void> {
  await assert.rejects(fn, (e: unknown) => {
    assert.ok(e instanceof WeightsError, `expected WeightsError, got ${String(e)}`);
    assert.ok(e.message.includes(path), `message names the file: ${e.message}`);
    if (tensor !== undefined) assert.ok(e.message.includes(`'${tensor}'`), `message names the tensor: ${e.message}`);
    assert.match(e.message, detail);
    return true;
  });
}

test('errors: safetensors bad header length, unknown dtype, short data, NaN', async () => {
  const good = safetensors([{ name: 'w', dtype: 'F32', shape: [2, 2], bytes: f32bytes([1, 2, 3, 4]) }]);
  const bad = join(dir, 'badlen.safetensors');
  const b1 = good.slice();
  new DataView(b1.buffer).setBigUint64(0, 10n ** 12n, true);
  writeFileSync(bad, b1);
  await rejectsNaming(bad, undefined, () => openWeights(bad, { format: 'safetensors' }), /header length/);

  const unk = join(dir, 'unk.safetensors');
  writeFileSync(unk, safetensors([{ name: 'w', dtype: 'F8_E4M3', shape: [2, 2], bytes: new Uint8Array(4) }]));
  await rejectsNaming(unk, 'w', () => openWeights(unk), /dtype 'F8_E4M3'/);

  const short = join(dir, 'short.safetensors');
  writeFileSync(short, good.subarray(0, good.length - 3));
  await rejectsNaming(short, 'w', () => openWeights(short), /truncated/);

  const nan = join(dir, 'nan.safetensors');
  writeFileSync(nan, safetensors([{ name: 'w', dtype: 'F32', shape: [2, 2], bytes: f32bytes([1, NaN, 3, 4]) }]));
  const src = await openWeights(nan);
  await rejectsNaming(nan, 'w', () => src.tensors[0]!.load(), /non-finite/);
  await rejectsNaming(nan, 'w', () => layerMatrices(src)[0]!.load(), /non-finite/);
});

test('errors: TF.js missing shard, short shard, unknown dtype, NaN', async () => {
  const d = join(dir, 'tferr');
  mkdirSync(d);
  const manifest = (weights: object[], paths = ['w.bin']) => JSON.stringify([{ paths, weights }]);
  const w = (name: string, dtype = 'float32', shape = [2, 2]) => ({ name, shape, dtype });
  const m1 = join(d, 'missing.json');
  writeFileSync(m1, manifest([w('a/kernel')], ['nope.bin']));
  await rejectsNaming(m1, 'a/kernel', () => openWeights(m1), /"nope\.bin": missing/);

  writeFileSync(join(d, 'w.bin'), f32bytes([1, 2, 3, 4, 5, NaN, 7, 8]));
  const m2 = join(d, 'short.json');
  writeFileSync(m2, manifest([w('a/kernel'), w('b/kernel'), w('c/kernel')]));
  await rejectsNaming(m2, 'c/kernel', () => openWeights(m2), /truncated or missing data/);

  const m3 = join(d, 'dtype.json');
  writeFileSync(m3, manifest([w('a/kernel', 'complex64')]));
  await rejectsNaming(m3, 'a/kernel', () => openWeights(m3), /dtype 'complex64'/);

  const m4 = join(d, 'nan.json');
  writeFileSync(m4, manifest([w('a/kernel'), w('b/kernel')]));
  const src = await openWeights(m4);
  assert.deepEqual(Array.from(await src.tensors[0]!.load()), [1, 2, 3, 4]);
  await rejectsNaming(m4, 'b/kernel', () => src.tensors[1]!.load(), /non-finite/);
});

test('errors: ONNX truncated protobuf, raw_data shorter than declared, unknown data_type, missing external file, NaN', async () => {
  const goodBytes = encodeOnnx({ name: 'g', node: [node('MatMul', ['x', 'w'], ['y'])], initializer: [{ name: 'w', dims: [2, 2], dataType: 1, rawData: f32bytes([1, 2, 3, 4]) }] });
  const trunc = join(dir, 'trunc.onnx');
  writeFileSync(trunc, goodBytes.subarray(0, goodBytes.length - 5));
  await rejectsNaming(trunc, undefined, () => openWeights(trunc), /corrupt or truncated/);

  const cases: [string, object, RegExp][] = [
    ['short.onnx', { name: 'w', dims: [2, 2], dataType: 1, rawData: f32bytes([1, 2, 3]) }, /raw_data has 12 bytes/],
    ['dtype.onnx', { name: 'w', dims: [2, 2], dataType: 99, rawData: f32bytes([1, 2, 3, 4]) }, /unknown ONNX data_type 99/],
    ['ext.onnx', { name: 'w', dims: [2, 2], dataType: 1, externalData: [{ key: 'location', value: 'absent.bin' }], dataLocation: 1 }, /"absent\.bin": missing/],
  ];
  for (const [name, init, re] of cases) {
    const f = join(dir, name);
    writeFileSync(f, encodeOnnx({ name: 'g', node: [node('MatMul', ['x', 'w'], ['y'])], initializer: [init] }));
    await rejectsNaming(f, 'w', () => openWeights(f), re);
  }
  const nan = join(dir, 'nan.onnx');
  writeFileSync(nan, encodeOnnx({ name: 'g', node: [node('MatMul', ['x', 'w'], ['y'])], initializer: [{ name: 'w', dims: [2, 2], dataType: 1, floatData: [1, Infinity, 3, 4] }] }));
  const src = await openWeights(nan);
  await rejectsNaming(nan, 'w', () => src.tensors[0]!.load(), /non-finite/);
});

test('errors: npy / npz problems and unknown files become WeightsError', async () => {
  const bad = join(dir, 'bad.npy');
  const bytes = encodeNpy({ dtype: '<f8', shape: [2, 2], data: [1, 2, 3, 4] });
  writeFileSync(bad, bytes.subarray(0, bytes.length - 8));
  await rejectsNaming(bad, undefined, () => openWeights(bad), /truncated/);
  const nan = join(dir, 'nan.npz');
  writeFileSync(nan, encodeNpz([{ name: 'layer', array: { dtype: '<f8', shape: [2, 2], data: [1, 2, NaN, 4] } }]));
  const src = await openWeights(nan);
  await rejectsNaming(nan, 'layer', () => src.tensors[0]!.load(), /non-finite/);
  const junk = join(dir, 'junk.bin');
  writeFileSync(junk, new Uint8Array([1, 2, 3, 4, 5]));
  await rejectsNaming(junk, undefined, () => openWeights(junk), /unrecognised/);
});

// safetensors' data block must be tiled exactly by the tensors (safetensors.ts checkCoverage).
// Each file below is valid except for the one lie its name says; without the check, the
// overlap would let two tensors share bytes and the trailing bytes would go unread, silently.
test('safetensors: overlapping data_offsets, holes and bytes after the last tensor are refused, naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ergo-st-tiling-'));
  try {
    const raw = (tensors: { name: string; offsets: [number, number] }[], dataLen: number): Uint8Array => {
      const entries = tensors.map((t) => `${JSON.stringify(t.name)}:{"dtype":"F64","shape":[${(t.offsets[1] - t.offsets[0]) / 8}],"data_offsets":[${t.offsets[0]},${t.offsets[1]}]}`);
      let header = `{${entries.join(',')}}`;
      header += ' '.repeat((8 - (header.length % 8)) % 8);
      const out = new Uint8Array(8 + header.length + dataLen);
      new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
      out.set(new TextEncoder().encode(header), 8);
      return out;
    };
    const cases: [string, Uint8Array, RegExp][] = [
      ['overlap.safetensors', raw([{ name: 'a', offsets: [0, 64] }, { name: 'b', offsets: [32, 96] }], 96), /\[tensor 'b'\].*overlap another tensor's bytes/],
      ['trailing.safetensors', raw([{ name: 'a', offsets: [0, 64] }], 72), /cover 64 bytes of the data block, which has 72/],
      ['hole.safetensors', raw([{ name: 'a', offsets: [0, 32] }, { name: 'b', offsets: [40, 72] }], 72), /\[tensor 'b'\].*bytes 32\.\.40 of the data block belong to no tensor/],
    ];
    // the same shapes with honest offsets read (so each refusal is the lie's, not the builder's)
    const honest = join(dir, 'honest.safetensors');
    writeFileSync(honest, raw([{ name: 'a', offsets: [0, 64] }, { name: 'b', offsets: [64, 96] }], 96));
    assert.equal((await openWeights(honest)).tensors.length, 2);
    for (const [name, bytes, re] of cases) {
      const p = join(dir, name);
      writeFileSync(p, bytes);
      await assert.rejects(openWeights(p), (e: unknown) => e instanceof WeightsError && e.message.includes(p) && re.test(e.message), name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
