// Self-verifying data and I/O failures (issue 10, "Silent bad data" and the full disk of
// "Exhaustion and escapes"): every chunk file and cache entry carries a checksum of its values
// in its own metadata and is checked on every read; a failed check is reported and the data
// recomputed, never used; a full disk is one line, exit 2, and the run resumes.
// Child-process CLI tests run the compiled CLI (`npm run build` first); the full-disk tests run
// it in-process (runCli) to pass the write-failure hook.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Vector } from 'apache-arrow';
import { Table, Schema, makeVector, tableFromIPC, tableToIPC } from './helpers/arrow.js';
import { ergo, tempDir, NO_FIGURES } from './helpers/cli.js';
import { npyBytes } from './helpers/weightfiles.js';
import { runCli as runCliInProcess } from '../src/cli/main.js';
import type { SweepHooks } from '../src/pipeline/runtime/schedule.js';
import { CHECKSUM_KEY, valuesChecksum, valuesProblem, encodeChunk, decodeChunk } from '../src/pipeline/runtime/arrow.js';
import { StoreError, writeFileAtomic } from '../src/pipeline/files.js';
import { IoError, ioUserError, isIoFailure, IO_FAILURES } from '../src/pipeline/ioerrors.js';
import { UserError } from '../src/errors.js';
import { runFiles } from './helpers/rundir.js';

/** Rewrite an Arrow file with `edit` applied to its columns; `meta` edits the schema metadata (default: kept as is). */
function rewriteArrow(path: string, edit: (name: string, values: Float64Array | Int32Array) => void, meta?: (m: Map<string, string>) => void): void {
  const t = tableFromIPC(readFileSync(path));
  const cols: Record<string, Vector> = {};
  for (const f of t.schema.fields) {
    const values = (t.getChild(f.name)!.toArray() as Float64Array | Int32Array).slice();
    edit(f.name, values);
    cols[f.name] = makeVector(values);
  }
  const metadata = new Map(t.schema.metadata);
  meta?.(metadata);
  const base = new Table(cols);
  writeFileSync(path, tableToIPC(new Table(new Schema(base.schema.fields, metadata), base.batches), 'file'));
}

/** Flip one bit of the first stored theta value inside the file's bytes (Arrow framing intact). */
function flipByteOfFirstValue(path: string): void {
  const bytes = readFileSync(path);
  const theta0 = (tableFromIPC(bytes).getChild('theta')!.toArray() as Float64Array)[0]!;
  const at = bytes.indexOf(Buffer.from(new Float64Array([theta0]).buffer));
  assert.ok(at >= 0, 'first theta value found in the file');
  bytes[at]! ^= 0x01; // lowest mantissa byte: a tiny change no range check would notice
  writeFileSync(path, bytes);
}

/** A write hook failing like a full disk after `after` successful writes (a SweepHooks.beforeWrite). */
function diskFullAfter(after: number, code = 'ENOSPC'): SweepHooks {
  let writes = 0;
  return {
    beforeWrite: (path) => {
      if (writes++ < after) return;
      throw Object.assign(new Error(`${code}: injected write failure (test hook), write '${path}'`), { code, syscall: 'write', path });
    },
  };
}

/** The CLI in-process with buffered output (hooks passed through). */
async function cliInProcess(args: string[], hooks?: SweepHooks): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await runCliInProcess(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { ...process.env, ERGO_PROGRESS: 'log' },
    ...(hooks ? { hooks } : {}),
  });
  return { status, stdout, stderr };
}

describe('values checksum (unit)', () => {
  const data = { values: Float64Array.from([0.5, -1.25, 3]), matrix: Int32Array.from([0, 0, 1]) };
  const meta = { kind: 'eigenvalues' as const, identity: { kind: 'test' } };

  test('the checksum is SHA-256 of the column bytes in the documented order (value, matrix)', async () => {
    const expected = createHash('sha256').update(new Uint8Array(data.values.buffer)).update(new Uint8Array(data.matrix.buffer)).digest('hex');
    assert.equal(valuesChecksum(data), expected);
    const decoded = decodeChunk(encodeChunk(data, meta), 'x.arrow');
    assert.equal(decoded.metadata.get(CHECKSUM_KEY), expected);
    assert.deepEqual(decoded.values, data.values);
  });

  test('a changed value with the metadata intact fails decoding (StoreError, a UserError)', async () => {
    const path = join(tempDir(), 'x.arrow');
    writeFileSync(path, encodeChunk(data, meta));
    rewriteArrow(path, (name, v) => {
      if (name === 'value') v[1] = 0;
    });
    assert.throws(() => decodeChunk(readFileSync(path), path), (e: unknown) => e instanceof StoreError && e instanceof UserError && /do not match their checksum/.test(e.message));
  });

  test('a file without the checksum decodes (foreign files) but is reported as unverified', async () => {
    const path = join(tempDir(), 'x.arrow');
    writeFileSync(path, encodeChunk(data, meta));
    rewriteArrow(path, () => {}, (m) => m.delete(CHECKSUM_KEY));
    const decoded = decodeChunk(readFileSync(path), path);
    assert.match(valuesProblem(decoded) ?? '', /no ergo\.values_sha256 .*unverified/);
  });
});

