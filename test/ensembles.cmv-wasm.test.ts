// Method `spectral`: the WebAssembly matching-phase kernel (src/linalg/wasm/assembly/cmv.ts)
// against its TypeScript reference (cmvMatchPhaseTS), the eigenphases through both, worker
// threads and the ERGO_NO_WASM=1 fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createStream } from '../src/rng/index.js';
import {
  CMV_COEF_STRIDE,
  circularBetaEigenphases,
  cmvEigenphases,
  cmvLastCost,
  cmvMatchPhaseTS,
  packVerblunsky,
  sampleVerblunsky,
  type Verblunsky,
} from '../src/ensembles/cmv.js';
import { ensureWasmBuilt, kernels } from './helpers/wasm.js';

const fromSource = import.meta.url.endsWith('.ts');
const root = fileURLToPath(new URL(fromSource ? '..' : '../..', import.meta.url));
const cmvUrl = new URL(`../src/ensembles/cmv.${fromSource ? 'ts' : 'js'}`, import.meta.url).href;
const tsxArgs = fromSource ? ['--import', 'tsx'] : [];
const workerPrelude = fromSource ? `(await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})).register();` : '';

ensureWasmBuilt();

/** Largest |a - b| / max(1, |b|) over two arrays. */
function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return worst;
}

/** Evaluates both kernels on the same input; returns their outputs. */
function bothKernels(v: Verblunsky, thetas: Float64Array, full: boolean): { w: Float64Array; t: Float64Array } {
  const p = packVerblunsky(v);
  const count = thetas.length;
  const zr = thetas.map(Math.cos);
  const zi = thetas.map((x) => -Math.sin(x));
  const w = new Float64Array(5 * count);
  const t = new Float64Array(5 * count);
  kernels().cmvMatchPhase(p.coef, p.m, p.kTiny, p.c0r, p.c0i, zr, zi, count, full, w);
  cmvMatchPhaseTS(p.coef, p.m, p.kTiny, p.c0r, p.c0i, zr, zi, count, full, t);
  return { w, t };
}

test('kernel: WebAssembly equals the TypeScript reference (n = 1..700, odd and even counts, full and light)', () => {
  // Same IEEE operations in the same order on every lane: the bits are expected to be equal;
  // the contract asserted is agreement to 1e-13 relative (the wraps count exactly).
  let identical = 0;
  let total = 0;
  for (const [n, beta, count] of [
    [1, 2, 3],
    [2, 1, 1],
    [3, 4, 2],
    [17, 2, 33],
    [64, 1, 64],
    [129, 4, 17],
    [700, 2, 101],
  ] as const) {
    const v = sampleVerblunsky(n, beta, createStream(`kern-${n}-${beta}`));
    const s = createStream(`kern-theta-${n}`);
    const thetas = new Float64Array(count).map(() => Math.PI * (2 * s.uniform() - 1));
    for (const full of [true, false]) {
      const { w, t } = bothKernels(v, thetas, full);
      assert.ok(maxRelDiff(w, t) <= 1e-13, `n ${n} full ${full}: ${maxRelDiff(w, t)}`);
      assert.deepEqual(Array.from(w.subarray(2 * count, 3 * count)), Array.from(t.subarray(2 * count, 3 * count)));
      for (let i = 0; i < w.length; i++) if (Object.is(w[i], t[i])) identical++;
      total += w.length;
    }
  }
  assert.ok(identical > 0.99 * total, `only ${identical} of ${total} values bit-identical`);
});

test('kernel: tiny gaps 1 - |alpha| < 2^-60 switch on per-step rescaling, and both kernels still agree', () => {
  // The coefficients k = 20 .. 49 get |alpha_k| within 1e-30 of 1 and phases chosen so that at
  // theta* each p_k = 1 + alpha_k w is 1 - |alpha_k| plus rounding (u_k = -conj(w); then
  // c_k ~ w since p_k is about real): the running product shrinks by up to ~1e-30 per step.
  // Below kTiny every gap is >= 2^-60, so 8 steps shrink it by at most 2^-480 and checking
  // every 8 steps suffices; from kTiny on it is checked at every step.
  const n = 60;
  const thetaStar = 0.3;
  const v = sampleVerblunsky(n, 2, createStream('tiny'));
  assert.equal(packVerblunsky(v).kTiny, n - 1); // beta = 2, n = 60: no tiny gaps here
  let cr = v.re[n - 1]!;
  let ci = -v.im[n - 1]!; // c_{n-1} = conj(alpha_{n-1}); the last alpha stays as drawn
  for (let k = n - 2; k >= 20; k--) {
    const wr = cr * Math.cos(thetaStar) + ci * Math.sin(thetaStar); // w = c e^{-i theta*}
    const wi = ci * Math.cos(thetaStar) - cr * Math.sin(thetaStar);
    const tiny = k < 50;
    const r2 = tiny ? 1e-60 : 0.5;
    const r = Math.sqrt(1 - r2); // rounds to 1 when tiny; rho2 keeps 1 - r > 0
    v.re[k] = -r * wr; // alpha = r u, u = -conj(w)
    v.im[k] = r * wi;
    v.rho2[k] = r2;
    cr = wr;
    ci = wi;
  }
  assert.equal(packVerblunsky(v).kTiny, 20);
  const thetas = new Float64Array([thetaStar, thetaStar + 1e-14, thetaStar - 1e-9, -1, 2.5]);
  for (const full of [true, false]) {
    const { w, t } = bothKernels(v, thetas, full);
    for (const x of w) assert.ok(Number.isFinite(x));
    if (full) assert.ok(Math.abs(w[0]!) + Math.abs(w[thetas.length]!) > 0);
    assert.ok(maxRelDiff(w, t) <= 1e-13, `full ${full}: ${maxRelDiff(w, t)}`);
  }
});

