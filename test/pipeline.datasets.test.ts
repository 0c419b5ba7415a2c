// Shareable eigenvalue datasets: the Arrow chunk schema and metadata (and that
// docs/datasets.md documents every column and key), reuse of another run's chunks by
// identity, `ergo datasets`, and `ergo export` to .npy (checked with numpy) and .csv.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from './helpers/arrow.js';
import { ergo, tempDir, repoRoot, NO_FIGURES } from './helpers/cli.js';
import { testNeeding, numpyMissing, pythonEnv } from './helpers/resources.js';
import { parseConfig } from '../src/pipeline/config/index.js';
import { InlineExecutor, type Executor } from '../src/pipeline/runtime/executor.js';
import { planRun, sweep, failChunk } from './helpers/sweep.js';
import type { Chunk } from '../src/pipeline/runtime/chunk.js';
import type { Manifest } from '../src/pipeline/runtime/manifest.js';
import { runFiles } from './helpers/rundir.js';

// A: 2 ensembles x sizes [16, 24] x 3 chunks (M = 9, chunk 3) = 12 chunks.
const A = `name: shared
seed: 11
method: spectral
ensembles: [CUE, CSE]
sizes: [16, 24]
matrices: 9
chunk: 3
`;

function manifestOf(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
}

const files = runFiles;

function assertSameFiles(a: string, b: string, sub: string): void {
  const fa = files(a, sub), fb = files(b, sub);
  assert.deepEqual([...fa.keys()], [...fb.keys()], `${sub}: same files`);
  for (const [name, bytes] of fa) assert.ok(bytes.equals(fb.get(name)!), `${sub}/${name} differs`);
}

/** Counts chunks the executor is actually asked to compute. */
class CountingExecutor implements Executor {
  readonly concurrency = 1;
  readonly description = 'counting';
  readonly ran: string[] = [];
  private inner = new InlineExecutor();
  async run(chunk: Chunk): Promise<Float64Array> {
    this.ran.push(chunk.id);
    return this.inner.run(chunk);
  }
  async close(): Promise<void> {}
}

let dirA: string;

before(async () => {
  const root = tempDir();
  writeFileSync(join(root, 'a.yaml'), A);
  dirA = join(root, 'a');
  const r = await ergo(['run', join(root, 'a.yaml'), '--out', dirA, ...NO_FIGURES, '--workers', '0']);
  assert.equal(r.status, 0, r.stderr);
});

