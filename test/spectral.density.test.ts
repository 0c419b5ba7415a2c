// Spectral densities: 'definition' semantics on hand-computable inputs, and
// 'bristol' edges / histogram rules cross-checked against numpy when present.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createStream } from '../src/rng/index.js';
import { testNeeding, numpyMissing, pythonEnv } from './helpers/resources.js';
import {
  angleEdges, angleDensity, realDensity, spectralDensity, numpyArange, numpyLinspace, numpyHistogramAuto, histogramWithEdges,
} from '../src/spectral/index.js';

const NO_NUMPY = numpyMissing();

test('definition angle edges: step delta from -pi, last edge pi exactly, partial last bin', () => {
  const e = angleEdges({ semantics: 'definition', delta: 0.2 });
  // 2pi/0.2 = 31.4..., so K = 32 bins: 31 of width 0.2 and a last one of width 2pi - 6.2.
  assert.equal(e.length, 33);
  assert.equal(e[0], -Math.PI);
  assert.equal(e[31], -Math.PI + 31 * 0.2);
  assert.equal(e[32], Math.PI);
  assert.ok(Math.abs((e[32]! - e[31]!) - (2 * Math.PI - 6.2)) < 1e-12);
  // 2pi/delta an integer (up to rounding): no sliver bin
  const q = angleEdges({ semantics: 'definition', delta: Math.PI / 2 });
  assert.deepEqual(Array.from(q), [-Math.PI, -Math.PI / 2, 0, Math.PI / 2, Math.PI]);
  const r = angleEdges({ semantics: 'definition', delta: (2 * Math.PI) / 7 });
  assert.equal(r.length, 8);
});

test('definition angle density: half-open bins, -pi and +pi both counted, counts / M', () => {
  const tiny = 1e-12;
  // delta = pi/2 gives bins [-pi,-pi/2) [-pi/2,0) [0,pi/2) [pi/2,pi]
  const angles = [-Math.PI, -Math.PI / 2 - tiny, -Math.PI / 2, 0, 1, Math.PI];
  const d = angleDensity(angles, 2, { semantics: 'definition', delta: Math.PI / 2 });
  assert.deepEqual(Array.from(d.counts), [2, 1, 2, 1]);
  assert.deepEqual(Array.from(d.density), [1, 0.5, 1, 0.5]);
  assert.equal(d.counted, 6);
  assert.deepEqual(Array.from(d.centres), [-3 * Math.PI / 4, -Math.PI / 4, Math.PI / 4, 3 * Math.PI / 4]);
  assert.throws(() => angleDensity([3.2], 1, { semantics: 'definition' }), /outside \[-pi, pi\]/);
  assert.throws(() => angleDensity([NaN], 1), /non-finite/);
  assert.throws(() => angleDensity([], 1), /no values/);
  assert.throws(() => angleDensity([0], 0), /ensemble size/);
});

test('bristol angle density drops the partial last bin (angle pi not counted), definition keeps it', () => {
  const angles = [Math.PI, 3.1, -Math.PI];
  const b = angleDensity(angles, 1, { semantics: 'bristol', delta: 0.2 });
  const d = angleDensity(angles, 1, { semantics: 'definition', delta: 0.2 });
  assert.equal(b.counts.length, 31);
  assert.equal(b.counted, 1); // only -pi; 3.1 and pi lie beyond the last arange edge 3.058...
  assert.equal(d.counted, 3);
  assert.equal(d.counts[31], 2);
});

