// pipeline/networks.ts and pipeline/spectra.ts as a library: cPSE reports over layer
// spectra computed on an executor and cached by content hash. A counting executor
// (the Executor interface, computing with spectral/pse) shows exactly which layers
// were computed; the real executors (inline and thread pool) must agree with it.
// Expected cPSE of the synthetic network: test/fixtures/synth-cpse.json (numpy script beside it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { cpseTable, cpseCsv, writeCpseReport, type CpseReport } from '../src/pipeline/report/cpse.js';
import { planLayers } from '../src/pipeline/experiments/networks.js';
import { cpseReport, type Ctx } from './helpers/netreport.js';
import { createExecutor, type Executor } from '../src/pipeline/runtime/executor.js';
import type { Chunk } from '../src/pipeline/runtime/chunk.js';
import { runChunk } from '../src/pipeline/runtime/tasks.js';
import type { NetworkSpec } from '../src/pipeline/config/types.js';
import { layerEigenvalues, vanillaEigenvalues } from '../src/spectral/pse.js';
import { synthNetwork, safetensorsBytes, npzBytes, type Tensor } from './helpers/weightfiles.js';
import { synthExpected } from './helpers/expected.js';

const tmp = (p = 'ergo-net-') => mkdtempSync(join(tmpdir(), p));

/** Executor that computes layer chunks on the calling thread and counts them. */
class CountingExecutor implements Executor {
  readonly concurrency = 2;
  readonly description = 'counting';
  runs: string[] = [];
  async run(chunk: Chunk): Promise<Float64Array> {
    if (chunk.kind !== 'layer') throw new Error(`unexpected chunk ${chunk.kind}`);
    this.runs.push(chunk.id);
    return runChunk(chunk);
  }
  async close(): Promise<void> {}
}

const SYNTH = synthNetwork();
const dir = tmp();
const stFile = join(dir, 'synth.safetensors');
writeFileSync(stFile, safetensorsBytes(SYNTH, 'F16'));
const npzFile = join(dir, 'synth.npz');
writeFileSync(npzFile, npzBytes(SYNTH, '<f4'));
const spec = (path: string, name: string, extra: Partial<NetworkSpec> = {}): NetworkSpec => ({ path, name, ...extra });

// numpy, definition semantics, K = 10: test/fixtures/synth_cpse.py
const SYNTH_DEF = synthExpected().definition;

function ctxWith(executor: Executor, cacheDir: string, extra: Partial<Ctx> = {}): Ctx {
  return { executor, cacheDir, semantics: 'definition', ...extra };
}

test('cpseReport: numbers, depth labels and JSON shape; a second report computes nothing', async () => {
  const cache = tmp('ergo-cache-');
  const ex = new CountingExecutor();
  const r = await cpseReport([spec(stFile, 'synth')], ctxWith(ex, cache), { bins: 10 });
  const events = r.networks[0]!.layers;
  assert.equal(r.experiment, 'cpse');
  assert.equal(r.semantics, 'definition');
  assert.equal(r.vanilla, false);
  const n = r.networks[0]!;
  assert.equal(n.format, 'safetensors');
  assert.equal(n.layers.length, 7);
  assert.equal(ex.runs.length, 7);
  assert.equal(n.computedLayers, 7);
  assert.equal(n.nMax, 32);
  // D_l compares the first l and l+1 layers: depth l+1, labelled with layer l+1 (index l)
  assert.deepEqual(n.dLayers.map((d) => [d.depth, d.layer, d.n]), [[2, 'conv1.weight', 16], [3, 'conv2.weight', 16], [4, 'fc0.weight', 32], [5, 'fc1.weight', 32], [6, 'fc2.weight', 4]]);
  n.dLayers.forEach((d, i) => {
    assert.ok(Math.abs(d.d - SYNTH_DEF.d[i]!) <= 1e-9 * SYNTH_DEF.d[i]!, `d[${i}] = ${d.d}`);
    assert.equal(d.log10D, Math.log10(d.d));
  });
  assert.ok(Math.abs(n.cpse - SYNTH_DEF.cpse) <= 1e-9 * Math.abs(SYNTH_DEF.cpse));
  assert.equal(events.length, 7);
  assert.ok(events.every((e) => !e.cached));

  const ex2 = new CountingExecutor();
  const r2 = await cpseReport([spec(stFile, 'synth'), spec(npzFile, 'synth-npz')], ctxWith(ex2, cache), { bins: 10 });
  assert.deepEqual(ex2.runs, [], 'no eigenvalues computed: float16 and float32 copies of the same values hash alike');
  for (const m of r2.networks) {
    assert.equal(m.cachedLayers, 7);
    assert.equal(m.computedLayers, 0);
    assert.deepEqual(m.dLayers, n.dLayers);
  }
});