test('chunk files: Arrow schema, column types and every metadata key; all documented in docs/datasets.md', async () => {
  const m = manifestOf(dirA);
  const rec = m.chunks.find((c) => c.id === 'CSE-spectral-N0024-c001')!;
  const table = tableFromIPC(readFileSync(join(dirA, rec.file)));
  assert.deepEqual(table.schema.fields.map((f) => f.name), ['matrix', 'theta', 're', 'im']);
  assert.deepEqual(table.schema.fields.map((f) => String(f.type)), ['Int32', 'Float64', 'Float64', 'Float64']);
  assert.ok(table.schema.fields.every((f) => !f.nullable || table.getChild(f.name)!.nullCount === 0), 'no nulls');
  assert.equal(table.numRows, 3 * 24, 'count x N rows');
  const meta = Object.fromEntries(table.schema.metadata);
  assert.deepEqual(meta, {
    'ergo.format': '1',
    'ergo.tool': 'ergo',
    'ergo.tool_version': JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version,
    'ergo.kind': 'eigenphases',
    'ergo.ensemble': 'CSE',
    'ergo.method': 'spectral',
    'ergo.n': '24',
    'ergo.chunk': '1',
    'ergo.chunk_size': '3',
    'ergo.count': '3',
    'ergo.first_matrix': '3',
    'ergo.seed': rec.identity.seed,
    'ergo.semantics': 'definition',
    // SHA-256 of the column bytes: theta, matrix, re, im (docs/datasets.md, "Integrity").
    'ergo.values_sha256': ['theta', 'matrix', 're', 'im']
      .reduce((h, c) => h.update(new Uint8Array((table.getChild(c)!.toArray() as Float64Array | Int32Array).slice().buffer)), createHash('sha256'))
      .digest('hex'),
  });
  // Matrix index runs over first_matrix .. first_matrix + count - 1, N values each.
  const matrix = Array.from(table.getChild('matrix')!.toArray() as Int32Array);
  assert.deepEqual(matrix, [3, 4, 5].flatMap((i) => Array(24).fill(i)));
  // re + i im is e^{i theta} exactly as Math.cos/Math.sin give it; theta in (-pi, pi].
  const theta = table.getChild('theta')!.toArray() as Float64Array;
  const re = table.getChild('re')!.toArray() as Float64Array;
  const im = table.getChild('im')!.toArray() as Float64Array;
  for (let i = 0; i < theta.length; i++) {
    assert.ok(theta[i]! > -Math.PI && theta[i]! <= Math.PI, `theta ${theta[i]} in (-pi, pi]`);
    assert.equal(re[i], Math.cos(theta[i]!));
    assert.equal(im[i], Math.sin(theta[i]!));
    // Ascending within each matrix (docs/datasets.md, "Order").
    if (i % 24 !== 0) assert.ok(theta[i - 1]! <= theta[i]!, `row ${i}: ascending within its matrix`);
  }
  const doc = readFileSync(join(repoRoot, 'docs', 'datasets.md'), 'utf8');
  for (const key of [...Object.keys(meta), 'ergo.reproduction_only', 'matrix', 'theta', 're', 'im', 'value']) {
    assert.ok(doc.includes(`\`${key}\``), `docs/datasets.md documents \`${key}\``);
  }
  for (const key of ['format', 'toolVersion', 'configHash', 'config', 'created', 'updated', 'chunks', 'id', 'file', 'identity', 'state', 'sha256', 'bytes', 'attempts', 'error', 'source']) {
    assert.ok(doc.includes(`\`${key}\``), `docs/datasets.md documents manifest field \`${key}\``);
  }
  for (const key of Object.keys(m)) assert.ok(doc.includes(`\`${key}\``), `manifest key ${key} documented`);
  for (const key of Object.keys(rec)) assert.ok(doc.includes(`\`${key}\``), `chunk record key ${key} documented`);
});

