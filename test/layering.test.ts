// The design's layering: each folder of src/ imports only from the folders before it, and
// inside src/pipeline/ each sub-folder only from the ones before it. src/errors.ts (the one
// UserError base class) may be imported by every layer and imports nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { repoRoot } from './helpers/cli.js';

const ORDER = ['rng', 'linalg', 'ensembles', 'spectral', 'weights', 'pipeline', 'cli'];
// Inside pipeline/: the shared base files (version, files, vendor), then config, runtime, report, experiments.
const PIPELINE = ['version.ts', 'files.ts', 'vendor.ts', 'config', 'runtime', 'report', 'experiments'];
// What report/ may read of runtime/: the dataset reader's types (export groups), nothing else.
const REPORT_MAY_IMPORT = ['runtime/dataset.ts'];

const src = join(repoRoot, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'assembly' ? [] : sources(p); // AssemblyScript: no imports of ours
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** Every relative import of every source file, as paths relative to src/ (".js" -> ".ts"). */
function imports(): { file: string; target: string; text: string }[] {
  const out: { file: string; target: string; text: string }[] = [];
  for (const file of sources(src)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from |import\()'(\.[^']+)'/g)) {
      const target = relative(src, normalize(join(dirname(file), m[1]!))).replace(/\.js$/, '.ts');
      out.push({ file: relative(src, file), target, text: m[1]! });
    }
  }
  return out;
}

test('src/ layers import only from the layers before them; errors.ts from anywhere', () => {
  const all = imports();
  assert.ok(all.length > 100, `only ${all.length} imports seen: is the scan broken?`);
  const violations = all
    .filter(({ file, target }) => {
      const from = file.split('/')[0]!;
      const to = target.split('/')[0]!;
      if (!ORDER.includes(from)) return false; // src/index.ts, src/errors.ts
      if (target === 'errors.ts') return false;
      return !ORDER.includes(to) || ORDER.indexOf(to) > ORDER.indexOf(from);
    })
    .map(({ file, text }) => `${file} imports ${text}`);
  assert.deepEqual(violations, []);
  assert.deepEqual(all.filter(({ file }) => file === 'errors.ts'), [], 'src/errors.ts imports nothing');
});

test('src/pipeline: runtime imports no experiment or report, report no runtime internals, experiments no cli', () => {
  const part = (p: string): string | undefined => (p.startsWith('pipeline/') ? p.split('/')[1] : undefined);
  const violations: string[] = [];
  let checked = 0;
  for (const { file, target, text } of imports()) {
    const from = part(file);
    const to = part(target);
    if (!from || !to) continue;
    checked++;
    if (from === 'report' && to === 'runtime' && REPORT_MAY_IMPORT.includes(target.slice('pipeline/'.length))) continue;
    if (PIPELINE.indexOf(to) > PIPELINE.indexOf(from) || (from === 'report' && to === 'runtime')) violations.push(`${file} imports ${text}`);
  }
  assert.ok(checked > 50, `only ${checked} pipeline imports seen: is the scan broken?`);
  assert.deepEqual(violations, []);
});

test('no file in src/pipeline or src/cli is over 300 lines', () => {
  const long = [...sources(join(src, 'pipeline')), ...sources(join(src, 'cli'))]
    .map((f) => ({ f: relative(src, f), lines: readFileSync(f, 'utf8').split('\n').length - 1 }))
    .filter(({ lines }) => lines > 300);
  assert.deepEqual(long, []);
});
