// The command line's one vocabulary (docs/cli.md), in-process through runCli:
//  - renamed flags (csd --csd-bins / --equivalence-tolerance, --input-format, export --to) and
//    their old spellings: hidden from help, accepted with exactly one warning line, same result;
//  - -q/--quiet and --json on every command; -q silences the [ergo] lines;
//  - usage errors of the option parser exit 2 like ergo's own input errors;
//  - --workers bounded on every command that takes it;
//  - every JSON output names the tool and its version;
//  - "did you mean" for YAML key typos;
//  - --cache on ergo run (cpse and csd configs; a warning elsewhere).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ergo, tempDir, NO_FIGURES } from './helpers/cli.js';
import { synthNetwork, safetensorsBytes, npzBytes } from './helpers/weightfiles.js';
import { parseConfig } from '../src/pipeline/config/index.js';
import { didYouMean } from '../src/pipeline/config/schema.js';
import { TOOL_VERSION } from '../src/pipeline/version.js';

const dir = tempDir('ergo-vocab-');
const synth = join(dir, 'synth.safetensors');
writeFileSync(synth, safetensorsBytes(synthNetwork(), 'F64'));
const synthNpz = join(dir, 'synth.npz');
writeFileSync(synthNpz, npzBytes(synthNetwork(), '<f8'));
const cache = join(dir, 'cache');

// A small sweep (2 ensembles x 2 sizes) for status, datasets and export.
const sweepYaml = join(dir, 'small.yaml');
writeFileSync(sweepYaml, ['name: small', 'seed: 1', 'method: spectral', 'ensembles: [CUE, COE]', 'sizes: [4, 8]', 'matrices: 4', 'chunk: 2', ''].join('\n'));
const sweepDir = join(dir, 'small-run');
let sweepReady: Promise<void> | undefined;
function sweep(): Promise<void> {
  sweepReady ??= ergo(['run', sweepYaml, '--out', sweepDir, ...NO_FIGURES, '--workers', '0', '-q']).then((r) => assert.equal(r.code, 0, r.stderr));
  return sweepReady;
}

const COMMANDS = ['run', 'analyze', 'status', 'datasets', 'export', 'layers', 'cpse', 'csd', 'mme', 'report', 'validate', 'worker'];

const warnings = (stderr: string) => stderr.split('\n').filter((l) => l.includes('is deprecated'));

test('every command has -q/--quiet and --json in its help', async () => {
  for (const c of COMMANDS) {
    const r = await ergo([c, '--help']);
    assert.equal(r.code, 0, `${c} --help`);
    assert.match(r.stdout, /-q, --quiet/, `${c}: -q/--quiet`);
    assert.match(r.stdout, /--json/, `${c}: --json`);
  }
});

test('renamed flags are in the help; old spellings are hidden there', async () => {
  const help = async (c: string) => (await ergo([c, '--help'])).stdout;
  const csd = await help('csd');
  assert.match(csd, /--csd-bins <K>/);
  assert.match(csd, /--equivalence-tolerance <D>/);
  assert.match(csd, /--input-format <fmt>/);
  assert.doesNotMatch(csd, /^\s+--bins\b|^\s+--delta\b|^\s+--format\b/m);
  const cpse = await help('cpse');
  assert.match(cpse, /--bins <K>\s+Omega bins/); // --bins means Omega bins wherever it appears
  assert.match(cpse, /--input-format <fmt>/);
  assert.doesNotMatch(cpse, /^\s+--format\b/m);
  assert.match(await help('layers'), /--input-format <fmt>/);
  const exp = await help('export');
  assert.match(exp, /--to <fmt>\s+required: the output format, npy or csv/);
  assert.doesNotMatch(exp, /^\s+--format\b/m);
  assert.match(await help('analyze'), /--bins <K>\s+bins for real eigenvalues/);
});