test('reuse through the CLI: the overlapping chunks are copied, not computed, and the run says how many', async () => {
  const root = tempDir();
  // B extends A by one size and one matrix per size (the last chunk of A's sizes has count 3, B's has 1 more chunk).
  const B = A.replace('sizes: [16, 24]', 'sizes: [16, 24, 32]').replace('matrices: 9', 'matrices: 10');
  writeFileSync(join(root, 'b.yaml'), `${B}reuse: [${JSON.stringify(dirA)}]\n`);
  writeFileSync(join(root, 'c.yaml'), B);
  const r = await ergo(['run', join(root, 'b.yaml'), '--out', join(root, 'b'), ...NO_FIGURES, '--workers', '0']);
  assert.equal(r.status, 0, r.stderr);
  // B has 2 x 3 x 4 = 24 chunks; identical identities: chunks 0-2 of N = 16 and 24 of both ensembles.
  assert.match(r.stderr, /\[ergo\] shared: 24 chunks, 12 already done, 12 to compute/);
  assert.match(r.stderr, new RegExp(`reused 12 chunks from ${dirA.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
  assert.match(r.stderr, /chunks: 12 computed, 0 already done, 12 reused, 0 failed/);
  const mb = manifestOf(join(root, 'b'));
  assert.deepEqual(
    mb.chunks.filter((c) => c.source === 'reused').map((c) => c.id).sort(),
    manifestOf(dirA).chunks.map((c) => c.id).sort(),
  );
  // Identical to computing B from scratch, chunk files and results alike.
  const c = await ergo(['run', join(root, 'c.yaml'), '--out', join(root, 'c'), ...NO_FIGURES, '--workers', '0']);
  assert.equal(c.status, 0, c.stderr);
  assert.match(c.stderr, /chunks: 24 computed, 0 already done, 0 reused/);
  assertSameFiles(join(root, 'b'), join(root, 'c'), 'chunks');
  assertSameFiles(join(root, 'b'), join(root, 'c'), 'results');
  // Reuse is not part of the config hash: B resumes fine without it, computing nothing.
  const again = await ergo(['run', join(root, 'c.yaml'), '--out', join(root, 'b'), ...NO_FIGURES, '--workers', '0']);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /chunks: 0 computed, 24 already done, 0 reused/);
});

test('reuse matches on identity only: another seed, chunk size or semantics reuses nothing; a damaged source is skipped', async () => {
  const cases: [string, string][] = [
    ['seed', A.replace('seed: 11', 'seed: 12')],
    ['chunk size', A.replace('chunk: 3', 'chunk: 2')],
    ['semantics', A + 'semantics: bristol\n'],
  ];
  for (const [what, yaml] of cases) {
    const cfg = parseConfig(`${yaml}reuse: [${JSON.stringify(dirA)}]\n`, 'x.yaml');
    const ex = new CountingExecutor();
    const s = await sweep(cfg, { outDir: tempDir(), executor: ex });
    assert.equal(s.reused, 0, `${what}: nothing reused`);
    assert.equal(ex.ran.length, planRun(cfg).chunks.length, `${what}: everything computed`);
  }
  // Same config, but one source chunk is damaged: the other 11 are reused, that one computed.
  const { truncateSync, statSync } = await import('node:fs');
  const src = tempDir();
  cpSync(dirA, src, { recursive: true });
  const victim = manifestOf(src).chunks[4]!;
  truncateSync(join(src, victim.file), statSync(join(src, victim.file)).size - 8);
  const cfg = parseConfig(`${A}reuse: [${JSON.stringify(src)}]\n`, 'x.yaml');
  const ex = new CountingExecutor();
  const notes: string[] = [];
  const out = tempDir();
  const s = await sweep(cfg, { outDir: out, executor: ex, onEvent: (e) => e.type === 'note' && notes.push(e.message) });
  assert.equal(s.reused, 11);
  assert.deepEqual(ex.ran, [victim.id]);
  assert.ok(notes.some((n) => n.includes(victim.file) && n.includes(`computing chunk ${victim.id} instead`)), notes.join('\n'));
  assertSameFiles(out, dirA, 'chunks');
});

test('ergo datasets lists run directories with their groups, sizes and completeness', async () => {
  const r = await ergo(['datasets', dirA]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /shared \(spectral-ergodicity, definition semantics, format 1, ergo \d+\.\d+\.\d+\), \d+\.\d\d MB/);
  for (const g of ['CUE/spectral N=16', 'CUE/spectral N=24', 'CSE/spectral N=16', 'CSE/spectral N=24']) {
    assert.match(r.stdout, new RegExp(`  ${g}: 9 matrices\\n`));
  }
  const js = (JSON.parse((await ergo(['datasets', join(dirA, '..'), '--json'])).stdout) as { datasets: { dir: string; groups: { complete: boolean }[] }[] }).datasets;
  assert.ok(js.some((d) => d.dir === dirA && d.groups.length === 4 && d.groups.every((g) => g.complete)));
  // A folder with a broken manifest is skipped with a message; the others are still listed.
  const root = tempDir();
  cpSync(dirA, join(root, 'good'), { recursive: true });
  mkdirSync(join(root, 'broken'));
  writeFileSync(join(root, 'broken', 'manifest.json'), '{ not json');
  const both = await ergo(['datasets', root]);
  assert.equal(both.status, 0, both.stderr);
  assert.match(both.stderr, /skipping .*broken: .*unreadable manifest/);
  assert.match(both.stdout, /good: shared \(/);
});

/** re/im/theta/matrix columns of one (ensemble, N) group, concatenated in chunk order, from the Arrow files. */
function arrowGroup(dir: string, ensemble: string, n: number): { matrix: number[]; theta: number[]; re: number[]; im: number[] } {
  const out = { matrix: [] as number[], theta: [] as number[], re: [] as number[], im: [] as number[] };
  const recs = manifestOf(dir).chunks.filter((c) => c.identity.ensemble === ensemble && c.identity.n === String(n));
  recs.sort((a, b) => Number(a.identity.chunk) - Number(b.identity.chunk));
  for (const rec of recs) {
    const t = tableFromIPC(readFileSync(join(dir, rec.file)));
    for (const k of ['matrix', 'theta', 're', 'im'] as const) out[k].push(...Array.from(t.getChild(k)!.toArray() as ArrayLike<number>));
  }
  return out;
}

testNeeding(numpyMissing(), 'ergo export --format npy: numpy.load reads complex128 (M, N) arrays equal to the Arrow re/im bit for bit', {}, async () => {
  const out = join(tempDir(), 'npy');
  const r = await ergo(['export', dirA, '--format', 'npy', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const names = readdirSync(out).sort();
  assert.deepEqual(names, ['CSE-spectral-N0016.npy', 'CSE-spectral-N0024.npy', 'CUE-spectral-N0016.npy', 'CUE-spectral-N0024.npy']);
  // numpy reports dtype, shape, and the exact bytes of the real and imaginary parts (hex).
  const script = `
import json, sys, numpy as np
res = {}
for f in sys.argv[1:]:
    a = np.load(f)
    res[f] = dict(dtype=str(a.dtype), shape=list(a.shape),
                  re=np.ascontiguousarray(a.real, dtype='<f8').tobytes().hex(),
                  im=np.ascontiguousarray(a.imag, dtype='<f8').tobytes().hex(),
                  maxdev=float(np.max(np.abs(np.abs(a) - 1))))
print(json.dumps(res))
`;
  const p = spawnSync('python3', ['-c', script, ...names.map((n) => join(out, n))], { encoding: 'utf8', env: pythonEnv });
  assert.equal(p.status, 0, p.stderr);
  const res = JSON.parse(p.stdout) as Record<string, { dtype: string; shape: number[]; re: string; im: string; maxdev: number }>;
  const hex = (xs: number[]): string => Buffer.from(new Float64Array(xs).buffer).toString('hex'); // little-endian hosts
  for (const name of names) {
    const [, ensemble, n] = /^(\w+)-spectral-N(\d+)\.npy$/.exec(name)!;
    const g = arrowGroup(dirA, ensemble!, Number(n));
    const got = res[join(out, name)]!;
    assert.equal(got.dtype, 'complex128');
    assert.deepEqual(got.shape, [9, Number(n)]);
    assert.equal(got.re, hex(g.re), `${name}: real parts equal the Arrow re column`);
    assert.equal(got.im, hex(g.im), `${name}: imaginary parts equal the Arrow im column`);
    assert.ok(got.maxdev < 1e-15, `${name}: unit modulus (max ||z| - 1| = ${got.maxdev})`);
    // Row i holds matrix i: the Arrow matrix column is i repeated N times.
    assert.deepEqual(g.matrix, Array.from({ length: 9 * Number(n) }, (_, k) => Math.floor(k / Number(n))));
  }
});

test('ergo export --format csv round-trips every value exactly, with the Arrow matrix index', async () => {
  const out = join(tempDir(), 'csv');
  const r = await ergo(['export', dirA, '--format', 'csv', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  for (const [ensemble, n] of [['CUE', 16], ['CSE', 24]] as const) {
    const text = readFileSync(join(out, `${ensemble}-spectral-N${String(n).padStart(4, '0')}.csv`), 'utf8');
    const [header, ...rows] = text.trimEnd().split('\n');
    assert.equal(header, 'matrix,theta,re,im');
    const g = arrowGroup(dirA, ensemble, n);
    assert.equal(rows.length, 9 * n);
    rows.forEach((row, i) => {
      const [m, th, re, im] = row.split(',').map(Number);
      assert.equal(m, g.matrix[i]);
      assert.ok(Object.is(th, g.theta[i]) && Object.is(re, g.re[i]) && Object.is(im, g.im[i]), `row ${i} round-trips`);
    });
  }
});

test('export of an unfinished run says which groups are incomplete and keeps true matrix indices', async () => {
  const cfg = parseConfig(A, 'a.yaml');
  const out = tempDir();
  // Fail chunk 0 of CUE N=16 so that group starts at matrix 3.
  const s = await sweep(cfg, { outDir: out, executor: new InlineExecutor(), hooks: failChunk('CUE-spectral-N0016-c000') });
  assert.equal(s.failed.length, 1);
  const r = await ergo(['export', out, '--format', 'csv']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /CUE-spectral-N0016: incomplete \(1 chunk\(s\) not done\); exported 6 matrices/);
  const rows = readFileSync(join(out, 'export', 'CUE-spectral-N0016.csv'), 'utf8').trimEnd().split('\n').slice(1);
  assert.equal(rows.length, 6 * 16);
  assert.equal(rows[0]!.split(',')[0], '3');
  assert.equal(rows.at(-1)!.split(',')[0], '8');
  assert.ok(existsSync(join(out, 'export', 'CSE-spectral-N0024.csv')));
  const bad = await ergo(['export', out, '--format', 'parquet']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--format: expected npy or csv, got "parquet"/);
});
