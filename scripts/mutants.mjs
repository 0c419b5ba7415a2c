#!/usr/bin/env node
// Mutation check: does the test suite notice small, plausible bugs?
//
// Each mutant below replaces one exact source snippet, found by searching all of src/ (not
// by file path, so files may move), with a wrong variant. For each mutant in turn the
// script edits the .ts file, re-emits that one file into dist/ (esbuild's TypeScript
// transform, ES2022 modules as the build's; TypeScript 7, the build's compiler, has no
// per-file API), runs the test files named for it, and restores both the source and the
// emitted file, whatever happens. A mutant is KILLED when those tests fail, SURVIVED when
// they pass. The script first brings dist/ up to date with the type-checked build (`tsc -b`),
// so the unmutated baseline is the code as it is.
//
//   node scripts/mutants.mjs                 all mutants
//   node scripts/mutants.mjs phase-fix kl    only the named ones
//   node scripts/mutants.mjs --markdown      also print the result table for docs/testing.md
//
// Tests run with ERGO_STRICT=1 (python3 + numpy and the fetched models required). The
// named test files are first run on the unmutated code and must pass there, so a missing
// resource or a broken baseline cannot pass for a killed mutant.
// Exit codes: 0 every mutant killed; 1 a mutant survived, or a snippet is not found exactly
// once in src/ (the list is then out of date: fix the snippet, never drop the mutant silently).
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tscPath as tsc } from './tsc.mjs';
import { transformSync } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The mutants: id, what the bug is, the exact snippet, its replacement, the tests to run. */
export const MUTANTS = [
  {
    id: 'phase-fix',
    what: 'CUE by QR without the Mezzadri phase fix (U = Q)',
    find: 'return multiplyColumnPhases(q, cr, ci);',
    replace: 'return q;',
    tests: ['ensembles.dense', 'ensembles.stats'],
  },
  {
    id: 'coe-uut',
    what: 'COE built as U U^T instead of U^T U',
    find: 'return complexTransposeMatmul(u, u);',
    replace: '{ const k = u.rows, t = { rows: k, cols: k, re: new Float64Array(k * k), im: new Float64Array(k * k) }; for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) { t.re[j * k + i] = u.re[i * k + j]!; t.im[j * k + i] = u.im[i * k + j]!; } return complexTransposeMatmul(t, t); }',
    tests: ['ensembles.dense'],
  },
  {
    id: 'cse-uur',
    what: 'CSE built as U U^R instead of U^R U',
    find: 'return complexMatmul(quaternionDual(u), u);',
    replace: 'return complexMatmul(u, quaternionDual(u));',
    tests: ['ensembles.dense'],
  },
  {
    id: 'edge-rule-hist',
    what: 'histogram edge rule flipped: a value on an inner edge goes to the lower bin',
    find: 'while (k < K - 1 && x >= edges[k + 1]!) k++;',
    replace: 'while (k < K - 1 && x > edges[k + 1]!) k++; while (k > 0 && x === edges[k]!) k--;',
    tests: ['spectral.density', 'spectral.ergodicity', 'fixtures.bristol'],
  },
  {
    id: 'edge-rule-csd',
    what: 'CSD pooled density: a value on edge k goes to bin k-1',
    find: 'if (x < edges[k]!) k--;',
    replace: 'if (x <= edges[k]! && k > 0) k--;',
    tests: ['spectral.csd'],
  },
  {
    id: 'kl-shift',
    what: 'symmetric KL with the shift outside the ratio: log2(a/b + s)',
    find: 'x * Math.log2((x + shift) / (y + shift))',
    replace: 'x * Math.log2(x / y + shift)',
    tests: ['spectral.ergodicity', 'fixtures.bristol'],
  },
  {
    id: 'omega-norm',
    what: 'Omega divided by M^2 instead of M N',
    find: 'omega[k] = omega[k]! / M / n;',
    replace: 'omega[k] = omega[k]! / M / M;',
    tests: ['spectral.ergodicity', 'fixtures.bristol'],
  },
  {
    id: 'pad-unsorted',
    what: 'definition padding repeats the list unsorted',
    find: 'src = Float64Array.from(eigs).sort();',
    replace: 'src = Float64Array.from(eigs);',
    tests: ['spectral.pse'],
  },
  {
    id: 'cpse-ln',
    what: 'cPSE as the mean of natural logs instead of log10',
    find: 'Math.log10(x))) / d.length',
    replace: 'Math.log(x))) / d.length',
    tests: ['spectral.pse', 'fixtures.bristol'],
  },
  {
    id: 'varcsd-k-1',
    what: 'Var(CSD) divided by K - 1 instead of K',
    find: 'varCsd: populationVariance(csd),',
    replace: 'varCsd: (populationVariance(csd) * csd.length) / (csd.length - 1),',
    tests: ['spectral.csd'],
  },
  {
    id: 'variance-naive',
    what: 'two-pass variance without the correction term',
    find: 'return Math.max(0, (ss - (c * c) / n) / n);',
    replace: 'return Math.max(0, ss / n);',
    tests: ['spectral.csd'],
  },
  {
    id: 'csd-norm',
    what: 'pooled density normalised by the in-window count instead of the total',
    find: 'const norm = total * width;',
    replace: 'const norm = (total - above - below) * width;',
    tests: ['spectral.csd'],
  },
  {
    id: 'fortran-order',
    what: '.npy reader ignores fortran_order',
    find: 'data = fortranToC(data, shape);',
    replace: 'data = data.slice();',
    tests: ['weights.npy'],
  },
  {
    id: 'byte-order',
    what: '.npy reader reads big-endian data as little-endian',
    find: 'readScalar(view, off, info.kind, info.size, info.little)',
    replace: 'readScalar(view, off, info.kind, info.size, true)',
    tests: ['weights.npy'],
  },
  {
    id: 'st-overlap',
    what: 'safetensors: overlapping data_offsets accepted',
    find: "if (s.begin < at) throw new WeightsError(path, s.name, `data_offsets [${s.begin}, ${s.end}] overlap another tensor's bytes`);",
    replace: '',
    tests: ['weights.readers', 'weights.trust', 'weights.fuzz'],
  },
  {
    id: 'st-hole',
    what: 'safetensors: bytes between two tensors accepted',
    find: 'if (s.begin > at) throw new WeightsError(',
    replace: 'if (s.begin > at && false) throw new WeightsError(',
    tests: ['weights.readers', 'weights.trust', 'weights.fuzz'],
  },
  {
    id: 'st-trailing',
    what: 'safetensors: bytes after the last tensor accepted',
    find: 'if (at !== dataLen) throw',
    replace: 'if (at > dataLen) throw',
    tests: ['weights.readers', 'weights.trust', 'weights.fuzz'],
  },
  {
    id: 'gguf-past-end',
    what: 'GGUF: a tensor running past the end of the data block accepted',
    find: 'if (e.offset + bytes > dataLen) {',
    replace: 'if (e.offset > dataLen) {',
    tests: ['weights.keras-gguf', 'weights.fuzz-keras-gguf', 'weights.trust'],
  },
  {
    id: 'gguf-count',
    what: 'GGUF: an array count larger than the file can hold is not refused up front',
    find: 'if (count * 8 > c.size - c.pos) {',
    replace: 'if (count * 8 > c.size * 1e6) {',
    tests: ['weights.keras-gguf', 'weights.fuzz-keras-gguf', 'weights.trust'],
  },
  {
    id: 'tfjs-shard-extra',
    what: 'TF.js: shards holding more bytes than the manifest accounts for accepted',
    find: 'if (have !== offset) {',
    replace: 'if (have < offset) {',
    tests: ['weights.readers', 'weights.trust', 'weights.fuzz'],
  },
];

function srcFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...srcFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The one src/ file holding the snippet exactly once; throws otherwise. */
function locate(m, files) {
  const hits = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (let i = text.indexOf(m.find); i >= 0; i = text.indexOf(m.find, i + 1)) hits.push(f);
  }
  if (hits.length !== 1) {
    const where = hits.length ? ` (in ${[...new Set(hits)].map((f) => relative(root, f)).join(', ')})` : '';
    throw new Error(`mutant ${m.id}: snippet found ${hits.length} times in src/, expected exactly once${where}: ${JSON.stringify(m.find)}`);
  }
  return hits[0];
}

const config = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')).compilerOptions;
const outDir = join(root, config.outDir), rootDir = join(root, config.rootDir);
const emittedPath = (file) => join(outDir, relative(rootDir, file)).replace(/\.ts$/, '.js');

/** dist/ as the type-checked build makes it (incremental: about 0.2 s when nothing changed). */
function build() {
  const r = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.json'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tsc -b failed (fix the build first):\n${r.stdout}${r.stderr}`);
}

// One file's JavaScript, types stripped, as ES2022 modules (the package is ESM).
function transpile(file, source) {
  return transformSync(source, { loader: 'ts', format: 'esm', target: config.target.toLowerCase(), sourcefile: relative(root, file) }).code;
}
function emit(file, source) {
  writeFileSync(emittedPath(file), transpile(file, source));
}

