// `ergo validate`: verdicts on correct samplers (pass), on the bristol recipe (fail), and on
// eigenvalues exported by another tool (test/fixtures/haar_eigs.py, numpy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseConfig } from '../src/pipeline/config/load.js';
import { runExperiment } from '../src/pipeline/experiments/index.js';
import { readNpyFile } from '../src/weights/npy.js';
import { writeNpz } from '../src/pipeline/report/npy.js';
import type { ValidateReport } from '../src/pipeline/experiments/validate.js';
import { ergo, tempDir, repoRoot } from './helpers/cli.js';
import { testNeeding, numpyMissing, pythonEnv } from './helpers/resources.js';

const FIXTURE = join(repoRoot, 'test', 'fixtures', 'haar_eigs.npy');

async function sweepDir(yaml: string): Promise<string> {
  const dir = tempDir('ergo-validate-');
  const r = await runExperiment(parseConfig(yaml, 'v.yaml'), { outDir: dir, workers: 0, htmlReport: false, plots: false }); // inline: nothing here is about threads
  assert.ok(r.report, 'the sweep finished');
  return dir;
}

// In-process (helpers/cli.ts ergo()): exit codes and output are the command's own; the process
// itself is not under test here.
async function validateJson(args: string[]): Promise<{ code: number | null; report: ValidateReport; stderr: string }> {
  const r = await ergo(['validate', ...args, '--json']);
  return { code: r.status, report: JSON.parse(r.stdout) as ValidateReport, stderr: r.stderr };
}

