// ergo csd through the CLI (in-process; the kill-and-resume test is test/e2e/csd-resume):
//  - on every real network in .cache/models (scripts/fetch-models.mjs): the table, JSON,
//    CSV and SVG plots; identical csd.json for 1 and 2 workers;
//  - --against <model> with two independent |U| networks; experiment: csd from YAML.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testNeeding, modelsMissing } from './helpers/resources.js';
import { absHaar } from './helpers/haar.js';
import { safetensorsBytes, type Tensor } from './helpers/weightfiles.js';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createStream } from '../src/rng/index.js';
import { repoRoot, ergo, tempDir, NO_FIGURES } from './helpers/cli.js';
import { regression } from './helpers/expected.js';
import { arrowFiles } from './helpers/rundir.js';
import { SHARED_CACHE } from './helpers/sharedcache.js';

const MODELS = process.env.ERGO_MODELS_CACHE ?? join(repoRoot, '.cache', 'models');
const REAL = [
  'upscaler-default/model.json',
  'face-api/face_recognition_model-weights_manifest.json',
  'face-api/tiny_face_detector_model-weights_manifest.json',
  'silero-vad/silero_vad.onnx',
  'silero-vad/silero_vad_op18_ifless.onnx',
].map((f) => join(MODELS, f));

const skipReal = modelsMissing(REAL.map((f) => relative(MODELS, f)));

const listFiles = arrowFiles;

function checkSvg(file: string): void {
  assert.ok(existsSync(file), `${file} missing`);
  const text = readFileSync(file, 'utf8');
  assert.match(text.slice(0, 200), /<svg[\s>]/, `${file} is not SVG`);
  assert.match(text.trimEnd(), /<\/svg>$/, `${file} is not a complete SVG`);
}

const FAST = ['--gaussian-init', '--draws', '3', '--seed', 'cli-csd'];
const base = tempDir();
// The full run tests numbers and output files, not the cache: it uses the suite-wide spectrum
// cache (helpers/sharedcache.ts), whose layer spectra other files share. That a fresh cache
// receives exactly the spectra a run computes is checked in cli.network-runs ("ergo csd:
// kill -9 and rerun"); worker counts with fresh caches below.
const allArgs = (workers: string, tag: string) => ['csd', ...REAL, ...FAST, '--no-report', '--workers', workers, '--out', join(base, `out${tag}`), '--cache', SHARED_CACHE];
type FullRun = { stdout: string; stderr: string; json: Buffer; chunks: number };
let fullRun: FullRun | undefined;
/** The uninterrupted run on all real networks, made by whichever test needs it first (no order dependence). */
async function uninterrupted(): Promise<FullRun> {
  if (fullRun) return fullRun;
  const r = await ergo(allArgs('0', 'A'));
  assert.equal(r.status, 0, r.stderr);
  fullRun = { stdout: r.stdout, stderr: r.stderr, json: readFileSync(join(base, 'outA', 'results', 'csd.json')), chunks: listFiles(join(base, 'outA', 'chunks')).size };
  return fullRun;
}

