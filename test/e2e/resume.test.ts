// Resumable batches, end to end through the compiled CLI (npm run test:e2e): SIGKILL and
// resume, damaged chunk files, changed configs, the directory lock, SIGINT/SIGTERM, and
// failing chunks. The runs that are killed or signalled are processes; the others run the
// CLI in this process (cli() below), which starts in milliseconds instead of a second. Every interrupted or repaired run must end with
// chunk files and results byte-identical to one uninterrupted run of the same config.
//
// Timing: real chunks are tiny (spectral sampler, N <= 24); the testing hook
// ERGO_TEST_CHUNK_DELAY_MS (test/helpers/hooked-cli.ts) makes a run slow enough to be killed
// mid-sweep on any machine; ERGO_TEST_FAIL_CHUNK makes one chunk throw.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { ergo, spawnCli as spawnCliWithFigures, tempDir, NO_FIGURES } from '../helpers/cli.js';
import type { Manifest } from '../../src/pipeline/runtime/manifest.js';

// 2 ensembles x 2 sizes x 4 chunks = 16 chunks.
const CONFIG = `name: resume
seed: 7
method: spectral
ensembles: [CUE, COE]
sizes: [16, 24]
matrices: 12
chunk: 3
delta: 0.5
`;
const TOTAL = 16;

function writeConfig(dir: string, text = CONFIG, file = 'run.yaml'): string {
  const path = join(dir, file);
  writeFileSync(path, text);
  return path;
}

function manifestOf(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
}

function doneCount(dir: string): number {
  try {
    return manifestOf(dir).chunks.filter((c) => c.state === 'done').length;
  } catch {
    return 0; // not written yet
  }
}

/** Every file of chunks/ and results/ (results.json, dse.csv, omega.csv), by relative path; not report.html, which states the run's own dates. */
function outputs(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const sub of ['chunks', 'results']) {
    for (const f of readdirSync(join(dir, sub)).filter((f) => f !== 'report.html').sort()) out.set(`${sub}/${f}`, readFileSync(join(dir, sub, f)));
  }
  return out;
}

function assertSameOutputs(dir: string, reference: Map<string, Buffer>, what: string): void {
  const got = outputs(dir);
  assert.deepEqual([...got.keys()], [...reference.keys()], `${what}: same set of files`);
  for (const [name, bytes] of reference) assert.ok(got.get(name)!.equals(bytes), `${what}: ${name} differs from the uninterrupted run`);
}

/** No temporaries, no lock, and every done chunk's file has the recorded size and checksum. */
function assertConsistent(dir: string): void {
  const m = manifestOf(dir);
  for (const d of [dir, join(dir, 'chunks')]) assert.deepEqual(readdirSync(d).filter((f) => f.endsWith('.tmp')), [], `no temporary files left in ${d}`);
  assert.ok(!existsSync(join(dir, 'run.lock')), 'lock released');
  for (const c of m.chunks) {
    if (c.state !== 'done') continue;
    assert.equal(statSync(join(dir, c.file)).size, c.bytes, `${c.id}: size as recorded`);
  }
}