test('cache keys: semantics and vanilla mode are separate entries; a damaged entry is recomputed alone', async () => {
  const cache = tmp('ergo-cache-');
  const ex = new CountingExecutor();
  const base = await cpseReport([spec(stFile, 's')], ctxWith(ex, cache), { bins: 10 });
  await cpseReport([spec(stFile, 's')], ctxWith(ex, cache, { semantics: 'bristol' }), { bins: 10 });
  await cpseReport([spec(stFile, 's')], ctxWith(ex, cache, { vanilla: true }), { bins: 10 });
  assert.equal(ex.runs.length, 21);
  const files = readdirSync(join(cache, 'layers')).filter((f) => f.endsWith('.arrow')).sort();
  assert.equal(files.length, 21);
  assert.equal(files.filter((f) => f.endsWith('-definition-model.arrow')).length, 7);
  assert.equal(files.filter((f) => f.endsWith('-bristol-model.arrow')).length, 7);
  assert.equal(files.filter((f) => f.endsWith('-definition-vanilla.arrow')).length, 7);
  // damage one definition entry: garbage bytes, then an empty file
  const victim = join(cache, 'layers', files.find((f) => f.endsWith('-definition-model.arrow'))!);
  for (const junk of [new Uint8Array([1, 2, 3, 4]), new Uint8Array(0)]) {
    writeFileSync(victim, junk);
    const ex2 = new CountingExecutor();
    const again = await cpseReport([spec(stFile, 's')], ctxWith(ex2, cache), { bins: 10 });
    assert.equal(ex2.runs.length, 1, 'only the damaged layer is recomputed');
    assert.equal(again.networks[0]!.computedLayers, 1);
    assert.deepEqual(again.networks[0]!.dLayers, base.networks[0]!.dLayers);
  }
});

test('layer spectra agree with ml-matrix and are planned in layer order', async () => {
  const plan = await planLayers([spec(npzFile, 'n')], 'definition', false);
  const ex = new CountingExecutor();
  const spectra = await Promise.all(plan.chunks.map(async (c) => ({ eigenvalues: await ex.run(c) })));
  assert.deepEqual(plan.networks[0]!.layers.map((s) => s.name), SYNTH.filter((t) => t.shape.length >= 2).map((t) => t.name));
  for (const [i, t] of SYNTH.filter((x) => x.shape.length >= 2).entries()) {
    const n = t.shape[0]!, m = t.data.length / n;
    const A = new Matrix(Array.from({ length: n }, (_, r) => Array.from(t.data.subarray(r * m, (r + 1) * m))));
    const ref = new EigenvalueDecomposition(A.mmul(A.transpose()), { assumeSymmetric: true }).realEigenvalues.sort((a, b) => a - b);
    const got = spectra[i]!.eigenvalues;
    assert.equal(got.length, n);
    const max = ref[n - 1]!;
    for (let k = 0; k < n; k++) assert.ok(Math.abs(got[k]! - Math.max(0, ref[k]!)) <= 1e-10 * max, `${t.name} eigenvalue ${k}: ${got[k]} vs ${ref[k]}`);
  }
});

test('planLayers: include/exclude, and a file without layers is an error naming it', async () => {
  const openNetwork = async (s: NetworkSpec) => (await planLayers([s], 'definition', false)).networks[0]!;
  const n = await openNetwork(spec(stFile, 'x', { include: '^fc', exclude: 'fc3' }));
  assert.deepEqual(n.layers.map((l) => l.name), ['fc0.weight', 'fc1.weight', 'fc2.weight']);
  const biasOnly: Tensor[] = SYNTH.filter((t) => t.shape.length < 2);
  const f = join(dir, 'bias-only.safetensors');
  writeFileSync(f, safetensorsBytes(biasOnly, 'F32'));
  await assert.rejects(openNetwork(spec(f, 'b')), (e: Error) => e.message.startsWith(f) && /no layer matrices/.test(e.message));
  await assert.rejects(cpseReport([spec(stFile, 'x', { include: 'nothing-matches' })], ctxWith(new CountingExecutor(), tmp()), { bins: 10 }), /no layer matrices/);
});