testNeeding(skipReal, 'ergo csd on all real networks: table, JSON, CSV, SVG plots; Var(CSD) = pinned regressions', { timeout: 300_000 }, async () => {
  const r = await uninterrupted();
  const { json } = r;
  // every chunk of the run is either computed or taken from the cache
  const counts = /spectra: (\d+) computed, (\d+) from the cache/.exec(r.stderr);
  assert.ok(counts, r.stderr);
  assert.equal(Number(counts[1]) + Number(counts[2]), r.chunks, r.stderr);

  // The table: a title line, a header, one row per network and per Gaussian twin, classes.
  const report = JSON.parse(json.toString('utf8'));
  const names = ['upscaler-default', 'face_recognition_model', 'tiny_face_detector_model', 'silero_vad', 'silero_vad_op18_ifless'];
  assert.deepEqual(report.networks.map((n: { name: string }) => n.name), names.flatMap((n) => [n, `${n} (gaussian init)`]));
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^CSD against conjugate circular mixed ensemble .*e_max = 6, 1000 bins, 3 draw\(s\), tolerance 0\.05, delta 0\.1$/);
  assert.match(lines[1]!, /^network\s+layers\s+Var\(CSD\) mean\s+std\s+cum\. CSD at e_max\s+conjugate\s+class$/);
  const rows = lines.slice(2, 2 + report.networks.length);
  report.networks.forEach((n: { name: string; layers: number; conjugate: boolean; class: number; varCsd: { mean: number } }, i: number) => {
    const row = rows[i]!;
    assert.ok(row.startsWith(n.name), row);
    const cells = row.slice(n.name.length).trim().split(/\s+/);
    assert.equal(cells.length, 6, row);
    assert.equal(Number(cells[0]), n.layers);
    assert.ok(Math.abs(Number(cells[1]) - n.varCsd.mean) <= 5e-4 * Math.max(1, Math.abs(n.varCsd.mean)), row);
    assert.equal(cells[4], n.conjugate ? 'yes' : 'no');
    assert.equal(Number(cells[5]), n.class + 1);
  });
  // Var(CSD) means: pinned regressions (test/fixtures/regressions.json), rtol 1e-9
  const pinned = regression('csd-real-networks').values;
  assert.deepEqual(Object.keys(pinned).sort(), report.networks.map((n: { name: string }) => n.name).sort());
  for (const n of report.networks as { name: string; varCsd: { mean: number } }[]) {
    const want = pinned[n.name]!;
    assert.ok(Math.abs(n.varCsd.mean - want) <= 1e-9 * want, `${n.name}: Var(CSD) ${n.varCsd.mean}, pinned ${want}`);
  }
  const classLines = lines.filter((l) => l.startsWith('class '));
  assert.equal(classLines.length, report.equivalence.classes.length);
  console.log(r.stdout);

  // CSV twin of the table, and the plots: one CSD figure per family + the Var(CSD) bars.
  const csv = readFileSync(join(base, 'outA', 'results', 'csd.csv'), 'utf8').trimEnd().split('\n');
  assert.equal(csv.length, 1 + report.networks.length);
  const plots = join(base, 'outA', 'plots');
  for (const fam of ['upscaler', 'face', 'tiny', 'silero']) checkSvg(join(plots, `csd-${fam}.svg`));
  checkSvg(join(plots, 'var-csd.svg'));
  assert.equal(readdirSync(plots).filter((f) => f.endsWith('.svg')).length, 5);
});

testNeeding(skipReal, 'ergo csd: csd.json identical for 1 and 2 workers (uninterrupted, fresh caches)', { timeout: 300_000 }, async () => {
  const dir = tempDir();
  const nets = [REAL[0]!]; // upscaler: the smallest orders (12 layers, 3 draws, twin: 60 chunks)
  const out = async (w: string) => {
    const r = await ergo(['csd', ...nets, ...FAST, ...NO_FIGURES, '--workers', w, '--out', join(dir, `out${w}`), '--cache', join(dir, `cache${w}`)]);
    assert.equal(r.status, 0, r.stderr);
    return { stdout: r.stdout, json: readFileSync(join(dir, `out${w}`, 'results', 'csd.json')) };
  };
  const one = await out('1');
  const two = await out('2');
  assert.ok(one.json.equals(two.json), 'csd.json differs between 1 and 2 workers');
  assert.equal(one.stdout, two.stdout);
  assert.deepEqual([...listFiles(join(dir, 'cache1')).keys()].sort(), [...listFiles(join(dir, 'cache2')).keys()].sort());
});

// ---------- circular networks written by the test ----------



const writeSafetensors64 = (path: string, tensors: Tensor[]): void => writeFileSync(path, safetensorsBytes(tensors, 'F64'));

const ORDERS = [128, 192, 256, 256];

function circularNetwork(dir: string, seed: string): string {
  const s = createStream(seed);
  const path = join(dir, `${seed}.safetensors`);
  writeSafetensors64(path, ORDERS.map((n, l) => ({ name: `layer${l}.weight`, shape: [n, n], data: absHaar(n, s) })));
  return path;
}

