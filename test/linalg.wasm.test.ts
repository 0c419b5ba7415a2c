// WebAssembly SIMD kernels (src/linalg/wasm) against the TypeScript kernels
// (src/linalg), against independent references (ml-matrix, matrices with a
// spectrum fixed by construction, plain triple loops) and the fallback path.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import seedrandom from 'seedrandom';
import { NonFiniteInputError, tridiagonalEigenvalues, type ComplexMatrix } from '../src/linalg/index.js';
// The TypeScript kernels (the public names dispatch to WebAssembly when it is available).
import { complexQRTS as complexQR } from '../src/linalg/complex.js';
import { gramTS as gram } from '../src/linalg/gram.js';
import { hermitianTridiagonalizeTS as hermitianTridiagonalize } from '../src/linalg/hermitian.js';
import { symmetricTridiagonalizeTS as symmetricTridiagonalize } from '../src/linalg/symmetric.js';
import { releaseWasmKernels } from '../src/linalg/wasm/index.js';
import { ensureWasmBuilt, kernels } from './helpers/wasm.js';

// Runs from the sources (node --import tsx) or compiled (dist/test/*.js).
const fromSource = import.meta.url.endsWith('.ts');
const root = fileURLToPath(new URL(fromSource ? '..' : '../..', import.meta.url));
const loaderUrl = new URL(`../src/linalg/wasm/index.${fromSource ? 'ts' : 'js'}`, import.meta.url).href;
const tsxArgs = fromSource ? ['--import', 'tsx'] : [];
// Workers do not inherit tsx's loader hooks: from the sources, register them in the worker first.
const tsxApi = fromSource ? import.meta.resolve('tsx/esm/api') : '';
const workerPrelude = fromSource ? `(await import(${JSON.stringify(tsxApi)})).register();` : '';

ensureWasmBuilt();

const TOL = 1e-12;

// ---------------------------------------------------------------- generators

function uniform(rng: () => number, len: number, scale = 1): Float64Array {
  const a = new Float64Array(len);
  for (let i = 0; i < len; i++) a[i] = (2 * rng() - 1) * scale;
  return a;
}

function randomSymmetric(rng: () => number, n: number, scale = 1): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = (2 * rng() - 1) * scale;
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

function randomHermitian(rng: () => number, n: number, scale = 1): ComplexMatrix {
  const re = new Float64Array(n * n), im = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const x = (2 * rng() - 1) * scale, y = i === j ? 0 : (2 * rng() - 1) * scale;
      re[i * n + j] = x; re[j * n + i] = x;
      im[i * n + j] = y; im[j * n + i] = -y;
    }
  }
  return { rows: n, cols: n, re, im };
}

/** Rank-r symmetric B B^T (B n x r): n - r eigenvalues are exactly 0. */
function rankDeficientSymmetric(rng: () => number, n: number, r: number): Float64Array {
  const b = uniform(rng, n * r);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let l = 0; l < r; l++) s += b[i * r + l]! * b[j * r + l]!;
      a[i * n + j] = s;
    }
  }
  return a;
}

/** Rank-r Hermitian G G^H (G n x r complex). */
function rankDeficientHermitian(rng: () => number, n: number, r: number): ComplexMatrix {
  const gr = uniform(rng, n * r), gi = uniform(rng, n * r);
  const re = new Float64Array(n * n), im = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sr = 0, si = 0;
      for (let l = 0; l < r; l++) {
        const ar = gr[i * r + l]!, ai = gi[i * r + l]!, br = gr[j * r + l]!, bi = -gi[j * r + l]!;
        sr += ar * br - ai * bi;
        si += ar * bi + ai * br;
      }
      re[i * n + j] = sr;
      im[i * n + j] = i === j ? 0 : si;
    }
  }
  return { rows: n, cols: n, re, im };
}

/** Spectrum with repeated values, e.g. [3, 3, 3, -1, -1, 0.5, ...] (known exactly). */
function repeatedSpectrum(n: number): Float64Array {
  const pool = [3, -1, 0.5];
  const lam = new Float64Array(n);
  for (let i = 0; i < n; i++) lam[i] = pool[Math.min(2, Math.floor((3 * i) / n))]!;
  return lam.sort();
}

