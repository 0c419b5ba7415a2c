// Profile of the exact `spectral` (CMV) sampler (src/ensembles/cmv.ts), the numbers that
// decide where its time goes: per matrix, the process CPU time, evaluations per root (all,
// full kernel, and per lockstep pass), CPU time per point and recursion step, and how steep
// the matching phase F is at the roots (F'(root) / n: the spread of this ratio is what limits
// the first iterate taken from the grid, see docs/performance.md).
//
//   node dist/scripts/profile-cmv.js [n=16384] [matrices=2] [beta=2]
//
// Single thread, one matrix at a time; ERGO_NO_WASM=1 profiles the TypeScript kernel.
import { createStream } from '../src/rng/index.js';
import { circularBetaEigenphases, cmvLastCost, cmvMatchPhaseTS, packVerblunsky, sampleVerblunsky } from '../src/ensembles/cmv.js';
import { wasmKernels } from '../src/linalg/wasm/index.js';

const n = Number(process.argv[2] ?? 16384);
const matrices = Number(process.argv[3] ?? 2);
const beta = Number(process.argv[4] ?? 2);
if (!Number.isInteger(n) || n < 2 || !Number.isInteger(matrices) || matrices < 1 || !(beta > 0)) {
  console.error('usage: node dist/scripts/profile-cmv.js [n >= 2] [matrices >= 1] [beta > 0]');
  process.exit(2);
}

const quantile = (a: Float64Array, q: number): number => a[Math.min(a.length - 1, Math.floor(q * a.length))]!;
const fmt = (x: number, d = 3): string => x.toFixed(d);

for (let r = 0; r < matrices; r++) {
  const seed = `profile-cmv-${n}-${beta}-${r}`;
  const t0 = process.cpuUsage();
  const ph = circularBetaEigenphases(n, beta, createStream(seed));
  const cpu = process.cpuUsage(t0);
  const sec = (cpu.user + cpu.system) / 1e6;
  const { evaluations, fullEvaluations, passes, passEvaluations, wasm } = cmvLastCost;
  console.log(
    `n ${n} beta ${beta} matrix ${r}: ${fmt(sec, 2)} CPU-s (${wasm ? 'wasm' : 'ts'} kernel), ` +
      `${fmt(evaluations / n)} evaluations per root, ${fmt((100 * fullEvaluations) / evaluations, 1)}% full, ` +
      `${passes} passes, ${fmt((1e9 * sec) / (evaluations * (n - 1)), 2)} ns per point and step`,
  );
  console.log(`  evaluations per root by pass (0 = grid): ${passEvaluations.map((e) => fmt(e / n, 2)).join(' ')}`);
  // F'(root) = 1 + D_0 at the returned roots (one more light-kernel pass, same stream)
  const pv = packVerblunsky(sampleVerblunsky(n, beta, createStream(seed)));
  const zr = new Float64Array(n);
  const zi = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    zr[j] = Math.cos(ph[j]!);
    zi[j] = -Math.sin(ph[j]!);
  }
  const out = new Float64Array(5 * n);
  const kernel = wasmKernels()?.cmvMatchPhase ?? cmvMatchPhaseTS;
  kernel(pv.coef, pv.m, pv.kTiny, pv.c0r, pv.c0i, zr, zi, n, false, out);
  const slope = new Float64Array(n);
  for (let j = 0; j < n; j++) slope[j] = (1 + out[3 * n + j]!) / n;
  slope.sort();
  console.log(
    `  F'(root) / n: 10% ${fmt(quantile(slope, 0.1), 2)}, median ${fmt(quantile(slope, 0.5), 2)}, ` +
      `90% ${fmt(quantile(slope, 0.9), 2)}, 99% ${fmt(quantile(slope, 0.99), 1)} (mean slope over a turn: 1)`,
  );
}