function waitFor(pred: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  return new Promise((resolvePromise, reject) => {
    const tick = (): void => {
      if (pred()) return resolvePromise();
      if (Date.now() - t0 > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 25);
    };
    tick();
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout!.resume();
  return new Promise((r) => child.on('exit', (code, signal) => r({ code, signal, stderr })));
}

/**
 * The CLI in this process (helpers/cli.ts ergo(): the same runCli bin/ergo.js calls, output
 * captured, exit code returned), for the runs that are not the process under test: the
 * reference runs, resumes, repairs, refusals and status. Every run that is killed or
 * signalled is a real process (spawnCli), and so is the live lock holder. The in-process runs
 * compute on the main thread (--workers 0) unless a worker thread is the point (a failing chunk).
 */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return ergo(withoutFigures(args), { env });
}

/**
 * `ergo run` without the plots and the HTML page: what is compared here is chunks/ and
 * results/, and the figures are drawn from the same aggregates by the same code whether a run
 * was resumed or not (their tests are cli.outputs and report.*).
 */
function withoutFigures(args: string[]): string[] {
  return args[0] === 'run' ? [...args, ...NO_FIGURES] : args;
}

function spawnCli(args: string[], options: Parameters<typeof spawnCliWithFigures>[1] = {}): ChildProcess {
  return spawnCliWithFigures(withoutFigures(args), options);
}

// Tests are independent (own temporary directories) but run one at a time: they time kills
// against child processes, and the suite already runs two files at once on small machines.
describe('resumable runs', { concurrency: 1 }, () => {
  let reference: Map<string, Buffer>;
  let referenceDir: string;

  before(async () => {
    // The uninterrupted run every other run is compared with.
    referenceDir = tempDir();
    const cfg = writeConfig(referenceDir);
    const r = await cli(['run', cfg, '--out', join(referenceDir, 'out'), '--workers', '0']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`chunks: ${TOTAL} computed, 0 already done, 0 reused, 0 failed`));
    referenceDir = join(referenceDir, 'out');
    reference = outputs(referenceDir);
    assert.equal([...reference.keys()].filter((k) => k.startsWith('chunks/')).length, TOTAL);
    assert.ok(reference.has('results/results.json'));
  });

  test('SIGKILL mid-sweep, then rerun: chunk files and results byte-identical to an uninterrupted run', async () => {
    const dir = tempDir();
    const cfg = writeConfig(dir);
    const out = join(dir, 'out');
    // Two pool workers, so chunks are in flight in worker threads when the kill lands.
    const child = spawnCli(['run', cfg, '--out', out, '--workers', '2'], { env: { ERGO_TEST_CHUNK_DELAY_MS: '300' } });
    const ended = exited(child);
    await waitFor(() => doneCount(out) >= 1, 'the manifest to show a finished chunk');
    child.kill('SIGKILL');
    const k = await ended;
    assert.equal(k.signal, 'SIGKILL');
    // Files with their final name are complete (atomic rename); the manifest may lag behind them.
    const filesAtKill = readdirSync(join(out, 'chunks')).filter((f) => f.endsWith('.arrow')).length;
    const recorded = doneCount(out);
    assert.ok(recorded >= 1 && recorded <= filesAtKill && filesAtKill < TOTAL, `killed mid-sweep (${recorded} recorded, ${filesAtKill} files of ${TOTAL})`);
    assert.ok(existsSync(join(out, 'run.lock')), 'the killed run left its lock behind');

    const r = await cli(['run', cfg, '--out', out, '--workers', '0']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /took over a stale lock of pid \d+/);
    // Every complete file is kept (recorded ones verified, unrecorded ones adopted); only the rest is computed.
    assert.match(r.stderr, new RegExp(`chunks: ${TOTAL - filesAtKill} computed, ${filesAtKill} already done, 0 reused, 0 failed`));
    assertSameOutputs(out, reference, 'after SIGKILL and resume');
    assertConsistent(out);
  });

  test('SIGKILL while QR chunks are computing in worker threads (no testing hook): resume matches an uninterrupted run', async () => {
    // Real work only: Haar unitaries by QR at N = 48 and 96, 24 chunks of 2 matrices on 2 threads.
    const qr = `name: qr\nseed: 5\nmethod: qr\nensembles: [CUE, COE]\nsizes: [48, 96]\nmatrices: 12\nchunk: 2\n`;
    const dir = tempDir();
    const cfg = writeConfig(dir, qr);
    const ref = await cli(['run', cfg, '--out', join(dir, 'ref'), '--workers', '0']);
    assert.equal(ref.status, 0, ref.stderr);
    const out = join(dir, 'out');
    const child = spawnCli(['run', cfg, '--out', out, '--workers', '2']);
    const ended = exited(child);
    await waitFor(() => doneCount(out) >= 1, 'the manifest to show a finished chunk');
    child.kill('SIGKILL');
    assert.equal((await ended).signal, 'SIGKILL');
    const filesAtKill = readdirSync(join(out, 'chunks')).filter((f) => f.endsWith('.arrow')).length;
    assert.ok(filesAtKill >= 1 && filesAtKill < 24, `killed mid-sweep (${filesAtKill}/24 chunk files)`);
    const r = await cli(['run', cfg, '--out', out, '--workers', '0']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`chunks: ${24 - filesAtKill} computed, ${filesAtKill} already done`));
    assertSameOutputs(out, outputs(join(dir, 'ref')), 'QR sweep after SIGKILL and resume');
    assertConsistent(out);
  });

  test('truncated, corrupted and deleted chunk files are detected, recomputed and byte-identical afterwards', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    cpSync(referenceDir, out, { recursive: true });
    const cfg = writeConfig(dir);
    const files = manifestOf(out).chunks.map((c) => c.file);
    const [truncated, corrupted, deleted] = [files[1]!, files[6]!, files[11]!];
    truncateSync(join(out, truncated), Math.floor(statSync(join(out, truncated)).size / 2));
    const bytes = readFileSync(join(out, corrupted));
    bytes[bytes.length >> 1] ^= 0x40; // same size, one bit flipped
    writeFileSync(join(out, corrupted), bytes);
    writeFileSync(join(out, deleted), ''); // replaced by an empty file...
    const r0 = await cli(['run', cfg, '--out', out, '--workers', '0']);
    assert.equal(r0.status, 0, r0.stderr);
    const id = (f: string): string => f.replace(/^chunks\/|\.arrow$/g, '');
    assert.match(r0.stderr, new RegExp(`chunk ${id(truncated)}: size \\d+ bytes, expected \\d+; recomputing it`));
    assert.match(r0.stderr, new RegExp(`chunk ${id(corrupted)}: checksum mismatch; recomputing it`));
    assert.match(r0.stderr, new RegExp(`chunk ${id(deleted)}: size 0 bytes, expected \\d+; recomputing it`));
    assert.match(r0.stderr, /chunks: 3 computed, 13 already done, 0 reused, 3 recomputed \(damaged or missing\), 0 failed/);
    assertSameOutputs(out, reference, 'after repairing three chunks');

    // ...and a file that is gone altogether.
    rmSync(join(out, deleted));
    const r1 = await cli(['run', cfg, '--out', out, '--workers', '0']);
    assert.equal(r1.status, 0, r1.stderr);
    assert.match(r1.stderr, new RegExp(`chunk ${id(deleted)}: file missing; recomputing it`));
    assertSameOutputs(out, reference, 'after recomputing a missing chunk');
  });

  test('a chunk renamed into place whose manifest update was lost is adopted, not recomputed; temporaries are cleaned', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    cpSync(referenceDir, out, { recursive: true });
    const cfg = writeConfig(dir);
    // The crash window between rename and manifest write: file present, record still pending.
    const m = manifestOf(out);
    const rec = m.chunks[5]!;
    Object.assign(rec, { state: 'pending', attempts: 0 });
    delete rec.sha256;
    delete rec.bytes;
    writeFileSync(join(out, 'manifest.json'), JSON.stringify(m));
    writeFileSync(join(out, 'chunks', '.4242.abc.tmp'), 'half a chunk'); // a writer killed before its rename
    const r = await cli(['run', cfg, '--out', out, '--workers', '0']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /chunks: 0 computed, 16 already done/);
    assert.equal(manifestOf(out).chunks[5]!.sha256, createHash('sha256').update(readFileSync(join(out, rec.file))).digest('hex'));
    assertSameOutputs(out, reference, 'after adopting an unrecorded chunk');
    assertConsistent(out);
  });

  test('a changed data key is refused naming the keys; delta (aggregate only), retries and reuse are not changes; --fresh starts over', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    cpSync(referenceDir, out, { recursive: true });

    // delta shapes the aggregate, not the chunks: the run resumes and re-aggregates.
    const delta = writeConfig(dir, CONFIG.replace('delta: 0.5', 'delta: 0.25'), 'delta.yaml');
    const r1 = await cli(['run', delta, '--out', out, '--workers', '0']);
    assert.equal(r1.status, 0, r1.stderr);
    assert.match(r1.stderr, /chunks: 0 computed, 16 already done/);
    assert.equal(JSON.parse(readFileSync(join(out, 'results', 'results.json'), 'utf8')).delta, 0.25);
    const before = readFileSync(join(out, 'manifest.json'));

    const matrices = writeConfig(dir, CONFIG.replace('matrices: 12', 'matrices: 9'), 'matrices.yaml');
    const r1b = await cli(['run', matrices, '--out', out, '--workers', '0']);
    assert.equal(r1b.status, 2, r1b.stderr);
    assert.match(r1b.stderr, /holds a run of a different config \(changed: matrices\); use another --out directory, or --fresh/);

    const sizes = writeConfig(dir, CONFIG.replace('sizes: [16, 24]', 'sizes: [16, 32]').replace('seed: 7', 'seed: 8'), 'sizes.yaml');
    const r2 = await cli(['run', sizes, '--out', out, '--workers', '0']);
    assert.equal(r2.status, 2, r2.stderr);
    assert.match(r2.stderr, /\(changed: seed, sizes\)/);
    assert.ok(readFileSync(join(out, 'manifest.json')).equals(before), 'a refused run writes nothing');
    assert.ok(!existsSync(join(out, 'run.lock')));

    const retries = writeConfig(dir, CONFIG + 'retries: 5\n', 'retries.yaml');
    const r3 = await cli(['run', retries, '--out', out, '--workers', '0']);
    assert.equal(r3.status, 0, r3.stderr);
    assert.match(r3.stderr, /chunks: 0 computed, 16 already done/);

    const r4 = await cli(['run', sizes, '--out', out, '--workers', '0', '--fresh']);
    assert.equal(r4.status, 0, r4.stderr);
    assert.match(r4.stderr, /chunks: 16 computed, 0 already done/);
    const files = readdirSync(join(out, 'chunks'));
    assert.ok(files.every((f) => !f.includes('N0024')), 'old chunks are gone');
    assert.equal(files.filter((f) => f.includes('N0032')).length, 8);
    assert.equal(manifestOf(out).config.seed, 8);
  });

  test('a second run on a busy directory exits non-zero naming the lock holder; a stale lock is taken over', async () => {
    const dir = tempDir();
    const cfg = writeConfig(dir);
    const out = join(dir, 'out');
    // ~48 s unless killed (it is, below): the second CLI's start-up must not outlast it even
    // on a loaded machine (with 400 ms per chunk it once did and the test failed)
    const first = spawnCli(['run', cfg, '--out', out, '--workers', '1'], { env: { ERGO_TEST_CHUNK_DELAY_MS: '3000' } });
    const ended = exited(first);
    try {
      await waitFor(() => existsSync(join(out, 'run.lock')), 'the first run to lock');
      const second = await cli(['run', cfg, '--out', out, '--workers', '0']);
      assert.equal(second.status, 2, second.stderr);
      assert.match(second.stderr, new RegExp(`ergo: .*out is in use by another ergo run \\(pid ${first.pid} on ${hostname()}, started .*\\); wait for it to finish`));
      assert.equal(second.stderr.trim().split('\n').length, 1, 'one clear line');
      await waitFor(() => existsSync(join(out, 'manifest.json')), 'the manifest');
      const st = await cli(['status', out]);
      assert.match(st.stdout, new RegExp(`locked by pid ${first.pid} on ${hostname()}`));
    } finally {
      first.kill('SIGKILL');
      await ended;
    }

    // A lock of a process that does not exist (pids are below 2^22 on Linux) is stale.
    const stalePid = 2 ** 22 + 1234;
    writeFileSync(join(out, 'run.lock'), JSON.stringify({ pid: stalePid, host: hostname(), started: '2000-01-01T00:00:00.000Z' }));
    const r = await cli(['run', cfg, '--out', out, '--workers', '0']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`took over a stale lock of pid ${stalePid}`));
    assertSameOutputs(out, reference, 'after taking over a stale lock');
    assertConsistent(out);

    // A lock held on another host cannot be checked, so it is respected.
    writeFileSync(join(out, 'run.lock'), JSON.stringify({ pid: 1, host: 'elsewhere.example', started: '2000-01-01T00:00:00.000Z' }));
    const other = await cli(['run', cfg, '--out', out, '--workers', '0']);
    assert.equal(other.status, 2);
    assert.match(other.stderr, /in use by another ergo run \(pid 1 on elsewhere\.example/);
  });

  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    test(`${sig}: in-flight chunks finish, directory consistent, non-zero exit with a resume line; resuming gives identical bytes`, async () => {
      const dir = tempDir();
      const cfg = writeConfig(dir);
      const out = join(dir, 'out');
      const child = spawnCli(['run', cfg, '--out', out, '--workers', sig === 'SIGINT' ? '1' : '2'], { env: { ERGO_TEST_CHUNK_DELAY_MS: '250' } });
      const ended = exited(child);
      await waitFor(() => doneCount(out) >= 1, 'a finished chunk');
      const atSignal = doneCount(out);
      child.kill(sig);
      const r = await ended;
      assert.equal(r.code, 130, r.stderr);
      assert.match(r.stderr, new RegExp(`ergo: ${sig}: finishing the chunks in flight`));
      const line = /ergo: interrupted with (\d+)\/16 chunks done \(consistent\); resume with: ergo run (\S+) --out (\S+)/.exec(r.stderr);
      assert.ok(line, r.stderr);
      const done = doneCount(out);
      assert.equal(Number(line[1]), done);
      assert.ok(done >= atSignal && done < TOTAL, `stopped early: ${done} done (${atSignal} at the signal)`);
      assert.ok(!r.stderr.includes('FAILED'), 'in-flight chunks were not recorded as failed');
      assertConsistent(out);
      assert.ok(!existsSync(join(out, 'results')), 'no results from a partial run');

      // The printed command, run as printed (paths are relative to the cwd of the run).
      const again = await cli(['run', line[2]!, '--out', line[3]!, '--workers', '0']);
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stderr, new RegExp(`chunks: ${TOTAL - done} computed, ${done} already done`));
      assertSameOutputs(out, reference, `after ${sig} and resume`);
    });
  }

  test('a throwing chunk is retried `retries` times, then recorded failed; the rest finish; exit 1; status shows it', async () => {
    const dir = tempDir();
    const cfg = writeConfig(dir, CONFIG + 'retries: 2\n');
    const out = join(dir, 'out');
    const bad = 'COE-spectral-N0016-c002';
    const r = await cli(['run', cfg, '--out', out, '--workers', '1'], { ERGO_TEST_FAIL_CHUNK: bad });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`chunk ${bad} failed \\(attempt 1\\): injected failure .*; retrying`));
    assert.match(r.stderr, new RegExp(`chunk ${bad} failed \\(attempt 2\\): injected failure .*; retrying`));
    assert.doesNotMatch(r.stderr, /attempt 3\)/);
    assert.match(r.stderr, new RegExp(`chunk ${bad} FAILED: injected failure \\(test hook\\) on attempt 3`));
    assert.match(r.stderr, /chunks: 15 computed, 0 already done, 0 reused, 1 failed/);
    assert.match(r.stderr, /1 chunk\(s\) failed; results not aggregated; fix the cause and resume with: ergo run/);
    const m = manifestOf(out);
    const rec = m.chunks.find((c) => c.id === bad)!;
    assert.equal(rec.state, 'failed');
    assert.equal(rec.attempts, 3);
    assert.match(rec.error!, /injected failure/);
    assert.equal(m.chunks.filter((c) => c.state === 'done').length, 15);

    const s = await cli(['status', out]);
    assert.equal(s.status, 1, s.stderr);
    assert.match(s.stdout, /COE\/spectral N=16\s+3\s+0\s+1\s+9/);
    assert.match(s.stdout, /CUE\/spectral N=24\s+4\s+0\s+0\s+12/);
    assert.match(s.stdout, /total\s+15\s+0\s+1/);
    assert.match(s.stdout, new RegExp(`failed ${bad}: injected failure`));
    const js = JSON.parse((await cli(['status', out, '--json'])).stdout) as { totals: Record<string, number>; failed: { id: string }[] };
    assert.deepEqual(js.totals, { done: 15, pending: 0, failed: 1 });
    assert.deepEqual(js.failed.map((f) => f.id), [bad]);

    // Fixed: the rerun computes only the failed chunk and matches the reference.
    const again = await cli(['run', cfg, '--out', out, '--workers', '1']);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /chunks: 1 computed, 15 already done/);
    assertSameOutputs(out, reference, 'after rerunning a failed chunk');
    const ok = await cli(['status', out]);
    assert.equal(ok.status, 0);
    assert.match(ok.stdout, /total\s+16\s+0\s+0/);
  });

  test('a chunk that throws once succeeds on its retry and the run exits 0 with identical bytes', async () => {
    const dir = tempDir();
    const cfg = writeConfig(dir, CONFIG + 'retries: 1\n');
    const out = join(dir, 'out');
    const r = await cli(['run', cfg, '--out', out, '--workers', '0'], { ERGO_TEST_FAIL_CHUNK: 'CUE-spectral-N0024-c000:1' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /chunk CUE-spectral-N0024-c000 failed \(attempt 1\).*retrying/);
    assert.match(r.stderr, /chunks: 16 computed, 0 already done, 0 reused, 0 failed/);
    assertSameOutputs(out, reference, 'after a successful retry');
  });
});