/**
 * U D U^H with U = P2 P1, P = I - 2 x x^H / |x|^2 complex Householder
 * reflectors written out here (unitary by construction), so the eigenvalues
 * are exactly D up to rounding. Each reflector is applied to A = D as two
 * rank-one updates, A <- P A P^H, O(n^2) each (as a product with P it was
 * O(n^3)). imag = false gives a real orthogonal U (symmetric result).
 */
function withSpectrum(rng: () => number, lam: Float64Array, imag: boolean): ComplexMatrix {
  const n = lam.length;
  const re = new Float64Array(n * n), im = new Float64Array(n * n);
  for (let i = 0; i < n; i++) re[i * n + i] = lam[i]!;
  const wr = new Float64Array(n), wi = new Float64Array(n);
  for (let rep = 0; rep < 2; rep++) {
    const xr = uniform(rng, n), xi = imag ? uniform(rng, n) : new Float64Array(n);
    let nn = 0;
    for (let i = 0; i < n; i++) nn += xr[i]! ** 2 + xi[i]! ** 2;
    const c = 2 / nn;
    // A <- P A = A - c x (x^H A):  w_j = sum_l conj(x_l) A_lj
    wr.fill(0); wi.fill(0);
    for (let l = 0; l < n; l++) {
      const a = xr[l]!, b = -xi[l]!;
      for (let j = 0; j < n; j++) {
        const ar = re[l * n + j]!, ai = im[l * n + j]!;
        wr[j] += a * ar - b * ai;
        wi[j] += a * ai + b * ar;
      }
    }
    for (let i = 0; i < n; i++) {
      const a = c * xr[i]!, b = c * xi[i]!;
      for (let j = 0; j < n; j++) {
        re[i * n + j] -= a * wr[j]! - b * wi[j]!;
        im[i * n + j] -= a * wi[j]! + b * wr[j]!;
      }
    }
    // A <- A P^H = A - c (A x) x^H:  v_i = sum_j A_ij x_j
    for (let i = 0; i < n; i++) {
      let vr = 0, vi = 0;
      for (let j = 0; j < n; j++) {
        const ar = re[i * n + j]!, ai = im[i * n + j]!;
        vr += ar * xr[j]! - ai * xi[j]!;
        vi += ar * xi[j]! + ai * xr[j]!;
      }
      vr *= c; vi *= c;
      for (let j = 0; j < n; j++) {
        // (v_i conj(x_j))
        re[i * n + j] -= vr * xr[j]! + vi * xi[j]!;
        im[i * n + j] -= vi * xr[j]! - vr * xi[j]!;
      }
    }
  }
  // enforce exact Hermitian symmetry of the rounded result
  for (let i = 0; i < n; i++) {
    im[i * n + i] = 0;
    for (let j = i + 1; j < n; j++) {
      re[j * n + i] = re[i * n + j]!;
      im[j * n + i] = -im[i * n + j]!;
    }
  }
  return { rows: n, cols: n, re, im };
}

function scaleC(m: ComplexMatrix, s: number): ComplexMatrix {
  return { rows: m.rows, cols: m.cols, re: m.re.map((x) => x * s), im: m.im.map((x) => x * s) };
}

// ---------------------------------------------------------------- references

function mlSymmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  const rows = Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, i * n + n)));
  const ev = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  return Float64Array.from(ev.realEigenvalues).sort();
}

/** Eigenvalues of Hermitian X + iY from the real symmetric [[X, -Y], [Y, X]] (each appears twice). */
function mlHermitianEigenvalues(m: ComplexMatrix): Float64Array {
  const n = m.rows;
  const big = new Float64Array(4 * n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = m.re[i * n + j]!, y = m.im[i * n + j]!;
      big[i * 2 * n + j] = x;
      big[(i + n) * 2 * n + j + n] = x;
      big[i * 2 * n + j + n] = -y;
      big[(i + n) * 2 * n + j] = y;
    }
  }
  return mlSymmetricEigenvalues(big, 2 * n).filter((_, i) => i % 2 === 0);
}

function maxAbsOf(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** max |a_i - b_i| / max |b_i| (b the reference). */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  const s = maxAbsOf(b);
  return s === 0 ? m : m / s;
}

// ---------------------------------------------------------------- symmetric

const SIZES = [1, 2, 3, 4, 5, 7, 16, 33, 64, 97];

interface SymCase { name: string; n: number; a: Float64Array; exact?: Float64Array; generic?: boolean }

