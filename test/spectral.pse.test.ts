// Periodic spectral ergodicity and cPSE ('definition' semantics by hand; both
// semantics' matrix entry points against ml-matrix as the reference solver).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix, EigenvalueDecomposition } from 'ml-matrix';
import { createStream } from '../src/rng/index.js';
import {
  periodicPad, padLayers, dLayersPSE, cpseFromEigenvalues, cpseFromWeights, cpseVanilla, layerEigenvalues, vanillaEigenvalues,
  klSymmetric, meanLog10, type RealMatrix,
} from '../src/spectral/index.js';

const S = 1e-9;

test('periodic padding: definition sorts then cycles; bristol keeps order and takes |x|', () => {
  assert.deepEqual(Array.from(periodicPad([3, 1, 2], 7, 'definition')), [1, 2, 3, 1, 2, 3, 1]);
  assert.deepEqual(Array.from(periodicPad([-3, 1, 2], 7, 'bristol')), [3, 1, 2, 3, 1, 2, 3]);
  assert.deepEqual(Array.from(periodicPad([5], 3)), [5, 5, 5]);
  const { padded, nMax } = padLayers([[2, 1], [1, 2, 3, 4]]);
  assert.equal(nMax, 4);
  assert.deepEqual(padded.map((p) => Array.from(p)), [[1, 2, 1, 2], [1, 2, 3, 4]]);
  assert.throws(() => periodicPad([], 3), /empty/);
});

test('cPSE by hand: three layers of different orders, shared range [0, 3] with 3 bins', () => {
  // padded (N_max = 3): [1,1,1], [1,2,1] (sorted [1,2] cycled), [0,2,3].
  // Shared range over all padded values = [0, 3], bins [0,1) [1,2) [2,3]:
  // layer 1 counts [0,3,0], layer 2 [0,2,1]. Omega_1 = 0 (one member);
  // Omega_2: rhobar [0, 2.5, .5], squares summed [0, .5, .5], / (M N = 6) -> [0, 1/12, 1/12].
  // D_1 = KL(0, Omega_2) = 2 * (1/12) log2((1/12 + s)/s); layer 3 only sets the range.
  const r = cpseFromEigenvalues([[1], [2, 1], [3, 0, 2]], { bins: 3 });
  assert.equal(r.nMax, 3);
  assert.deepEqual(r.range, [0, 3]);
  assert.deepEqual(Array.from(r.omegas[0]!), [0, 0, 0]);
  const o2 = Array.from(r.omegas[1]!);
  assert.equal(o2[0], 0);
  assert.ok(Math.abs(o2[1]! - 1 / 12) < 1e-15 && Math.abs(o2[2]! - 1 / 12) < 1e-15);
  const d = 2 * (1 / 12) * Math.log2((1 / 12 + S) / S);
  assert.equal(r.dLayers.length, 1);
  assert.ok(Math.abs(r.dLayers[0]! - d) < 1e-12 * d);
  assert.ok(Math.abs(r.cpse - Math.log10(d)) < 1e-12);
});

test('cPSE by hand: the last layer changes only the shared range', () => {
  // layers A=[0,1], B=[2,3], C=[5,7]: range [0,7], 7 unit bins; A -> bins 0,1, B -> bins 2,3.
  // Omega_2 = 0.125 on bins 0..3, D = 4 * 0.125 * log2((0.125 + s)/s).
  const r = cpseFromEigenvalues([[0, 1], [2, 3], [5, 7]], { bins: 7 });
  const d = 0.5 * Math.log2((0.125 + S) / S);
  assert.ok(Math.abs(r.dLayers[0]! - d) < 1e-12 * d);
});

test('identical layers give d = 0 for every l; fewer than 3 layers give [] and NaN', () => {
  const s = createStream('pse-identical');
  const e = Float64Array.from({ length: 20 }, () => s.uniform() * 4);
  const r = cpseFromEigenvalues([e, e, e, e, e]);
  assert.deepEqual(r.dLayers, [0, 0, 0]);
  assert.equal(r.cpse, -Infinity);
  for (const sem of ['definition', 'bristol'] as const) {
    const two = cpseFromEigenvalues([e, e], { semantics: sem });
    assert.deepEqual(two.dLayers, []);
    assert.ok(Number.isNaN(two.cpse));
    assert.ok(Number.isNaN(cpseFromEigenvalues([e], { semantics: sem }).cpse));
  }
  assert.throws(() => cpseFromEigenvalues([]), /at least one layer/);
  assert.ok(Number.isNaN(meanLog10([])));
});

