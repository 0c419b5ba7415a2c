// The ETA weighs chunks by their cost (chunk.ts chunkCost: ~n*n*m + n^3 for a layer): after
// cheap chunks, one expensive chunk left is not taken for "one chunk left".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgress } from '../src/cli/progress.js';
import { chunkCost } from '../src/pipeline/runtime/chunk.js';

test('ETA from remaining cost over the cost rate, not from chunk counts', (t) => {
  const lines: string[] = [];
  let now = 0;
  t.mock.method(Date, 'now', () => now);
  const p = createProgress('net', { tty: false, intervalSeconds: 0, write: (l) => lines.push(l) });
  // Three layers of costs 10, 10 and 80 (total 100); the two cheap ones take 5 s each.
  p.onEvent({ type: 'start', total: 3, done: 0, toCompute: 3, totalCost: 100, doneCost: 0 });
  now += 5_000;
  p.onEvent({ type: 'chunk', id: 'a', done: 1, total: 3, doneCost: 10, totalCost: 100 });
  now += 5_000;
  p.onEvent({ type: 'chunk', id: 'b', done: 2, total: 3, doneCost: 20, totalCost: 100 });
  p.stop();
  // Cost rate 2 per second: 45 then 40 s left (by counts it would say 10 s, then 5 s).
  assert.match(lines[1]!, /1\/3 chunks \(33%\), .* ETA 45 s$/);
  assert.match(lines[2]!, /2\/3 chunks \(66%\), .* ETA 40 s$/);
});

test('chunk costs: a layer costs its Gram (n*n*m) plus its eigenvalues (n^3); a CMV chunk n^2 per matrix', () => {
  const layer = { kind: 'layer' as const, id: 'l', n: 100, m: 300, semantics: 'definition' as const, vanilla: false, hash: '', source: { data: new Float64Array(0) } };
  assert.equal(chunkCost(layer), 100 * 100 * 300 + 100 ** 3);
  const cmv = { kind: 'ensemble' as const, id: 'e', ensemble: 'CUE' as const, method: 'spectral' as const, n: 64, chunk: 0, chunkSize: 10, count: 10, firstMatrix: 0, seed: 's', semantics: 'definition' as const };
  assert.equal(chunkCost(cmv), 10 * 64 * 64);
  assert.equal(chunkCost({ ...cmv, method: 'qr' }), 10 * 64 ** 3);
});