test('kernel: full and light variants describe the same F (F = theta - arg c_0 modulo 2 pi)', () => {
  const n = 300;
  const v = sampleVerblunsky(n, 1, createStream('light'));
  const p = packVerblunsky(v);
  const thetas = new Float64Array(50).map((_, j) => -3.1 + 0.125 * j);
  const full = bothKernels(v, thetas, true).w;
  const light = bothKernels(v, thetas, false).w;
  const c = thetas.length;
  for (let j = 0; j < c; j++) {
    const fFull = n * thetas[j]! + p.lastArg + 2 * (Math.atan2(full[c + j]!, full[j]!) + 2 * Math.PI * full[2 * c + j]!);
    const fLight = thetas[j]! - Math.atan2(light[c + j]!, light[j]!);
    const k = (fFull - fLight) / (2 * Math.PI);
    assert.ok(Math.abs(k - Math.round(k)) < 1e-9, `theta ${thetas[j]}: ${fFull} vs ${fLight}`);
    assert.equal(full[3 * c + j], light[3 * c + j]); // D_0
    assert.equal(full[4 * c + j], light[4 * c + j]); // D_0'
  }
});

test('kernel: malformed sizes are refused', () => {
  const k = kernels();
  const z = new Float64Array(4);
  assert.throws(() => k.cmvMatchPhase(new Float64Array(CMV_COEF_STRIDE), 2, 2, 1, 0, z, z, 4, true, new Float64Array(20)), RangeError);
  assert.throws(() => k.cmvMatchPhase(new Float64Array(CMV_COEF_STRIDE), 1, 1, 1, 0, z, z, 5, true, new Float64Array(25)), RangeError);
  assert.throws(() => k.cmvMatchPhase(new Float64Array(CMV_COEF_STRIDE), 1, 1, 1, 0, z, z, 4, true, new Float64Array(19)), RangeError);
});

test('eigenphases: WebAssembly and TypeScript paths agree to 1e-13 (n = 300, 1024; beta 1, 2, 4)', () => {
  for (const n of [300, 1024]) {
    for (const beta of [1, 2, 4]) {
      const v = sampleVerblunsky(n, beta, createStream(`paths-${n}-${beta}`));
      const a = cmvEigenphases(v);
      assert.equal(cmvLastCost.wasm, true);
      const b = cmvEigenphases(v, { kernel: 'ts' });
      assert.equal(cmvLastCost.wasm, false);
      assert.ok(maxRelDiff(a, b) <= 1e-13, `n ${n} beta ${beta}: ${maxRelDiff(a, b)}`);
    }
  }
});

test('eigenphases in a worker thread equal those of the main thread (same bits)', async () => {
  const n = 512;
  const main = circularBetaEigenphases(n, 2, createStream('worker-seed'));
  const rngUrl = new URL(`../src/rng/index.${fromSource ? 'ts' : 'js'}`, import.meta.url).href;
  const code = `import('node:worker_threads').then(async ({ parentPort, workerData }) => {
    ${workerPrelude}
    const cmv = await import(workerData.cmvUrl);
    const rng = await import(workerData.rngUrl);
    const ph = cmv.circularBetaEigenphases(workerData.n, 2, rng.createStream('worker-seed'));
    parentPort.postMessage({ ph, wasm: cmv.cmvLastCost.wasm });
  });`;
  const result = await new Promise<{ ph: Float64Array; wasm: boolean }>((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { cmvUrl, rngUrl, n } });
    w.once('message', resolve);
    w.once('error', reject);
  });
  assert.equal(result.wasm, true);
  assert.deepEqual(Array.from(result.ph), Array.from(main));
});

test('ERGO_NO_WASM=1: the TypeScript kernel is used, with the same eigenphases', () => {
  const n = 256;
  const here = circularBetaEigenphases(n, 1, createStream('nowasm'));
  const rngUrl = new URL(`../src/rng/index.${fromSource ? 'ts' : 'js'}`, import.meta.url).href;
  const script = `
    const cmv = await import(${JSON.stringify(cmvUrl)});
    const rng = await import(${JSON.stringify(rngUrl)});
    const ph = cmv.circularBetaEigenphases(${n}, 1, rng.createStream('nowasm'));
    console.log(JSON.stringify({ ph: Array.from(ph), wasm: cmv.cmvLastCost.wasm }));`;
  const r = spawnSync(process.execPath, [...tsxArgs, '--input-type=module', '-e', script], {
    cwd: root,
    env: { ...process.env, ERGO_NO_WASM: '1' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim()) as { ph: number[]; wasm: boolean };
  assert.equal(out.wasm, false);
  assert.ok(maxRelDiff(out.ph, here) <= 1e-13, `${maxRelDiff(out.ph, here)}`);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('ergo: WebAssembly kernels unavailable'));
  assert.equal(lines.length, 1, r.stderr);
});