test('ergo csd A --against B: two independent |U| networks are conjugate with Var(CSD) under the shot-noise bound', async () => {
  const dir = tempDir();
  const a = circularNetwork(dir, 'circ-a');
  const b = circularNetwork(dir, 'circ-b');
  const r = await ergo(['csd', a, '--against', b, '--json', ...NO_FIGURES, '--workers', '0', '--out', join(dir, 'out'), '--cache', join(dir, 'cache')]);
  assert.equal(r.status, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.draws, 1);
  assert.match(rep.against, /circ-b/);
  const net = rep.networks[0];
  const L = ORDERS.length;
  const T = ORDERS.reduce((s, n) => s + n, 0);
  assert.deepEqual([net.layers, net.pooled, net.outsideFraction], [L, T, L / T]);
  // Both sides have exactly L of T eigenvalues above e_max (outliers ~ n pi/4): cumulative 0.
  assert.ok(Math.abs(net.cumulativeAtEMax.mean) < 1e-12, String(net.cumulativeAtEMax.mean));
  assert.equal(net.conjugate, true);
  assert.equal(net.varCsd.std, 'NaN'); // one comparison: no spread
  // Shot-noise bound (Poisson bin counts, see test/pipeline.csd.test.ts): E S = 2 (T - L),
  // sd S <= sqrt(2 (T - L) + 8 sum c_k^2) with sum c_k^2 <= (T - L) * max c_k; the bulk of T - L
  // eigenvalues lies in [0, 0.86], i.e. 143 bins, with a square-root peak at 0 that can put at
  // most T - L in one bin: the crude sum c^2 <= (T - L)^2 still gives a bound below 1.
  const w = 6 / 1000;
  const scale = (T * w) ** 2 * 1000;
  const bound = (2 * (T - L) + 5 * Math.sqrt(2 * (T - L) + 8 * (T - L) ** 2)) / scale;
  assert.ok(net.varCsd.mean > 0 && net.varCsd.mean < bound, `Var(CSD) ${net.varCsd.mean}, bound ${bound}`);
  // numpy (docs/csd.md): Gaussian vs circular at these orders is ~0.25 per draw; two circular
  // ensembles ~0.019 (sd 0.003). 0.1 separates them by > 25 sd of the circular case.
  assert.ok(net.varCsd.mean < 0.1, String(net.varCsd.mean));
});

test('experiment: csd from YAML prints the table and writes results and plots', async () => {
  const dir = tempDir();
  const a = circularNetwork(dir, 'yaml-a');
  const cfg = join(dir, 'csd.yaml');
  writeFileSync(cfg, `name: csd-yaml\nexperiment: csd\nseed: 7\nnetworks:\n  - { path: ${JSON.stringify(a)}, name: circ }\ncsd:\n  draws: 2\n  gaussianInit: true\n`);
  const r = await ergo(['run', cfg, '--out', join(dir, 'run'), '--no-report', '--workers', '0']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\ncirc\s+4\s/);
  assert.match(r.stdout, /\ncirc \(gaussian init\)\s+4\s/);
  const rep = JSON.parse(readFileSync(join(dir, 'run', 'results', 'csd.json'), 'utf8'));
  assert.equal(rep.seed, 7);
  assert.equal(rep.draws, 2);
  assert.equal(rep.networks[0].conjugate, true);
  checkSvg(join(dir, 'run', 'plots', 'var-csd.svg'));
  checkSvg(join(dir, 'run', 'plots', 'csd-circ.svg'));
});

test('ergo csd: bad numbers are one clear usage line', async () => {
  for (const [flag, value, msg] of [
    ['--emax', '-1', /--emax: expected a number > 0, got "-1"/],
    ['--bins', '2.5', /--bins: expected a whole number >= 1/],
    ['--draws', '0', /--draws: expected a whole number >= 1/],
  ] as const) {
    const r = await ergo(['csd', 'whatever.safetensors', flag, value]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr.trim(), msg);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});
