// Bootstrap intervals of D_se through the whole pipeline (SPEC section 10): sweeps run by
// runExperiment, intervals read from the report, the JSON and the CSV.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/pipeline/config/load.js';
import { configHash } from '../src/pipeline/runtime/manifest.js';
import { runExperiment } from '../src/pipeline/experiments/index.js';
import type { ErgodicityReport } from '../src/pipeline/experiments/ergodicity.js';

async function sweepReport(yaml: string): Promise<{ report: ErgodicityReport; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ergo-unc-'));
  const r = await runExperiment(parseConfig(yaml, 'test.yaml'), { outDir: dir, workers: 0, htmlReport: false, plots: false });
  assert.ok(r.report && r.report.experiment === 'spectral-ergodicity');
  return { report: r.report, dir };
}

const overlaps = (a: { dseLow: number | null; dseHigh: number | null }, b: { dseLow: number | null; dseHigh: number | null }): boolean =>
  a.dseLow! <= b.dseHigh! && b.dseLow! <= a.dseHigh!;

test('two independent CUE sweeps (different seeds): D_se intervals overlap at every transition', async () => {
  // Each interval is a 95% percentile bootstrap interval of the same quantity, so two sweeps
  // miss each other at a transition only when both land in opposite tails: roughly 1% per
  // transition for these sizes (M = 100 matrices, each interval a few times wider than the
  // gap between the two point estimates in trial runs); three transitions, fixed seeds.
  const base = 'name: cue\nensembles: [{ensemble: CUE, method: spectral}]\nsizes: [16, 32, 64, 128]\nmatrices: 100\nchunk: 50\n';
  const a = await sweepReport(`${base}seed: 11\n`);
  const b = await sweepReport(`${base}seed: 12\n`);
  try {
    const da = a.report.series[0]!.dse, db = b.report.series[0]!.dse;
    assert.equal(da.length, 3);
    da.forEach((x, i) => {
      const y = db[i]!;
      assert.ok(x.dseLow !== null && x.dseHigh !== null && x.dseLow < x.dseHigh, `interval of ${x.from}->${x.to}`);
      assert.ok(overlaps(x, y), `${x.from}->${x.to}: [${x.dseLow}, ${x.dseHigh}] vs [${y.dseLow}, ${y.dseHigh}]`);
    });
    assert.deepEqual(a.report.uncertainty, { method: 'bootstrap', resamples: 200, level: 0.95, seed: 11 });
    // JSON and CSV carry the same intervals
    const json = JSON.parse(readFileSync(join(a.dir, 'results/results.json'), 'utf8')) as ErgodicityReport;
    assert.equal(json.series[0]!.dse[2]!.dseLow, da[2]!.dseLow);
    const csv = readFileSync(join(a.dir, 'results/dse.csv'), 'utf8').trim().split('\n');
    assert.deepEqual(csv[0]!.split(',').slice(-2), ['dse_low', 'dse_high']);
    assert.deepEqual(csv[3]!.split(',').slice(-2).map(Number), [da[2]!.dseLow, da[2]!.dseHigh]);
  } finally {
    rmSync(a.dir, { recursive: true, force: true });
    rmSync(b.dir, { recursive: true, force: true });
  }
});

test('CUE against the bristol recipe\'s COE: D_se intervals do not overlap at N = 48 -> 96', async () => {
  // Why these settings separate for almost every seed (argued here, measured in trial runs):
  // with delta = 0.05 (126 bins, about 0.4 to 0.8 eigenvalue per bin at N = 48..96) the CUE's
  // Omega falls markedly from N = 48 to 96 (its number variance grows only logarithmically),
  // giving D_se(48 -> 96) near 0.15. The bristol COE's eigenphases are nearly Poissonian: Omega
  // stays near delta/(2 pi) at both sizes, so its D_se is sampling noise of order 6/M = 0.024 at
  // M = 250 (bootstrap replicates about twice that). Seeds 5-9 gave gaps of 0.060 to 0.075
  // between the intervals, each interval 0.02-0.03 wide. (N = 64 -> 128 separates by 0.08-0.10
  // at twice the cost of the bristol draws; N = 32 -> 64 only by 0.002-0.012.)
  const yaml = 'name: cue-bristol\nseed: 5\nensembles: [{ensemble: CUE, method: spectral}, {ensemble: COE, method: bristol}]\nsizes: [48, 96]\nmatrices: 250\nchunk: 25\ndelta: 0.05\nuncertainty: {resamples: 200, level: 0.95, seed: 3}\n';
  const { report, dir } = await sweepReport(yaml);
  try {
    const [cue, coe] = report.series;
    const x = cue!.dse[0]!, y = coe!.dse[0]!;
    assert.equal(x.from, 48);
    assert.ok(!overlaps(x, y), `CUE [${x.dseLow}, ${x.dseHigh}] vs bristol COE [${y.dseLow}, ${y.dseHigh}]`);
    assert.deepEqual(report.uncertainty, { method: 'bootstrap', resamples: 200, level: 0.95, seed: 3 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('uncertainty settings do not enter the data hash (changing them resumes a run)', () => {
  const base = 'name: h\nensembles: [CUE]\nsizes: [8, 16]\n';
  const a = parseConfig(base, 'a.yaml');
  const b = parseConfig(`${base}uncertainty: {resamples: 50, level: 0.9, seed: 7}\n`, 'b.yaml');
  assert.equal(configHash(a), configHash(b));
  assert.deepEqual(b.uncertainty, { resamples: 50, level: 0.9, seed: 7 });
  assert.deepEqual(a.uncertainty, { resamples: 200, level: 0.95, seed: 0 });
  assert.throws(() => parseConfig(`${base}uncertainty: {level: 1.5}\n`, 'c.yaml'), /c\.yaml:4: uncertainty\.level/);
});