/** generic: a random matrix, whose reflectors are well determined, so d and e themselves must agree. */
function symmetricCases(): SymCase[] {
  const rng = seedrandom('wasm-symmetric');
  const cases: SymCase[] = [];
  for (const n of SIZES) {
    cases.push({ name: `random n=${n}`, n, a: randomSymmetric(rng, n), generic: true });
    if (n >= 3) cases.push({ name: `rank ${Math.floor(n / 3)} n=${n}`, n, a: rankDeficientSymmetric(rng, n, Math.floor(n / 3)) });
    const lam = repeatedSpectrum(n);
    cases.push({ name: `repeated n=${n}`, n, a: withSpectrum(rng, lam, false).re, exact: lam });
    cases.push({ name: `tiny n=${n}`, n, a: randomSymmetric(rng, n, 1e-200), generic: true });
    cases.push({ name: `huge n=${n}`, n, a: randomSymmetric(rng, n, 1e200), generic: true });
  }
  cases.push({ name: 'zero n=6', n: 6, a: new Float64Array(36) });
  const id = new Float64Array(25);
  for (let i = 0; i < 5; i++) id[i * 5 + i] = 1;
  cases.push({ name: 'identity n=5', n: 5, a: id, exact: Float64Array.from([1, 1, 1, 1, 1]) });
  return cases;
}

test('symmetricTridiagonalize: WASM eigenvalues match the TS kernel and references to 1e-12 relative', () => {
  const k = kernels();
  for (const c of symmetricCases()) {
    const copy = c.a.slice();
    const w = k.symmetricTridiagonalize(c.a, c.n);
    assert.deepEqual(c.a, copy, `${c.name}: input modified`);
    assert.equal(w.d.length, c.n);
    assert.equal(w.e.length, c.n - 1);
    const t = symmetricTridiagonalize(c.a, c.n);
    const lw = tridiagonalEigenvalues(w.d, w.e);
    const lt = tridiagonalEigenvalues(t.d, t.e);
    assert.ok(relDiff(lw, lt) <= TOL, `${c.name}: WASM vs TS eigenvalues differ by ${relDiff(lw, lt)}`);
    if (c.generic) {
      // Both follow LAPACK's reflector convention, so d and e agree themselves.
      // (Not for repeated/zero eigenvalues: there some columns are rounding
      // noise and the reflectors built from them are arbitrary.)
      const scale = maxAbsOf(lt);
      for (let i = 0; i < c.n; i++) assert.ok(Math.abs(w.d[i]! - t.d[i]!) <= TOL * scale, `${c.name}: d[${i}]`);
      for (let i = 0; i < c.n - 1; i++) assert.ok(Math.abs(w.e[i]! - t.e[i]!) <= TOL * scale, `${c.name}: e[${i}]`);
    }
    if (c.exact) {
      assert.ok(relDiff(lw, c.exact) <= TOL, `${c.name}: vs exact spectrum ${relDiff(lw, c.exact)}`);
    } else if (!c.name.startsWith('tiny') && !c.name.startsWith('huge')) {
      const ref = mlSymmetricEigenvalues(c.a, c.n);
      assert.ok(relDiff(lw, ref) <= TOL, `${c.name}: vs ml-matrix ${relDiff(lw, ref)}`);
    }
  }
});

test('symmetricTridiagonalize: scaling by 1e-200 / 1e200 scales the eigenvalues (homogeneity)', () => {
  const k = kernels();
  const rng = seedrandom('wasm-scale');
  for (const n of [9, 40]) {
    const a = randomSymmetric(rng, n);
    const ref = mlSymmetricEigenvalues(a, n);
    for (const s of [1e-200, 1e200, 1e-300, 1e300]) {
      const w = k.symmetricTridiagonalize(a.map((x) => x * s), n);
      const l = tridiagonalEigenvalues(w.d, w.e);
      assert.ok(relDiff(l.map((x) => x / s), ref) <= TOL, `n=${n} s=${s}`);
    }
  }
});