test('d_layers are KL distances between consecutive prefix Omegas, all >= 0', () => {
  const s = createStream('pse-random');
  const layers = [16, 8, 16, 4, 16, 12].map((n) => Float64Array.from({ length: n }, () => s.uniform() * 10));
  for (const semantics of ['definition', 'bristol'] as const) {
    const r = cpseFromEigenvalues(layers, { semantics });
    assert.equal(r.dLayers.length, 4);
    assert.equal(r.omegas.length, 5);
    r.dLayers.forEach((d, i) => { assert.ok(d >= 0); assert.equal(d, klSymmetric(r.omegas[i]!, r.omegas[i + 1]!)); });
    const mean = r.dLayers.reduce((a, d) => a + Math.log10(d), 0) / r.dLayers.length;
    assert.ok(Math.abs(r.cpse - mean) < 1e-12);
    assert.deepEqual(dLayersPSE(padLayers(layers, semantics).padded, { semantics }), r.dLayers);
  }
});

function randomMatrix(rows: number, cols: number, seed: string): RealMatrix {
  const s = createStream(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => s.normal()) };
}

/** Reference eigenvalues with ml-matrix: eig of B B^T (B = rows x cols), ascending. */
function mlGramEigen(data: Float64Array, rows: number, cols: number): number[] {
  const b = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) b.set(i, j, data[i * cols + j]!);
  const g = b.mmul(b.transpose());
  return new EigenvalueDecomposition(g, { assumeSymmetric: true }).realEigenvalues.sort((x, y) => x - y);
}

test('layer eigenvalues from weights: definition eig(A A^T) >= 0, bristol |eig(X X^T)| (ml-matrix reference)', () => {
  const a = randomMatrix(12, 7, 'weights-a'); // rank 7 < 12: five zero eigenvalues of A A^T
  const ref = mlGramEigen(a.data, 12, 7);
  const got = layerEigenvalues(a, 'definition');
  const top = Math.max(...ref);
  for (let i = 0; i < 12; i++) assert.ok(Math.abs(got[i]! - Math.max(0, ref[i]!)) <= 1e-12 * top, `eig ${i}`);
  assert.ok(got.every((x) => x >= 0));
  assert.deepEqual(Array.from(got.slice(0, 5)).every((x) => x < 1e-12 * top), true);
  // bristol: eigenvalues of X X^T with X = A A^T are the squares
  const gb = Array.from(layerEigenvalues(a, 'bristol')).sort((x, y) => x - y);
  for (let i = 0; i < 12; i++) assert.ok(Math.abs(gb[i]! - ref[i]! ** 2) <= 1e-11 * top * top, `bristol eig ${i}`);
  // simple exact case: A = [[3,0,0],[0,4,0]] -> eig(A A^T) = [9, 16]
  const e = { rows: 2, cols: 3, data: Float64Array.from([3, 0, 0, 0, 4, 0]) };
  assert.deepEqual(Array.from(layerEigenvalues(e)), [9, 16]);
  assert.deepEqual(Array.from(layerEigenvalues(e, 'bristol')), [81, 256]);
  assert.deepEqual(Array.from(vanillaEigenvalues(e)), [9, 16]);
  assert.throws(() => layerEigenvalues({ rows: 2, cols: 2, data: new Float64Array(3) }), /expected 2 x 2/);
  assert.throws(() => layerEigenvalues({ rows: 1, cols: 2, data: Float64Array.from([NaN, 1]) }), /non-finite/);
});

test('cPSE from matrices equals cPSE from their (ml-matrix) eigenvalues, both semantics', () => {
  // equal layer orders, so the eigenvalue order inside a layer cannot matter after padding
  const mats = [0, 1, 2, 3, 4].map((k) => randomMatrix(10, 6 + k, `w${k}`));
  const eigs = mats.map((m) => mlGramEigen(m.data, m.rows, m.cols).map((x) => Math.max(0, x)));
  const def = cpseFromWeights(mats);
  const defRef = cpseFromEigenvalues(eigs);
  def.dLayers.forEach((d, i) => assert.ok(Math.abs(d - defRef.dLayers[i]!) <= 1e-9 * defRef.dLayers[i]!));
  const van = cpseVanilla(mats);
  assert.deepEqual(van.dLayers, def.dLayers); // vanilla on A is eig(A A^T) as well
  const bri = cpseFromWeights(mats, { semantics: 'bristol' });
  const briRef = cpseFromEigenvalues(eigs.map((e) => e.map((x) => x * x)), { semantics: 'bristol' });
  bri.dLayers.forEach((d, i) => assert.ok(Math.abs(d - briRef.dLayers[i]!) <= 1e-9 * briRef.dLayers[i]!));
});
