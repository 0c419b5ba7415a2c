// The committed expected numbers are reproducible: test/fixtures/synth_cpse.py (numpy only,
// no ergo code) is re-run and must give test/fixtures/synth-cpse.json, which the CLI and
// pipeline tests read. Its bristol transcription is checked against the reference package's
// own vanilla fixture. Needs python3 with numpy (a failure, not a skip, with ERGO_STRICT=1).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bristolFixtures } from './helpers/cli.js';
import { SYNTH_SCRIPT, synthExpected } from './helpers/expected.js';
import { testNeeding, numpyMissing, pythonEnv } from './helpers/resources.js';

/** Relative closeness, elementwise, of two number trees of the same shape. */
function closeTree(got: unknown, want: unknown, rtol: number, path: string): void {
  if (typeof want === 'number') {
    assert.equal(typeof got, 'number', path);
    assert.ok(Math.abs((got as number) - want) <= rtol * Math.abs(want), `${path}: ${got} vs ${want}`);
  } else if (Array.isArray(want)) {
    assert.ok(Array.isArray(got) && got.length === want.length, `${path}: length`);
    want.forEach((w, i) => closeTree((got as unknown[])[i], w, rtol, `${path}[${i}]`));
  } else if (want && typeof want === 'object') {
    assert.deepEqual(Object.keys(got as object).sort(), Object.keys(want).sort(), `${path}: keys`);
    for (const [k, w] of Object.entries(want)) closeTree((got as Record<string, unknown>)[k], w, rtol, `${path}.${k}`);
  } else assert.equal(got, want, path);
}

// 1e-12: another numpy/LAPACK build changes eigenvalues in the last bits only; the
// histogram counts behind d_layers are integers.
testNeeding(numpyMissing(), 'synth-cpse.json is what test/fixtures/synth_cpse.py computes with numpy', {}, () => {
  const out = JSON.parse(execFileSync('python3', [SYNTH_SCRIPT], { encoding: 'utf8', env: pythonEnv }));
  closeTree(out, synthExpected(), 1e-12, 'synth');
});

testNeeding(numpyMissing(), 'the script\'s bristol transcription reproduces the reference package\'s vanilla cPSE fixture exactly', {}, () => {
  const fixture = JSON.parse(readFileSync(join(bristolFixtures, 'f_cpse_vanilla_gauss64_x10.json'), 'utf8'));
  const out = JSON.parse(execFileSync('python3', [SYNTH_SCRIPT, '--vanilla-npz', join(bristolFixtures, 'inputs', 'f_gauss64_x10.npz')], { encoding: 'utf8', env: pythonEnv }));
  closeTree(out, { d: fixture.expected.d_layers, cpse: fixture.expected.cpse }, 1e-12, 'vanilla');
});