test('correct samplers pass: CUE, COE, CSE by qr, eigvec and spectral at N = 32 and 48', async () => {
  // 9 ensemble/method pairs x 2 sizes x 4-6 checks ~ 90 checks at a family-wise level of 0.01:
  // a correct sampler fails with probability <= 0.01 for any seed (Bonferroni), and the
  // systematic allowances (surmise errors) are below the tolerances the checks state.
  const ens = ['CUE', 'COE', 'CSE'].flatMap((e) => ['qr', 'eigvec', 'spectral'].map((m) => `{ensemble: ${e}, method: ${m}}`));
  const dir = await sweepDir(`name: good\nseed: 21\nensembles: [${ens.join(', ')}]\nsizes: [32, 48]\nmatrices: 80\nchunk: 40\n`);
  try {
    const { code, report } = await validateJson([dir, '-o', dir]); // -o: --json alone writes no files
    const failed = report.groups.flatMap((g) => g.checks.filter((c) => !c.pass).map((c) => `${g.label} N=${g.n} ${c.check}: ${c.statistic} vs ${c.expected} (z ${c.z})`));
    assert.deepEqual(failed, []);
    assert.equal(code, 0);
    assert.equal(report.groups.length, 18);
    assert.equal(report.tool, 'ergo');
    assert.equal(typeof report.version, 'string');
    // CUE rows carry the min(k, N) identities; a run directory gets the spacing figure
    const cue = report.groups.find((g) => g.ensemble === 'CUE' && g.n === 32)!;
    assert.ok(cue.checks.some((c) => c.check === 'E|Tr U^33|^2' && c.expected === 32));
    const svg = readFileSync(join(dir, 'plots', 'validate-spacing.svg'), 'utf8');
    for (const panel of ['CUE (qr) N=32', 'CSE (spectral) N=48']) assert.ok(svg.includes(panel), `panel ${panel} drawn`);
    assert.ok(existsSync(join(dir, 'results', 'validate.json')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the bristol recipe's COE and CSE fail at N = 32 (exit 1, every group)", async () => {
  // The recipe's COE is an elementwise product of matrices (not unitary) with nearly Poisson
  // eigenphases: mean gap ratio near 0.40 against 0.53 (z about -30 at M = 200 in trial
  // runs); its CSE has eigenvalues +-x_i, whose angles come in pairs pi apart: E|Tr U|^2 is 0
  // and the gap ratio near 0.38 against 0.67. Failing needs |z| > 3.3 only.
  const dir = await sweepDir('name: bad\nseed: 4\nensembles: [{ensemble: COE, method: bristol}, {ensemble: CSE, method: bristol}]\nsizes: [32]\nmatrices: 60\nchunk: 30\n');
  try {
    const { code, report } = await validateJson([dir]);
    assert.equal(code, 1);
    assert.equal(report.pass, false);
    assert.deepEqual(report.groups.map((g) => [g.label, g.pass]), [['COE (bristol)', false], ['CSE (bristol)', false]]);
    for (const g of report.groups) assert.ok(!g.checks.find((c) => c.check === 'mean gap ratio')!.pass, `${g.label} gap ratio`);
    const text = await ergo(['validate', dir]);
    assert.equal(text.status, 1);
    // the recipe's CSE of order 32 reports all 2 x 32 angles (no Kramers pairs): N = 64 in the table
    assert.match(text.stdout, /FAILED: COE \(bristol\) N=32, CSE \(bristol\) N=64/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('numpy Haar eigenvalues (another tool) pass as CUE and fail when claimed to be COE', async () => {
  const cue = await validateJson([FIXTURE, '--ensemble', 'cue']);
  assert.equal(cue.code, 0, JSON.stringify(cue.report.groups[0]!.checks.filter((c) => !c.pass)));
  assert.equal(cue.report.groups[0]!.checks[0]!.check, 'moduli |z| = 1');
  assert.ok(cue.report.groups[0]!.checks[0]!.pass);
  // E|Tr U|^2 of Haar unitaries is 1; a COE would give 2N/(N+1) = 1.94 at N = 32
  const coe = await validateJson([FIXTURE, '--ensemble', 'coe']);
  assert.equal(coe.code, 1);
  assert.ok(!coe.report.groups[0]!.checks.find((c) => c.check === 'E|Tr U|^2')!.pass);
});

test('validate: files need --ensemble; a non-unit modulus fails the exact check; .npz members are groups', async () => {
  const r = await ergo(['validate', FIXTURE]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /give --ensemble cue, coe or cse/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  // the fixture's eigenvalues scaled by 1 + 1e-6: every statistic of the angles is unchanged,
  // only the moduli check can see it
  const dir = tempDir('ergo-validate-mod-');
  try {
    const a = readNpyFile(FIXTURE);
    const scaled = { dtype: '<c16' as const, shape: a.shape, data: a.data.map((x) => x * (1 + 1e-6)), imag: a.imag!.map((x) => x * (1 + 1e-6)) };
    await writeNpz(join(dir, 'two.npz'), [{ name: 'exact', array: { dtype: '<c16' as const, shape: a.shape, data: a.data, imag: a.imag! } }, { name: 'scaled', array: scaled }]);
    const v = await validateJson([join(dir, 'two.npz'), '--ensemble', 'CUE', '-o', dir]);
    assert.equal(v.code, 1);
    assert.deepEqual(v.report.groups.map((g) => [g.label, g.pass]), [['two.npz:exact', true], ['two.npz:scaled', false]]);
    assert.deepEqual(v.report.groups[1]!.checks.filter((c) => !c.pass).map((c) => c.check), ['moduli |z| = 1']);
    assert.ok(existsSync(join(dir, 'plots', 'validate-spacing.svg')), '-o writes the figure');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

testNeeding(numpyMissing(), 'haar_eigs.py re-run gives the committed haar_eigs.npy', { timeout: 120_000 }, () => {
  const dir = tempDir('ergo-haar-');
  try {
    const out = join(dir, 'h.npy');
    const py = spawnSync('python3', [join(repoRoot, 'test', 'fixtures', 'haar_eigs.py'), out], { encoding: 'utf8', env: pythonEnv });
    assert.equal(py.status, 0, py.stderr);
    if (Buffer.compare(readFileSync(out), readFileSync(FIXTURE)) === 0) return; // same bytes
    // Another LAPACK may differ in the last bits: compare values.
    const a = readNpyFile(out), b = readNpyFile(FIXTURE);
    assert.deepEqual(a.shape, b.shape);
    for (let i = 0; i < a.data.length; i++) {
      assert.ok(Math.abs(a.data[i]! - b.data[i]!) < 1e-9 && Math.abs(a.imag![i]! - b.imag![i]!) < 1e-9, `value ${i}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