describe('layer spectrum cache (ergo cpse)', () => {
  // One 6 x 9 layer with exactly representable entries.
  const a = Float64Array.from({ length: 54 }, (_, k) => ((k * 7) % 11) / 4 - 1);
  let dir: string;
  let model: string;
  before(async () => {
    dir = tempDir();
    model = join(dir, 'm.npy');
    writeFileSync(model, npyBytes(a, [6, 9]));
  });
  const cpse = async (cache: string, out: string) => await ergo(['cpse', model, '--json', '--cache', cache, '--out', join(dir, out), ...NO_FIGURES, '--workers', '0']);
  const layerFile = (cache: string) => join(cache, 'layers', readdirSync(join(cache, 'layers'))[0]!);

  test('tampered cache values (metadata intact) are reported and recomputed, not used as "cached"', async () => {
    const cache = join(dir, 'cache1');
    const first = await cpse(cache, 'o1');
    assert.equal(first.status, 0, first.stderr);
    assert.doesNotMatch(first.stderr, /from the cache/);
    const again = await cpse(cache, 'o2');
    assert.match(again.stderr, /chunks: 0 computed, 0 already done, 0 reused, 1 from the cache/, 'an intact entry is served from the cache');
    // The attack of issue 10: one eigenvalue set to 0, every metadata key left as it was.
    rewriteArrow(layerFile(cache), (name, v) => {
      if (name === 'value') v[v.length - 1] = 0;
    });
    const third = await cpse(cache, 'o3');
    assert.equal(third.status, 0, third.stderr);
    assert.match(third.stderr, /cache entry .*do not match their checksum.*recomputing it/);
    assert.match(third.stderr, /chunks: 1 computed, 0 already done, 0 reused, 0 failed/, 'the damaged entry is not used as cached');
    assert.deepEqual(JSON.parse(third.stdout), JSON.parse(first.stdout), 'recomputed values, not the tampered ones');
    const fourth = await cpse(cache, 'o4');
    assert.match(fourth.stderr, /1 from the cache/, 'the entry was rewritten intact');
    assert.doesNotMatch(fourth.stderr, /recomputing/);
  });

  test('a cache entry without a checksum (older ergo) is recomputed, and the notice says so', async () => {
    const cache = join(dir, 'cache2');
    assert.equal((await cpse(cache, 'p1')).status, 0);
    rewriteArrow(layerFile(cache), () => {}, (m) => m.delete(CHECKSUM_KEY));
    const r = await cpse(cache, 'p2');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /cache entry .*no ergo\.values_sha256 .*unverified; recomputing it/);
    assert.match(r.stderr, /chunks: 1 computed/);
  });

  test('a full disk while writing the spectrum cache: one line, exit 2', async () => {
    const r = await cliInProcess(['cpse', model, '--vanilla', '--cache', join(dir, 'cache3'), '--out', join(dir, 'q'), '--workers', '0'], diskFullAfter(0));
    assert.equal(r.status, 2, r.stderr);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('ergo:'));
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0]!, /^ergo: cannot write .*cache3.*: no space left on the device \(ENOSPC\); .*rerun the same command to resume$/);
  });
});

// 2 ensembles x 2 sizes x 2 chunks = 8 chunks of the exact CMV sampler (fast).
const CONFIG = `name: integrity
seed: 11
method: spectral
ensembles: [CUE, COE]
sizes: [8, 12]
matrices: 6
chunk: 3
`;

const files = runFiles;

function assertSameFiles(dir: string, ref: string, sub: string): void {
  const got = files(dir, sub);
  const want = files(ref, sub);
  assert.deepEqual([...got.keys()], [...want.keys()], `${sub}: same files`);
  for (const [name, bytes] of want) assert.ok(got.get(name)!.equals(bytes), `${sub}/${name} differs from a clean run`);
}