test('symmetricTridiagonalize: the blocked WebAssembly path (n >= 512) matches the TS kernel to 1e-12 relative', () => {
  // Orders from 512 up take panels of 32 columns plus a rank-64 trailing update
  // (and finish unblocked); odd orders give ragged 4 x 4 tiles. References: the
  // unblocked TS kernel, and for the repeated case the spectrum fixed by construction.
  const k = kernels();
  const rng = seedrandom('wasm-symmetric-blocked');
  const cases: SymCase[] = [];
  for (const n of [512, 517]) {
    cases.push({ name: `random n=${n}`, n, a: randomSymmetric(rng, n), generic: true });
    cases.push({ name: `huge n=${n}`, n, a: randomSymmetric(rng, n, 1e200), generic: true });
  }
  cases.push({ name: 'tiny n=515', n: 515, a: randomSymmetric(rng, 515, 1e-200), generic: true });
  cases.push({ name: 'rank 40 n=514', n: 514, a: rankDeficientSymmetric(rng, 514, 40) });
  const lam = repeatedSpectrum(513);
  cases.push({ name: 'repeated n=513', n: 513, a: withSpectrum(rng, lam, false).re, exact: lam });
  // already diagonal: every reflector is the identity (tau = 0), W stays zero
  const diag = new Float64Array(520 * 520);
  const dv = Float64Array.from({ length: 520 }, (_, i) => (i % 7) - 3 + i / 1000);
  for (let i = 0; i < 520; i++) diag[i * 520 + i] = dv[i]!;
  cases.push({ name: 'diagonal n=520', n: 520, a: diag, exact: dv.slice().sort() });
  for (const c of cases) {
    const copy = c.a.slice();
    const w = k.symmetricTridiagonalize(c.a, c.n);
    assert.deepEqual(c.a, copy, `${c.name}: input modified`);
    const t = symmetricTridiagonalize(c.a, c.n);
    const lw = tridiagonalEigenvalues(w.d, w.e);
    const lt = tridiagonalEigenvalues(t.d, t.e);
    assert.ok(relDiff(lw, lt) <= TOL, `${c.name}: WASM vs TS eigenvalues differ by ${relDiff(lw, lt)}`);
    if (c.generic) {
      // Same reflectors as the unblocked kernel, up to rounding that the later
      // columns amplify a little (about 1e-12 relative at these orders): a looser check of d, e.
      const scale = maxAbsOf(lt);
      for (let i = 0; i < c.n; i++) assert.ok(Math.abs(w.d[i]! - t.d[i]!) <= 1e-10 * scale, `${c.name}: d[${i}]`);
      for (let i = 0; i < c.n - 1; i++) assert.ok(Math.abs(Math.abs(w.e[i]!) - Math.abs(t.e[i]!)) <= 1e-10 * scale, `${c.name}: e[${i}]`);
    }
    if (c.exact) assert.ok(relDiff(lw, c.exact) <= TOL, `${c.name}: vs exact spectrum ${relDiff(lw, c.exact)}`);
    // trace and Frobenius norm are invariant under the orthogonal similarity
    let tr = 0, fro = 0, trT = 0, froT = 0;
    for (let i = 0; i < c.n; i++) {
      tr += c.a[i * c.n + i]!;
      for (let j = 0; j < c.n; j++) fro += c.a[i * c.n + j]! ** 2;
    }
    for (let i = 0; i < c.n; i++) { trT += w.d[i]!; froT += w.d[i]! ** 2; }
    for (let i = 0; i < c.n - 1; i++) froT += 2 * w.e[i]! ** 2;
    if (Number.isFinite(fro) && fro > 1e-300) {
      assert.ok(Math.abs(trT - tr) <= 1e-12 * c.n * Math.sqrt(fro), `${c.name}: trace`);
      assert.ok(Math.abs(froT - fro) <= 1e-12 * fro, `${c.name}: Frobenius norm`);
    }
  }
});

// ---------------------------------------------------------------- Hermitian