test('definition real density: K equal bins over the shared range, last bin closed', () => {
  const v = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const d = realDensity(v, 1, { semantics: 'definition', bins: 5, range: [0, 10] });
  assert.deepEqual(Array.from(d.edges), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(Array.from(d.counts), [2, 2, 2, 2, 3]);
  assert.deepEqual(Array.from(d.centres), [1, 3, 5, 7, 9]);
  // values [2, 3] in the shared range [0, 10] with 5 bins: both in bin 1, density / M = 2
  assert.deepEqual(Array.from(realDensity([2, 3], 1, { bins: 5, range: [0, 10] }).counts), [0, 2, 0, 0, 0]);
  assert.deepEqual(Array.from(realDensity([2, 3], 2, { bins: 5, range: [0, 10] }).density), [0, 1, 0, 0, 0]);
  // default range = the values' own min..max; constant values widen by 0.5 like numpy
  assert.deepEqual(Array.from(realDensity([4, 4, 4], 3, { bins: 2 }).edges), [3.5, 4, 4.5]);
  assert.deepEqual(Array.from(realDensity([4, 4, 4], 3, { bins: 2 }).density), [0, 1]);
  assert.throws(() => realDensity([11], 1, { range: [0, 10] }), /outside the shared range/);
  // spectralDensity dispatches on kind
  assert.deepEqual(Array.from(spectralDensity(v, 1, { kind: 'real', bins: 5, range: [0, 10] }).counts), [2, 2, 2, 2, 3]);
});

test('numpy arange edges: first two from start and start+step, then start + k*d (exact values for delta 0.2)', () => {
  const e = numpyArange(-Math.PI, Math.PI, 0.2);
  assert.equal(e.length, 32); // ceil(2pi/0.2) = 32
  const d = (-Math.PI + 0.2) - -Math.PI; // 0.20000000000000018, not 0.2
  assert.notEqual(d, 0.2);
  for (let k = 2; k < 32; k++) assert.equal(e[k], -Math.PI + k * d);
  assert.deepEqual(Array.from(numpyLinspace(0, 1, 5)), [0, 0.25, 0.5, 0.75, 1]);
});

test('histogram with explicit edges: half-open bins, last closed, outside dropped', () => {
  const h = histogramWithEdges([0, 0.5, 1, 1.5, 2, 2.5, -1], Float64Array.from([0, 1, 2]));
  assert.deepEqual(Array.from(h.counts), [2, 3]);
  assert.equal(h.counted, 5);
});

testNeeding(NO_NUMPY, 'bristol edges and counts equal numpy.arange / numpy.histogram for many deltas and data sets', {}, () => {
  const s = createStream('density-numpy');
  const deltas = [0.2, 0.1, 0.05, 0.3, 0.7, 1.0, 0.123];
  // data chosen to include values exactly on linspace edges and duplicates
  const sets: number[][] = [];
  for (let t = 0; t < 6; t++) {
    const n = 50 + t * 40;
    const v = Array.from({ length: n }, () => (s.uniform() - 0.5) * 10 ** (t - 2));
    v.push(v[0]!, v[1]!);
    sets.push(v);
  }
  sets.push([0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  const angles = Array.from({ length: 400 }, () => (s.uniform() * 2 - 1) * Math.PI);
  const py = `
import numpy as np, json, sys
inp = json.load(sys.stdin)
out = {'edges': [np.arange(-np.pi, np.pi, d).tolist() for d in inp['deltas']],
       'acounts': [np.histogram(np.array(inp['angles']), bins=np.arange(-np.pi, np.pi, d))[0].tolist() for d in inp['deltas']],
       'real': [[x.tolist() for x in np.histogram(np.array(v))] for v in inp['sets']]}
print(json.dumps(out))`;
  const out = JSON.parse(execFileSync('python3', ['-c', py], { input: JSON.stringify({ deltas, angles, sets }), encoding: 'utf8', env: pythonEnv }));
  deltas.forEach((d, i) => {
    assert.deepEqual(Array.from(angleEdges({ semantics: 'bristol', delta: d })), out.edges[i], `edges delta ${d}`);
    assert.deepEqual(Array.from(angleDensity(angles, 1, { semantics: 'bristol', delta: d }).counts), out.acounts[i], `angle counts delta ${d}`);
  });
  sets.forEach((v, i) => {
    const h = numpyHistogramAuto(v);
    assert.deepEqual(Array.from(h.counts), out.real[i][0], `real counts set ${i}`);
    assert.deepEqual(Array.from(h.edges), out.real[i][1], `real edges set ${i}`);
  });
});