describe('run directories', () => {
  let root: string;
  let cfg: string;
  let reference: string;

  before(async () => {
    root = tempDir();
    cfg = join(root, 'run.yaml');
    writeFileSync(cfg, CONFIG);
    reference = join(root, 'reference');
    const r = await ergo(['run', cfg, '--out', reference, ...NO_FIGURES, '--workers', '0']);
    assert.equal(r.status, 0, r.stderr);
  });

  test('every chunk file carries the checksum of its values in its own metadata', async () => {
    for (const [name, bytes] of files(reference, 'chunks')) {
      const chunk = decodeChunk(bytes, name);
      assert.equal(chunk.metadata.get(CHECKSUM_KEY), valuesChecksum(chunk), name);
    }
  });

  test('a flipped byte in a chunk file, manifest deleted: detected, reported and recomputed', async () => {
    const out = join(root, 'flipped');
    assert.equal((await ergo(['run', cfg, '--out', out, ...NO_FIGURES, '--workers', '0'])).status, 0);
    flipByteOfFirstValue(join(out, 'chunks', 'COE-spectral-N0012-c001.arrow'));
    rmSync(join(out, 'manifest.json'));
    const r = await ergo(['run', cfg, '--out', out, ...NO_FIGURES, '--workers', '0']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /chunk COE-spectral-N0012-c001: .*do not match their checksum.*; recomputing it/);
    assert.match(r.stderr, /chunks: 1 computed, 7 already done, 0 reused, 1 recomputed/);
    assertSameFiles(out, reference, 'chunks');
    assertSameFiles(out, reference, 'results');
  });

  test('a chunk file without a checksum (older ergo), manifest deleted: unverified, so recomputed, and said', async () => {
    const out = join(root, 'old');
    assert.equal((await ergo(['run', cfg, '--out', out, ...NO_FIGURES, '--workers', '0'])).status, 0);
    rewriteArrow(join(out, 'chunks', 'CUE-spectral-N0008-c000.arrow'), () => {}, (m) => m.delete(CHECKSUM_KEY));
    rmSync(join(out, 'manifest.json'));
    const r = await ergo(['run', cfg, '--out', out, ...NO_FIGURES, '--workers', '0']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /chunk CUE-spectral-N0008-c000: no ergo\.values_sha256 .*unverified; recomputing it/);
    assertSameFiles(out, reference, 'chunks');
  });

  test('a full disk (ENOSPC on a write): one line, exit 2, and the same command then completes with the same bytes', async () => {
    const out = join(root, 'full');
    const args = ['run', cfg, '--out', out, ...NO_FIGURES, '--workers', '0'];
    const r = await cliInProcess(args, diskFullAfter(4)); // after 4 chunk files every write fails
    assert.equal(r.status, 2, r.stderr);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('ergo:'));
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0]!, /^ergo: cannot write .*: no space left on the device \(ENOSPC\); .*rerun the same command to resume$/);
    assert.doesNotMatch(r.stderr, /internal error|FAILED|failed/i);
    assert.deepEqual(readdirSync(join(out, 'chunks')).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
    assert.equal(readdirSync(join(out, 'chunks')).length, 4, 'the chunks written before the failure are kept');
    assert.ok(!existsSync(join(out, 'run.lock')), 'lock released');
    const again = await ergo(args);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /chunks: 4 computed, 4 already done/);
    assertSameFiles(out, reference, 'chunks');
    assertSameFiles(out, reference, 'results');
  });
});

describe('I/O failures as user errors (unit)', () => {
  test('each listed errno becomes a one-line IoError naming what, where and the resume', async () => {
    for (const code of ['ENOSPC', 'EACCES', 'EPERM', 'EROFS', 'EDQUOT']) {
      assert.ok(IO_FAILURES[code], code);
      const raw = Object.assign(new Error(`${code}: raw`), { code, syscall: 'open', path: '/runs/x/manifest.json' });
      assert.ok(isIoFailure(raw), code);
      const e = ioUserError(raw)!;
      assert.ok(e instanceof IoError && e instanceof UserError, code);
      assert.match(e.message, new RegExp(`^cannot open /runs/x/manifest\\.json: .*\\(${code}\\); .*rerun the same command to resume$`));
      assert.ok(!e.message.includes('\n'));
    }
    const other = Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    assert.equal(ioUserError(other), undefined, 'other errors stay what they are');
    assert.equal(isIoFailure(new Error('plain')), false);
  });

  test('writeFileAtomic turns a failed write into an IoError and leaves no temporary file', async () => {
    const dir = tempDir();
    const path = join(dir, 'a.json');
    assert.throws(() => writeFileAtomic(path, '{}', diskFullAfter(0, 'EDQUOT').beforeWrite), (e: unknown) => e instanceof IoError && e.code === 'EDQUOT' && e.path === path);
    assert.deepEqual(readdirSync(dir), [], 'the folder is as before');
  });
});