test('hermitianTridiagonalize: WASM eigenvalues match the TS kernel and references to 1e-12 relative', () => {
  const k = kernels();
  const rng = seedrandom('wasm-hermitian');
  for (const n of SIZES) {
    const lam = repeatedSpectrum(n);
    const base = randomHermitian(rng, n);
    const cases: Array<{ name: string; m: ComplexMatrix; exact?: Float64Array; ml?: boolean }> = [
      { name: `random n=${n}`, m: base, ml: true },
      { name: `repeated n=${n}`, m: withSpectrum(rng, lam, true), exact: lam },
      { name: `tiny n=${n}`, m: scaleC(base, 1e-200) },
      { name: `huge n=${n}`, m: scaleC(base, 1e200) },
    ];
    if (n >= 3) cases.push({ name: `rank ${Math.floor(n / 3)} n=${n}`, m: rankDeficientHermitian(rng, n, Math.floor(n / 3)), ml: true });
    for (const c of cases) {
      const re = c.m.re.slice(), im = c.m.im.slice();
      const w = k.hermitianTridiagonalize(c.m);
      assert.deepEqual([c.m.re, c.m.im], [re, im], `${c.name}: input modified`);
      assert.equal(w.e.length, n - 1);
      const t = hermitianTridiagonalize(c.m);
      const lw = tridiagonalEigenvalues(w.d, w.e);
      const lt = tridiagonalEigenvalues(t.d, t.e);
      assert.ok(relDiff(lw, lt) <= TOL, `${c.name}: WASM vs TS ${relDiff(lw, lt)}`);
      if (c.exact) assert.ok(relDiff(lw, c.exact) <= TOL, `${c.name}: vs exact ${relDiff(lw, c.exact)}`);
      if (c.ml) {
        const ref = mlHermitianEigenvalues(c.m);
        assert.ok(relDiff(lw, ref) <= TOL, `${c.name}: vs ml-matrix ${relDiff(lw, ref)}`);
      }
    }
    // homogeneity at extreme scales
    const ref = tridiagonalEigenvalues(...(Object.values(k.hermitianTridiagonalize(base)) as [Float64Array, Float64Array]));
    for (const s of [1e-200, 1e200]) {
      const w = k.hermitianTridiagonalize(scaleC(base, s));
      assert.ok(relDiff(tridiagonalEigenvalues(w.d, w.e).map((x) => x / s), ref) <= TOL, `n=${n} scale ${s}`);
    }
  }
});

// ---------------------------------------------------------------- complex QR

/** Q^H Q - I, strictly-lower part of Q^H A, and diag(Q^H A) - rDiag, all relative to max|A|. */
function qrResiduals(a: ComplexMatrix, q: ComplexMatrix, rdr: Float64Array, rdi: Float64Array): { unit: number; lower: number; diag: number } {
  const n = a.rows;
  const amax = Math.max(maxAbsOf(a.re), maxAbsOf(a.im));
  let unit = 0, lower = 0, diag = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let ur = 0, ui = 0, rr = 0, ri = 0;
      for (let l = 0; l < n; l++) {
        const qr = q.re[l * n + i]!, qi = -q.im[l * n + i]!; // conj(Q_li)
        ur += qr * q.re[l * n + j]! - qi * q.im[l * n + j]!;
        ui += qr * q.im[l * n + j]! + qi * q.re[l * n + j]!;
        rr += qr * a.re[l * n + j]! - qi * a.im[l * n + j]!;
        ri += qr * a.im[l * n + j]! + qi * a.re[l * n + j]!;
      }
      unit = Math.max(unit, Math.hypot(ur - (i === j ? 1 : 0), ui));
      if (i > j) lower = Math.max(lower, Math.hypot(rr, ri) / amax);
      if (i === j) diag = Math.max(diag, Math.hypot(rr - rdr[i]!, ri - rdi[i]!) / amax);
    }
  }
  return { unit, lower, diag };
}