test('layers --format (old spelling): one warning line, same JSON as --input-format', async () => {
  const a = await ergo(['layers', synthNpz, '--input-format', 'npz', '--json']);
  const b = await ergo(['layers', synthNpz, '--format', 'npz', '--json']);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(b.stdout, a.stdout);
  assert.deepEqual(warnings(a.stderr), []);
  assert.deepEqual(warnings(b.stderr), ['ergo: warning: layers --format is deprecated; use --input-format (same meaning)']);
  // The value is still checked, under the name the user typed.
  const bad = await ergo(['layers', synthNpz, '--format', 'zip']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--format: expected one of safetensors, npy, npz/);
  // Both spellings at once: refused rather than guessing.
  const both = await ergo(['layers', synthNpz, '--format', 'npz', '--input-format', 'npz']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--format is the old spelling of --input-format; give only --input-format/);
});

test('csd --bins/--delta (old spellings) set --csd-bins/--equivalence-tolerance, with one warning each', async () => {
  const common = [synth, '--json', '--cache', cache, '--workers', '0', '--draws', '2'];
  const now = await ergo(['csd', ...common, '--csd-bins', '50', '--equivalence-tolerance', '0.25']);
  const old = await ergo(['csd', ...common, '--bins', '50', '--delta', '0.25']);
  assert.equal(now.code, 0, now.stderr);
  assert.equal(old.code, 0, old.stderr);
  const [j, k] = [JSON.parse(now.stdout), JSON.parse(old.stdout)];
  assert.equal(j.bins, 50);
  assert.equal(j.delta, 0.25);
  assert.deepEqual(k, j);
  assert.deepEqual(warnings(old.stderr), [
    'ergo: warning: csd --delta is deprecated; use --equivalence-tolerance (same meaning)',
    'ergo: warning: csd --bins is deprecated; use --csd-bins (same meaning)',
  ]);
});

