// Bad input: non-zero exit, one clear line naming file/line/key, and nothing written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ergo, tempDir } from './helpers/cli.js';

const cases: { name: string; yaml: string; expect: RegExp }[] = [
  { name: 'malformed YAML', yaml: 'name: x\nsizes: [8, 16\nensembles: [CUE]\n', expect: /bad\.yaml:\d+: malformed YAML/ },
  { name: 'unknown ensemble', yaml: 'ensembles: [CUE, GUE]\nsizes: [8, 16]\n', expect: /bad\.yaml:1: ensembles\[1\]: expected one of CUE, COE, CSE \(got "GUE"\)/ },
  { name: 'unknown method', yaml: 'ensembles: [CUE]\nmethod: lapack\nsizes: [8]\n', expect: /bad\.yaml:2: method: expected one of qr, eigvec, spectral, bristol/ },
  { name: 'N < 2', yaml: 'ensembles: [CUE]\nsizes:\n  - 8\n  - 1\n', expect: /bad\.yaml:4: sizes\[1\]: must be >= 2 \(got 1\)/ },
  { name: 'M < 2', yaml: 'ensembles: [CUE]\nsizes: [8]\nmatrices: 1\n', expect: /bad\.yaml:3: matrices: must be >= 2 \(got 1\)/ },
  { name: 'seed list length', yaml: 'ensembles: [CUE]\nsizes: [8, 16]\nmatrices: 4\nchunk: 2\nseeds: [1, 2, 3]\n', expect: /seeds: the list has 3 entries but the plan has 4 chunks/ },
  { name: 'unknown key', yaml: 'ensembles: [CUE]\nsizes: [8]\nmatrix: 4\n', expect: /bad\.yaml:3: matrix: unknown key "matrix"/ },
  { name: 'wrong type', yaml: 'ensembles: [CUE]\nsizes: 8\n', expect: /bad\.yaml:2: sizes: expected array \(got 8\)/ },
];

for (const c of cases) {
  test(`bad config: ${c.name}`, async () => {
    const dir = tempDir();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, c.yaml);
    const out = join(dir, 'out');
    const r = await ergo(['run', file, '--out', out, '--workers', '0'], { cwd: dir });
    assert.equal(r.status, 2, `exit code (stderr: ${r.stderr})`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line, got: ${r.stderr}`);
    assert.match(lines[0]!, c.expect);
    assert.ok(!existsSync(out), 'no output directory was created');
    assert.deepEqual(readdirSync(dir).sort(), ['bad.yaml']);
  });
}

test('missing config file and bad --workers are one clear line', async () => {
  const r = await ergo(['run', '/nonexistent/x.yaml']);
  assert.equal(r.status, 2);
  assert.match(r.stderr.trim(), /^ergo: \/nonexistent\/x\.yaml: cannot read the config file \(ENOENT\)$/);
  const w = await ergo(['run', 'config/quickstart.yaml', '--workers', 'two']);
  assert.equal(w.status, 2);
  assert.match(w.stderr.trim(), /--workers: expected a whole number/);
});

test('--help lists every command with one line each', async () => {
  const r = await ergo(['--help']);
  assert.equal(r.status, 0);
  for (const cmd of ['run', 'analyze', 'status', 'datasets', 'export']) assert.match(r.stdout, new RegExp(`\\n  ${cmd} .+`));
});
