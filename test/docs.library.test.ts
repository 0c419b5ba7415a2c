// docs/library.md: every code block is the code of test/docs/library-examples.ts (compiled
// by the build, so the examples type-check), and running them gives sensible results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir } from './helpers/cli.js';
import { safetensorsBytes, synthNetwork } from './helpers/weightfiles.js';

function docBlocks(): string[] {
  const md = readFileSync(join(repoRoot, 'docs', 'library.md'), 'utf8');
  return [...md.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!.trimEnd());
}

function exampleRegions(): string[] {
  const ts = readFileSync(join(repoRoot, 'test', 'docs', 'library-examples.ts'), 'utf8');
  return [...ts.matchAll(/\/\/ docs:begin [\w-]+\n([\s\S]*?)\/\/ docs:end/g)].map((m) => m[1]!.replaceAll("'../../src/index.js'", "'ergo'").trimEnd());
}

test('docs/library.md shows exactly the compiled examples', () => {
  const blocks = docBlocks();
  assert.equal(blocks.length, 3);
  assert.deepEqual(blocks, exampleRegions());
});

test('the library examples run: cPSE of own matrices and of a weights file, a sweep from code', async (t) => {
  const dir = tempDir('ergo-docs-');
  writeFileSync(join(dir, 'model.safetensors'), safetensorsBytes(synthNetwork(), 'F32'));
  const cwd = process.cwd();
  t.mock.method(console, 'log', () => {});
  process.chdir(dir);
  try {
    const { results } = await import('./docs/library-examples.js');
    assert.equal(results.own.dLayers.length, 2);
    assert.ok(Number.isFinite(results.own.cpse));
    // The synthetic network's cPSE: numpy, offline (test/cli.cpse.test.ts SYNTH_DEF), 7 layers.
    assert.ok(Math.abs(results.fromFile.cpse - -0.28100025496969777) < 1e-9, `cPSE ${results.fromFile.cpse}`);
    assert.equal(results.run.summary.computed, 2 * 2 * 2);
    assert.equal(results.run.report?.experiment, 'spectral-ergodicity');
  } finally {
    process.chdir(cwd);
  }
});
