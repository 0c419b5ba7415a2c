// Progress of cpse/csd over layers: share done and ETA weighted by each layer's estimated work
// (layerCost), rate measured on computed layers only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layerProgress } from '../src/cli/layerprogress.js';
import { layerCost } from '../src/pipeline/spectra.js';

test('layerCost: Gram of the smaller side plus a k x k eigenproblem; tall and wide layers cost the same', () => {
  assert.equal(layerCost(3, 2), 2 * 2 * 3 + (4 / 3) * 8);
  assert.equal(layerCost(11008, 4096), layerCost(4096, 11008));
  assert.equal(layerCost(4, 4, 'bristol'), 64 + 64 + (4 / 3) * 64);
});

test('progress: weighted by cost, not by layer count; cached layers do not inflate the rate', () => {
  let t = 0;
  const line = layerProgress(() => t);
  const base = { type: 'layer' as const, network: 'net', index: 0, total: 3, costTotal: 200 };
  // a cached cheap layer first: 0.5% of the work, no rate yet
  t = 1000;
  assert.match(line({ ...base, name: 'a', cached: true, done: 1, cost: 1, costDone: 1 }), /layer 1\/3 a \(cached\), 0% of the work, elapsed 1 s, ETA \?/);
  // a computed layer of cost 99 after 100 s: rate 0.99 per second, 100 left -> ETA 101 s = 2 min
  t = 100_000;
  assert.match(line({ ...base, name: 'b', cached: false, done: 2, cost: 99, costDone: 100 }), /layer 2\/3 b, 50% of the work, elapsed 2 min, ETA 2 min$/);
  t = 200_000;
  assert.match(line({ ...base, name: 'c', cached: false, done: 3, cost: 100, costDone: 200 }), /100% of the work, elapsed 3 min, ETA 0 s$/);
});