function runTests(names) {
  const files = names.map((n) => join(root, 'dist', 'test', `${n}.test.js`));
  const env = { ...process.env, ERGO_STRICT: '1' };
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=600000', ...files], { cwd: root, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  // failing tests by name (the runner also reports each failing file as a test: left out)
  const failed = (r.stdout.match(/^\s*not ok \d+ - .*$/gm) ?? []).map((l) => l.replace(/^\s*not ok \d+ - /, '')).filter((n) => !n.endsWith('.test.js'));
  return { ok: r.status === 0, failed };
}

function main() {
  const args = process.argv.slice(2);
  const markdown = args.includes('--markdown');
  const only = args.filter((a) => !a.startsWith('--'));
  const list = only.length ? MUTANTS.filter((m) => only.includes(m.id)) : MUTANTS;
  if (only.length && list.length !== only.length) throw new Error(`unknown mutant(s): ${only.filter((o) => !MUTANTS.some((m) => m.id === o)).join(', ')}`);
  const files = srcFiles(join(root, 'src'));
  const located = list.map((m) => ({ m, file: locate(m, files) })); // all snippets checked before any run
  build();

  const suites = [...new Set(list.flatMap((m) => m.tests))];
  process.stderr.write(`baseline: ${suites.join(', ')} on the unmutated code ...\n`);
  // The baseline runs on this script's own emit of every file it will mutate (unmutated), so a
  // wrong emit (CommonJS for this ES-module package, say) fails here instead of making every
  // mutant look killed. The build's files are put back afterwards.
  const mutatedFiles = [...new Set(located.map((l) => l.file))];
  const built = new Map(mutatedFiles.map((f) => [f, readFileSync(emittedPath(f))]));
  let base;
  try {
    for (const f of mutatedFiles) emit(f, readFileSync(f, 'utf8'));
    base = runTests(suites);
  } finally {
    for (const [f, bytes] of built) writeFileSync(emittedPath(f), bytes);
  }
  if (!base.ok) throw new Error(`baseline tests fail without any mutant (fix this first): ${base.failed.join('; ') || 'see node --test output'}`);

  const results = [];
  for (const { m, file } of located) {
    const source = readFileSync(file, 'utf8');
    const emitted = readFileSync(emittedPath(file));
    const restore = () => { writeFileSync(file, source); writeFileSync(emittedPath(file), emitted); };
    const onInterrupt = () => { restore(); process.exit(130); };
    process.once('SIGINT', onInterrupt);
    let outcome;
    try {
      const mutated = source.replace(m.find, () => m.replace);
      writeFileSync(file, mutated);
      emit(file, mutated);
      const t0 = Date.now();
      const r = runTests(m.tests);
      outcome = { ...m, file: relative(root, file), killed: !r.ok, by: r.failed, seconds: (Date.now() - t0) / 1000 };
    } finally {
      restore();
      process.off('SIGINT', onInterrupt);
    }
    results.push(outcome);
    process.stderr.write(`${outcome.killed ? 'KILLED  ' : 'SURVIVED'} ${m.id}: ${m.what}${outcome.killed ? ` (by: ${outcome.by[0] ?? 'a failing file'})` : ''}\n`);
  }
  const survived = results.filter((r) => !r.killed);
  process.stdout.write(`${results.length - survived.length} of ${results.length} mutants killed${survived.length ? `; SURVIVED: ${survived.map((r) => r.id).join(', ')}` : ''}\n`);
  if (markdown) {
    process.stdout.write('\n| mutant | planted bug | file | tests run | result | first failing test |\n| --- | --- | --- | --- | --- | --- |\n');
    for (const r of results) process.stdout.write(`| \`${r.id}\` | ${r.what} | \`${r.file}\` | ${r.tests.join(', ')} | ${r.killed ? 'killed' : '**survived**'} | ${(r.by[0] ?? '').replace(/\|/g, '\\|')} |\n`);
  }
  if (survived.length) process.exitCode = 1;
}

if (process.argv[1] && join(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (e) {
    process.stderr.write(`mutants: ${e.message}\n`);
    process.exitCode = 1;
  }
}
