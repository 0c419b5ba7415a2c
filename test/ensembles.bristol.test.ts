// Method `bristol` (reproduction only): the reference's unit_symplectic fixture, the recipe's
// structure (uniform entries, eigenvectors with phases, elementwise products), stream order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { bristolFixtures } from './helpers/cli.js';
import { readFileSync } from 'node:fs';
import { createStream } from '../src/rng/index.js';
import {
  complexMatmul,
  complexMatrix,
  conjugateTranspose,
  complexEigenvalues,
  unitarityError,
  unitaryEigenphases,
} from '../src/linalg/index.js';
import {
  REPRODUCTION_ONLY_METHODS,
  bristolCOE,
  bristolCSE,
  bristolCUE,
  bristolEigenphases,
  sampleCUE,
  sampleEigenphases,
  unitAnti,
  unitSymplectic,
} from '../src/ensembles/index.js';

const fixtureDir = pathToFileURL(bristolFixtures + '/');

test('unitSymplectic(3, lower) equals the reference fixture exactly', () => {
  const fx = JSON.parse(readFileSync(new URL('g_unit_symplectic_N3_lower.json', fixtureDir), 'utf8'));
  const arg = Object.fromEntries(fx.args.map((a: { name: string; value: unknown }) => [a.name, a.value]));
  const z = unitSymplectic(arg.N, arg.adir);
  const exp = fx.expected.z;
  assert.deepEqual(exp.shape, [6, 6]);
  assert.deepEqual(Array.from(z), (exp.data as number[][]).flat());
});

test('unitAnti follows the reference rule (negate a triangle incl. diagonal, then zero the diagonal)', () => {
  // by hand from that rule: N = 2 lower [[0,1],[-1,0]], upper [[0,-1],[1,0]]; N = 3 lower
  // [[0,1,1],[-1,0,1],[-1,-1,0]]
  assert.deepEqual(Array.from(unitAnti(2, 'lower')), [0, 1, -1, 0]);
  assert.deepEqual(Array.from(unitAnti(2, 'upper')), [0, -1, 1, 0]);
  assert.deepEqual(Array.from(unitAnti(3, 'lower')), [0, 1, 1, -1, 0, 1, -1, -1, 0]);
  assert.deepEqual(Array.from(unitSymplectic(1, 'upper')), [0, -1, 1, 0]);
  assert.throws(() => unitAnti(2, 'left' as 'lower'), RangeError);
});

test('bristol is flagged as reproduction only', () => {
  assert.deepEqual([...REPRODUCTION_ONLY_METHODS], ['bristol']);
});

test('bristolCUE: unitary (eigenvectors of a Hermitian matrix); stream: n phases, then A, then B', () => {
  const n = 9;
  const s = createStream('bcue');
  const u = bristolCUE(n, s);
  assert.ok(unitarityError(u) < 1e-12);
  const s2 = createStream('bcue');
  for (let i = 0; i < n + 2 * n * n; i++) s2.uniform();
  assert.equal(s.uniform(), s2.uniform());
});

test('bristolCOE is the elementwise product U^T o U of the CUE recipe (symmetric, not unitary)', () => {
  const n = 6;
  const u = bristolCUE(n, createStream('bcoe'));
  const c = bristolCOE(n, createStream('bcoe'));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const k = i * n + j;
      const t = j * n + i;
      assert.equal(c.re[k], u.re[t]! * u.re[k]! - u.im[t]! * u.im[k]!);
      assert.equal(c.im[k], u.re[t]! * u.im[k]! + u.im[t]! * u.re[k]!);
      assert.equal(c.re[k], c.re[t]);
      assert.equal(c.im[k], c.im[t]);
    }
  }
  assert.ok(unitarityError(c) > 1e-3);
  // its eigenphases: angles of the eigenvalues of that same matrix
  const ph = sampleEigenphases('COE', 'bristol', n, 1, createStream('bcoe'))[0]!;
  const e = complexEigenvalues(c);
  const ref = Array.from(e.re, (x, i) => Math.atan2(e.im[i]!, x)).sort((p, q) => p - q);
  assert.deepEqual(Array.from(ph), ref);
});

test('bristolCSE: (Z o U^T o Z) o U is block diagonal [[0,x],[x,0]]; its 2n angles are +-x', () => {
  const n = 5;
  const m = 2 * n;
  const u = bristolCUE(m, createStream('bcse'));
  const c = bristolCSE(n, createStream('bcse'));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      const k = i * m + j;
      if ((i ^ 1) === j) {
        const t = j * m + i;
        assert.equal(c.re[k], u.re[t]! * u.re[k]! - u.im[t]! * u.im[k]!);
        assert.equal(c.im[k], u.re[t]! * u.im[k]! + u.im[t]! * u.re[k]!);
      } else {
        assert.equal(c.re[k], 0);
        assert.equal(c.im[k], 0);
      }
    }
  }
  const ph = bristolEigenphases('CSE', n, createStream('bcse'));
  assert.equal(ph.length, m);
  for (let i = 0; i < n; i++) {
    const x = Math.atan2(c.im[2 * i * m + 2 * i + 1]!, c.re[2 * i * m + 2 * i + 1]!);
    const y = x > 0 ? x - Math.PI : x + Math.PI; // angle of -x
    assert.ok(ph.includes(x) || ph.includes(x === -Math.PI ? Math.PI : x));
    assert.ok(ph.some((t) => Math.abs(t - y) < 1e-15));
  }
  for (let i = 1; i < m; i++) assert.ok(ph[i]! >= ph[i - 1]!);
});