test('export --to, and --format as its old spelling (one warning); missing --to is a usage error', async () => {
  await sweep();
  const a = await ergo(['export', sweepDir, '--to', 'csv', '--out', join(dir, 'ex-a'), '--json']);
  const b = await ergo(['export', sweepDir, '--format', 'csv', '--out', join(dir, 'ex-b')]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.deepEqual(readdirSync(join(dir, 'ex-a')).sort(), readdirSync(join(dir, 'ex-b')).sort());
  for (const f of readdirSync(join(dir, 'ex-a'))) assert.equal(readFileSync(join(dir, 'ex-a', f), 'utf8'), readFileSync(join(dir, 'ex-b', f), 'utf8'));
  assert.equal(warnings(b.stderr).length, 1);
  const none = await ergo(['export', sweepDir]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /required option --to npy\|csv/);
});

test('-q silences the [ergo] lines (results still on stdout)', async () => {
  const loud = await ergo(['cpse', synth, '--out', join(dir, 'q1'), '--cache', cache, ...NO_FIGURES, '--workers', '0']);
  const quiet = await ergo(['cpse', synth, '--out', join(dir, 'q2'), '--cache', cache, ...NO_FIGURES, '--workers', '0', '-q']);
  assert.equal(loud.code, 0, loud.stderr);
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.match(loud.stderr, /^\[ergo\] /m);
  assert.doesNotMatch(quiet.stderr, /\[ergo\]/);
  assert.equal(quiet.stdout, loud.stdout);
  await sweep();
  const ex = await ergo(['export', sweepDir, '--to', 'npy', '--out', join(dir, 'ex-q'), '--quiet']);
  assert.equal(ex.code, 0, ex.stderr);
  assert.equal(ex.stderr, '');
});

test('usage errors of the option parser exit 2, like ergo\'s own input errors', async () => {
  const cases: [string[], RegExp][] = [
    [['cpse', synth, '--no-such-flag'], /unknown option '--no-such-flag'/],
    [['layers'], /missing required argument 'model'/],
    [['cpse', synth, '--semantics', 'other'], /--semantics: expected definition or bristol/],
    [['mme', '--ensemble', 'GUE', '--order', '4', '--p', '0.5', '--count', '2'], /--ensemble: expected one of CUE, COE, CSE/],
    [['mme', '--order', '4'], /required option '--ensemble <name>' not specified/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['layers', join(dir, 'missing.safetensors')], /missing\.safetensors/], // ergo's own input error, for comparison
  ];
  for (const [argv, msg] of cases) {
    const r = await ergo(argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, msg);
  }
});

test('--workers is bounded (4 x cores) on every command that takes it', async () => {
  for (const argv of [['cpse', synth], ['csd', synth], ['run', sweepYaml]]) {
    const r = await ergo([...argv, '--workers', '1000', '--out', join(dir, 'never')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--workers: 1000 is more than 4 x the \d+ cores?/);
  }
  assert.deepEqual(readdirSync(dir).filter((f) => f === 'never'), []);
});

test('every JSON output has tool and version', async () => {
  await sweep();
  const outputs: [string, string[]][] = [
    ['layers', ['layers', synth, '--json']],
    ['status', ['status', sweepDir, '--json']],
    ['datasets', ['datasets', sweepDir, '--json']],
    ['export', ['export', sweepDir, '--to', 'npy', '--out', join(dir, 'ex-json'), '--json']],
    ['analyze', ['analyze', join(dir, 'ex-json', 'CUE-spectral-N0004.npy'), join(dir, 'ex-json', 'CUE-spectral-N0008.npy'), '--json']],
    ['cpse', ['cpse', synth, '--json', '--cache', cache, '--workers', '0']],
    ['run', ['run', sweepYaml, '--json', '--workers', '0']],
    ['mme', ['mme', '--ensemble', 'CUE', '--order', '4', '--p', '0.5', '--count', '3', '--json']],
  ];
  for (const [what, argv] of outputs) {
    const r = await ergo(argv);
    assert.equal(r.code, 0, `${what}: ${r.stderr}`);
    const j = JSON.parse(r.stdout);
    assert.equal(j.tool, 'ergo', `${what}: tool`);
    assert.equal(j.version, TOOL_VERSION, `${what}: version`);
  }
});

test('YAML key typos get a "did you mean"; unrelated keys do not', () => {
  const base = ['name: t', 'experiment: spectral-ergodicity', 'ensembles: [CUE]'];
  const msg = (yaml: string[]) => {
    try {
      parseConfig(yaml.join('\n') + '\n', 't.yaml');
    } catch (e) {
      return (e as Error).message;
    }
    assert.fail('expected a config error');
  };
  assert.equal(msg([...base, 'sizse: [4, 8]']), 't.yaml:4: sizse: unknown key "sizse" (did you mean "sizes"?)');
  assert.match(msg([...base, 'sizes: [4, 8]', 'matrics: 4']), /unknown key "matrics" \(did you mean "matrices"\?\)/);
  const cpse = ['name: t', 'experiment: cpse', 'networks:', '  - { path: a.npz, exclued: "^fc" }'];
  assert.match(msg(cpse), /networks\[0\]\.exclued: unknown key "exclued" \(did you mean "exclude"\?\)/);
  assert.match(msg([...base, 'sizes: [4]', 'colour: blue']), /unknown key "colour"$/);
  assert.equal(didYouMean('seeed', ['seed', 'sizes']), ' (did you mean "seed"?)');
  assert.equal(didYouMean('zzzzzz', ['seed', 'sizes']), '');
});

test('--cache on ergo run: taken by a cpse run (spectra from the cache), one warning on a sweep, where it means nothing', async () => {
  const cache = tempDir('ergo-vocab-cache-');
  const cfg = join(dir, 'cache-cpse.yaml');
  writeFileSync(cfg, `name: cache-cpse\nexperiment: cpse\nnetworks:\n  - { path: ${JSON.stringify(synth)}, name: synth }\n`);
  const first = await ergo(['run', cfg, '--json', '--cache', cache, '--workers', '0']);
  assert.equal(first.status, 0, first.stderr);
  const again = await ergo(['run', cfg, '--json', '--cache', cache, '--workers', '0']); // --json alone: a fresh temporary run directory
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /chunks: 0 computed, .* [1-9]\d* from the cache/);
  assert.deepEqual(JSON.parse(again.stdout).networks[0].cpse, JSON.parse(first.stdout).networks[0].cpse);
  const sweep = join(dir, 'cache-sweep.yaml');
  writeFileSync(sweep, 'name: cache-sweep\nensembles: [CUE]\nsizes: [4, 8]\nmatrices: 4\n');
  const r = await ergo(['run', sweep, '--json', '--cache', cache, '--workers', '0']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stderr.split('\n').filter((l) => l.includes('warning')), ['ergo: warning: --cache has no effect on a spectral-ergodicity run (only cpse and csd runs take layer spectra from a cache)']);
});