test('complexQR: WASM Q and diag(R) match the TS kernel; Q unitary, Q^H A upper triangular', (t) => {
  const k = kernels();
  const rng = seedrandom('wasm-qr');
  for (const n of SIZES) {
    const base: ComplexMatrix = { rows: n, cols: n, re: uniform(rng, n * n), im: uniform(rng, n * n) };
    // rank deficient: last third of the columns copy the first columns
    const rd: ComplexMatrix = { rows: n, cols: n, re: base.re.slice(), im: base.im.slice() };
    for (let i = 0; i < n; i++) {
      for (let j = n - Math.floor(n / 3); j < n; j++) {
        rd.re[i * n + j] = base.re[i * n + (j % 3)]!;
        rd.im[i * n + j] = base.im[i * n + (j % 3)]!;
      }
    }
    const cases = [
      { name: `random n=${n}`, m: base, unique: true },
      { name: `tiny n=${n}`, m: scaleC(base, 1e-200), unique: true },
      { name: `huge n=${n}`, m: scaleC(base, 1e200), unique: true },
      { name: `rank-deficient n=${n}`, m: rd, unique: false },
    ];
    for (const c of cases) {
      const re = c.m.re.slice(), im = c.m.im.slice();
      const w = k.complexQR(c.m);
      assert.deepEqual([c.m.re, c.m.im], [re, im], `${c.name}: input modified`);
      const res = qrResiduals(c.m, w.q, w.rDiagRe, w.rDiagIm);
      const bound = 50 * n * 2.2e-16;
      assert.ok(res.unit <= bound && res.lower <= bound && res.diag <= bound, `${c.name}: residuals ${JSON.stringify(res)}`);
      const ts = complexQR(c.m);
      // The TS kernel must also cope with columns of pure rounding noise (~1e-157).
      const resT = qrResiduals(c.m, ts.q, ts.rDiagRe, ts.rDiagIm);
      assert.ok(resT.unit <= bound && resT.lower <= bound && resT.diag <= bound, `${c.name}: TS residuals ${JSON.stringify(resT)}`);
      const amax = Math.max(maxAbsOf(c.m.re), maxAbsOf(c.m.im));
      const rAbsW = w.rDiagRe.map((x, i) => Math.hypot(x, w.rDiagIm[i]!) / amax);
      const rAbsT = ts.rDiagRe.map((x, i) => Math.hypot(x, ts.rDiagIm[i]!) / amax);
      for (let i = 0; i < n; i++) assert.ok(Math.abs(rAbsW[i]! - rAbsT[i]!) <= TOL, `${c.name}: |R_${i}${i}| differ`);
      if (c.unique) {
        // For full rank, Q diag(R_ii / |R_ii|) is unique (the Mezzadri phase fix).
        const fix = (q: ComplexMatrix, rr: Float64Array, ri: Float64Array) => {
          const out = { re: new Float64Array(n * n), im: new Float64Array(n * n) };
          for (let j = 0; j < n; j++) {
            const h = Math.hypot(rr[j]!, ri[j]!), pr = rr[j]! / h, pi = ri[j]! / h;
            for (let i = 0; i < n; i++) {
              out.re[i * n + j] = q.re[i * n + j]! * pr - q.im[i * n + j]! * pi;
              out.im[i * n + j] = q.re[i * n + j]! * pi + q.im[i * n + j]! * pr;
            }
          }
          return out;
        };
        const fw = fix(w.q, w.rDiagRe, w.rDiagIm), ft = fix(ts.q, ts.rDiagRe, ts.rDiagIm);
        assert.ok(relDiff(fw.re, ft.re) <= 1e-12 && relDiff(fw.im, ft.im) <= 1e-12, `${c.name}: phase-fixed Q differs`);
      }
    }
  }
});

// ---------------------------------------------------------------- Gram

test('gram: WASM matches the TS kernel and a plain triple loop; exactly symmetric', () => {
  const k = kernels();
  const rng = seedrandom('wasm-gram');
  const shapes: Array<[number, number]> = [[1, 1], [1, 7], [2, 3], [3, 1], [5, 2], [6, 9], [7, 513], [13, 1030], [32, 64], [33, 600],
    // across the kernel's blocks (i-blocks of 128 rows, k-blocks of 256 columns, 4 x 4 tiles) with ragged edges
    [131, 515], [258, 257]];
  for (const [n, m] of shapes) {
    for (const scale of [1, 1e-150, 1e150]) {
      const a = uniform(rng, n * m, scale);
      if (n >= 3) a.copyWithin(m * (n - 1), 0, m); // rank deficiency: last row repeats the first
      const x = k.gram(a, n, m);
      const t = gram(a, n, m);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          assert.equal(x[i * n + j], x[j * n + i], `exact symmetry ${n}x${m} (${i},${j})`);
          let s = 0;
          for (let l = 0; l < m; l++) s += a[i * m + l]! * a[j * m + l]!;
          // |error| <= m eps |A_i| |A_j| <= m eps sqrt(X_ii X_jj) (Cauchy-Schwarz)
          const bound = TOL * Math.sqrt(t[i * n + i]!) * Math.sqrt(t[j * n + j]!);
          assert.ok(Math.abs(x[i * n + j]! - s) <= bound, `${n}x${m} scale ${scale} (${i},${j}) vs loop`);
          assert.ok(Math.abs(x[i * n + j]! - t[i * n + j]!) <= bound, `${n}x${m} scale ${scale} (${i},${j}) vs TS`);
        }
      }
    }
  }
});

// ---------------------------------------------------------------- input checks

