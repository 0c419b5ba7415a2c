// Intervals over independent draws (SPEC section 10): cPSE of a mixed matrix ensemble over
// MME draws, Var(CSD) over circular draws; a trained network's cPSE has none and says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mmeReport } from '../src/pipeline/experiments/mme.js';
import { mmeTable } from '../src/pipeline/report/mme.js';
import { runExperiment } from '../src/pipeline/experiments/index.js';
import { csdCsv, type CsdReport } from '../src/pipeline/report/csd.js';
import { aggregateCpse } from '../src/pipeline/experiments/cpse.js';
import { percentileInterval } from '../src/spectral/bootstrap.js';
import type { CsdConfig, CpseConfig } from '../src/pipeline/config/types.js';
import { safetensorsBytes, synthNetwork } from './helpers/weightfiles.js';
import { tempDir } from './helpers/cli.js';
import { join } from 'node:path';
import { rmSync, writeFileSync } from 'node:fs';

test('MME: cPSE interval over draws; draw 0 is the single-draw MME; one draw says why there is none', () => {
  const opts = { ensemble: 'CUE' as const, order: 24, p: 0.6, count: 6, seed: 5 };
  const one = mmeReport(opts);
  assert.equal(one.draws, 1);
  assert.equal(one.cpseLow, null);
  assert.equal(one.uncertainty.method, 'none');
  const many = mmeReport({ ...opts, draws: 6, level: 0.9 });
  // draw 0 keeps the seeds of a single-draw run, so its numbers are unchanged
  assert.equal(many.cpse, one.cpse);
  assert.deepEqual(many.orders, one.orders);
  assert.equal(many.cpseDraws.length, 6);
  assert.equal(new Set(many.cpseDraws).size, 6, 'independent draws differ');
  const iv = percentileInterval(many.cpseDraws, 0.9); // the definition, recomputed
  assert.deepEqual([many.cpseLow, many.cpseHigh], [iv.low, iv.high]);
  assert.deepEqual(many.uncertainty, { method: 'draws', draws: 6, level: 0.9, seed: 5 });
  assert.match(mmeTable(many), /cPSE over 6 draws: 90% interval \[/);
});

async function csdReport(cfg: CsdConfig, outDir: string): Promise<CsdReport> {
  const r = await runExperiment(cfg, { outDir, workers: 0, htmlReport: false, plots: false });
  assert.ok(r.report?.experiment === 'csd');
  return r.report;
}

test('CSD: Var(CSD) interval over circular draws in JSON and CSV; none for a single draw', async () => {
  const dir = tempDir('ergo-intervals-');
  try {
    const file = join(dir, 'model.safetensors');
    writeFileSync(file, safetensorsBytes(synthNetwork(), 'F64'));
    const cfg: CsdConfig = {
      experiment: 'csd', name: 't', seed: 1, semantics: 'definition', retries: 0, reuse: [], plot: { maxPoints: 10 },
      networks: [{ path: file, name: 'net' }],
      csd: { eMax: 4, bins: 50, tolerance: 0.05, delta: 0.01, draws: 4, against: 'circular-mixed', gaussianInit: false, normalise: 'none' },
      uncertainty: { resamples: 200, level: 0.8, seed: 1 },
    };
    const r = await csdReport(cfg, join(dir, 'run4'));
    const n = r.networks[0]!;
    assert.ok(n.varLow !== null && n.varHigh !== null && n.varLow <= n.varCsd.mean && n.varCsd.mean <= n.varHigh);
    assert.deepEqual(r.uncertainty, { method: 'draws', draws: 4, level: 0.8, seed: 1 });
    const row = csdCsv(r).trim().split('\n');
    assert.deepEqual(row[0]!.split(',').slice(-2), ['var_csd_low', 'var_csd_high']);
    assert.deepEqual(row[1]!.split(',').slice(-2).map(Number), [n.varLow, n.varHigh]);
    const single = { ...cfg, csd: { ...cfg.csd, draws: 1 } };
    const r1 = await csdReport(single, join(dir, 'run1'));
    assert.equal(r1.networks[0]!.varLow, null);
    assert.equal(r1.uncertainty.method, 'none');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a trained network's cPSE carries no interval and says it is deterministic", () => {
  const cfg: CpseConfig = { experiment: 'cpse', name: 't', seed: 0, semantics: 'definition', retries: 0, reuse: [], plot: { maxPoints: 10 }, networks: [], bins: 10, vanilla: false };
  const r = aggregateCpse(() => new Float64Array(0), cfg, { chunks: [], groups: new Map(), networks: [] }, new Set(), () => 'ts');
  assert.equal(r.uncertainty.method, 'none');
  assert.match(r.uncertainty.reason, /^deterministic: /);
});