test('sampleEigenphases bristol CUE: phases of the recipe matrix, n per matrix, deterministic', () => {
  const n = 7;
  const a = sampleEigenphases('CUE', 'bristol', n, 2, createStream('bs'));
  const s = createStream('bs');
  const first = unitaryEigenphases(bristolCUE(n, s));
  assert.deepEqual(Array.from(a[0]!), Array.from(first));
  assert.deepEqual(Array.from(a[1]!), Array.from(unitaryEigenphases(bristolCUE(n, s))));
  const b = sampleEigenphases('CSE', 'bristol', n, 1, createStream('bs'));
  assert.equal(b[0]!.length, 2 * n);
});

test('complexEigenvalues: eigenvalues of Q T Q^H are diag(T) (non-normal T), trace identities', () => {
  // Q unitary (CUE), T upper triangular with a prescribed diagonal and a large random strictly
  // upper part, so the matrix is far from normal; its eigenvalues are exactly diag(T).
  for (const n of [1, 2, 5, 30]) {
    const s = createStream(`geig-${n}`);
    const q = sampleCUE(n, s);
    const t = complexMatrix(n);
    const dRe: number[] = [];
    const dIm: number[] = [];
    for (let i = 0; i < n; i++) {
      dRe.push(i + 1);
      dIm.push((i % 3) - 1);
      t.re[i * n + i] = dRe[i]!;
      t.im[i * n + i] = dIm[i]!;
      for (let j = i + 1; j < n; j++) {
        t.re[i * n + j] = 2 * s.normal();
        t.im[i * n + j] = 2 * s.normal();
      }
    }
    const a = complexMatmul(complexMatmul(q, t), conjugateTranspose(q));
    const e = complexEigenvalues(a);
    // match each prescribed eigenvalue to the nearest computed one (all are distinct by >= 1)
    const used = new Set<number>();
    for (let i = 0; i < n; i++) {
      let best = -1;
      let bestD = Infinity;
      for (let k = 0; k < n; k++) {
        const d = Math.hypot(e.re[k]! - dRe[i]!, e.im[k]! - dIm[i]!);
        if (d < bestD && !used.has(k)) {
          bestD = d;
          best = k;
        }
      }
      used.add(best);
      assert.ok(bestD < 1e-10 * n, `n ${n}: eigenvalue ${dRe[i]} + ${dIm[i]}i off by ${bestD}`);
    }
  }
  assert.throws(() => complexEigenvalues(complexMatrix(2, 3)), RangeError);
  assert.deepEqual(complexEigenvalues(complexMatrix(3)), { re: new Float64Array(3), im: new Float64Array(3) }, 'zero matrix');
  const bad = complexMatrix(2);
  bad.re[1] = Number.NaN;
  assert.throws(() => complexEigenvalues(bad), /non-finite/);
});

test('complexEigenvalues: tiny and huge scales give the eigenvalues of the unit-scale matrix times the scale, bit for bit', () => {
  // A with largest entry in [0.5, 1): A * 2^k is scaled back to A exactly, so its eigenvalues must
  // be A's times 2^k exactly. Unscaled, |a| ~ 1e-180 made the shifts underflow (no convergence)
  // and |a| ~ 1e180 made them overflow.
  for (const n of [2, 7, 40]) {
    const s = createStream(`geig-scale-${n}`);
    const a = complexMatrix(n);
    s.fillNormal(a.re);
    s.fillNormal(a.im);
    let m = 0;
    for (let i = 0; i < n * n; i++) m = Math.max(m, Math.abs(a.re[i]!), Math.abs(a.im[i]!));
    const unit = 2 ** -Math.ceil(Math.log2(m * 1.000001)); // largest entry now in [0.5, 1)
    for (let i = 0; i < n * n; i++) {
      a.re[i] = a.re[i]! * unit;
      a.im[i] = a.im[i]! * unit;
    }
    const ref = complexEigenvalues(a);
    for (const k of [-600, -300, 300, 600]) {
      const f = 2 ** k;
      const b = { rows: n, cols: n, re: a.re.map((x) => x * f), im: a.im.map((x) => x * f) };
      const e = complexEigenvalues(b);
      for (let i = 0; i < n; i++) {
        assert.ok(Object.is(e.re[i], ref.re[i]! * f) && Object.is(e.im[i], ref.im[i]! * f), `n ${n}, scale 2^${k}: eigenvalue ${i} is ${e.re[i]} + ${e.im[i]}i, expected ${ref.re[i]! * f} + ${ref.im[i]! * f}i`);
      }
    }
  }
});