test('WASM kernels reject non-finite input and bad shapes', () => {
  const k = kernels();
  const a = new Float64Array(9).fill(1);
  a[4] = NaN;
  assert.throws(() => k.symmetricTridiagonalize(a, 3), NonFiniteInputError);
  const c: ComplexMatrix = { rows: 3, cols: 3, re: new Float64Array(9), im: new Float64Array(9) };
  c.im[2] = Infinity;
  assert.throws(() => k.hermitianTridiagonalize(c), NonFiniteInputError);
  assert.throws(() => k.complexQR(c), NonFiniteInputError);
  assert.throws(() => k.gram(a, 3, 3), NonFiniteInputError);
  assert.throws(() => k.symmetricTridiagonalize(new Float64Array(8), 3), RangeError);
  assert.throws(() => k.gram(new Float64Array(8), 3, 3), RangeError);
});

test('memory grows with the problem; releaseWasmKernels() starts a fresh, small instance', () => {
  const k1 = kernels();
  const n = 300, m = 400; // A and X need 960 KB + 720 KB beyond the warm-up's needs
  const a = new Float64Array(n * m).fill(0.5);
  const x = k1.gram(a, n, m);
  assert.equal(x[n * n - 1], 0.25 * m); // exact: every entry is m * 0.5^2
  assert.ok(k1.memoryBytes() >= 8 * (n * m + n * n));
  releaseWasmKernels();
  const k2 = kernels();
  assert.notEqual(k2, k1);
  assert.ok(k2.memoryBytes() < 8 * (n * m + n * n), `fresh instance holds ${k2.memoryBytes()} bytes`);
  assert.deepEqual(k2.gram(a, n, m), x);
});

// ---------------------------------------------------------------- threads and fallback

test('each worker thread gets its own instance with bit-identical results', async () => {
  const k = kernels();
  const rng = seedrandom('wasm-worker');
  const n = 24, m = 50;
  const a = uniform(rng, n * m);
  const s = randomSymmetric(rng, n);
  const mainGram = k.gram(a, n, m);
  const mainTri = k.symmetricTridiagonalize(s, n);
  const code = `
    import('node:worker_threads').then(async ({ parentPort, workerData }) => {
      ${workerPrelude}
      const { wasmKernels } = await import(workerData.url);
      const k = wasmKernels();
      if (!k) throw new Error('no kernels in worker');
      const g = k.gram(workerData.a, workerData.n, workerData.m);
      const t = k.symmetricTridiagonalize(workerData.s, workerData.n);
      parentPort.postMessage({ g, d: t.d, e: t.e });
    });`;
  const result = await new Promise<{ g: Float64Array; d: Float64Array; e: Float64Array }>((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { url: loaderUrl, a, s, n, m } });
    w.once('message', resolve);
    w.once('error', reject);
  });
  assert.deepEqual(result.g, mainGram);
  assert.deepEqual(result.d, mainTri.d);
  assert.deepEqual(result.e, mainTri.e);
});

function runChild(env: Record<string, string>): { stdout: string; stderr: string; status: number | null } {
  // The child calls wasmKernels() twice on the main thread and once in a worker.
  const script = `
    import { Worker } from 'node:worker_threads';
    const { wasmKernels } = await import(${JSON.stringify(loaderUrl)});
    const a = wasmKernels(), b = wasmKernels();
    const inWorker = await new Promise((resolve, reject) => {
      const w = new Worker("import('node:worker_threads').then(async ({ parentPort }) => {" +
        ${JSON.stringify(workerPrelude)} +
        "const m = await import(" + ${JSON.stringify(JSON.stringify(loaderUrl))} + ");" +
        "parentPort.postMessage(m.wasmKernels() === null); });",
        { eval: true });
      w.once('message', resolve);
      w.once('error', reject);
    });
    console.log(JSON.stringify({ main: a === null && b === null, worker: inWorker }));`;
  const r = spawnSync(process.execPath, [...tsxArgs, '--input-type=module', '-e', script], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

test('ERGO_NO_WASM=1: wasmKernels() is null everywhere and the warning is printed once per process', () => {
  const r = runChild({ ERGO_NO_WASM: '1' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), { main: true, worker: true });
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('ergo: WebAssembly kernels unavailable'));
  assert.deepEqual(lines, ['ergo: WebAssembly kernels unavailable (disabled by ERGO_NO_WASM=1); using the TypeScript kernels']);
});

test('a missing .wasm file falls back with one warning naming the reason', () => {
  const r = runChild({ ERGO_WASM_PATH: `${root}dist/wasm/does-not-exist.wasm`, ERGO_NO_WASM: '' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), { main: true, worker: true });
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('ergo: WebAssembly kernels unavailable'));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /ergo-kernels\.wasm not found .*; using the TypeScript kernels$/);
});