test('an aborted signal stops before computing anything', async () => {
  const ac = new AbortController();
  ac.abort();
  const ex = new CountingExecutor();
  await assert.rejects(cpseReport([spec(stFile, 'x')], ctxWith(ex, tmp(), { signal: ac.signal }), { bins: 10 }), /interrupted/);
  assert.equal(ex.runs.length, 0);
});

test('table, CSV and files: two networks, and a two-layer network whose cPSE is NaN', async () => {
  const two = join(dir, 'two.npz');
  writeFileSync(two, npzBytes(SYNTH.filter((t) => t.name === 'fc0.weight' || t.name === 'fc2.weight'), '<f8'));
  const r: CpseReport = await cpseReport([spec(stFile, 'synth'), spec(two, 'two')], ctxWith(new CountingExecutor(), tmp()), { bins: 10 });
  const table = cpseTable(r);
  assert.match(table, /^synth \(safetensors, 7 layers, N_max = 32; 0 cached, 7 computed\)$/m);
  assert.match(table, /^\s+depth\s+layer\s+N\s+d_layer\s+log10 d$/m);
  // the fixture's d_2 and cPSE, printed as the table prints them (%e with 6 digits, log10 with 4, cPSE with 6)
  const esc = (x: string) => x.replace(/[.+]/g, '\\$&');
  const d2 = SYNTH_DEF.d[0]!;
  assert.match(table, new RegExp(`^\\s+2\\s+conv1\\.weight\\s+16\\s+${esc(d2.toExponential(6))}\\s+${esc(Math.log10(d2).toFixed(4))}$`, 'm'));
  assert.match(table, new RegExp(`cPSE = ${esc(SYNTH_DEF.cpse.toFixed(6))}`));
  assert.match(table, /two \(npz, 2 layers, N_max = 32;[^\n]*\n[^\n]*depth[^\n]*\n\s+cPSE = NaN \(fewer than 3 layers\)/);
  const csv = cpseCsv(r).trim().split('\n');
  assert.equal(csv[0], 'network,depth,layer,n,d_layer,log10_d_layer,cpse');
  assert.equal(csv.length, 1 + 5); // the two-layer network has no d_layers rows
  assert.ok(csv.slice(1).every((l) => l.startsWith('synth,') && l.endsWith(`,${r.networks[0]!.cpse}`)));
  const out = tmp('ergo-out-');
  const files = await writeCpseReport(out, r);
  assert.deepEqual(files.map((f) => f.slice(out.length + 1)).sort(), ['plots/cpse-depth.svg', 'results/cpse-provenance.json', 'results/cpse.csv', 'results/cpse.json']);
  const back = JSON.parse(readFileSync(join(out, 'results', 'cpse.json'), 'utf8'));
  assert.equal(back.networks[1].cpse, 'NaN'); // non-finite numbers are written as strings
  assert.deepEqual(back.networks[0].dLayers, JSON.parse(JSON.stringify(r.networks[0]!.dLayers)));
  const svg = readFileSync(join(out, 'plots', 'cpse-depth.svg'), 'utf8');
  assert.match(svg, /^<svg|<\?xml/);
  assert.ok(svg.includes('synth'));
  assert.ok(existsSync(join(out, 'results', 'cpse.csv')));
});

test('real executors (inline, 1 and 2 pool threads) give the counting executor\'s results', async () => {
  const ref = await cpseReport([spec(stFile, 'a'), spec(npzFile, 'b'), spec(stFile, 'a2')], ctxWith(new CountingExecutor(), tmp()), { bins: 10 });
  for (const w of [0, 1, 2]) {
    const ex = createExecutor(w);
    try {
      // the same file twice: a layer's buffer is transferred to the worker, the second load must still work
      const r = await cpseReport([spec(stFile, 'a'), spec(npzFile, 'b'), spec(stFile, 'a2')], ctxWith(ex, tmp()), { bins: 10 });
      assert.deepEqual(r.networks.map((n) => [n.dLayers, n.cpse]), ref.networks.map((n) => [n.dLayers, n.cpse]), `workers ${w}`);
    } finally {
      await ex.close();
    }
  }
});
