// Distributed runs through a real Redis (Debian's redis-server, started per test on a free
// loopback port): `ergo run --queue` coordinators and `ergo worker`s. Every case checks the
// reproducibility contract: chunk files byte-identical to a local run.
// Processes where the process is under test (the 2-worker sweep of issue 12, a SIGKILLed
// worker or coordinator, the exit codes when Redis goes away, a worker of another version,
// which is read once per process). Other roles run the same CLI code in this process
// (runCli; an AbortSignal in place of SIGTERM), saving a node start-up, a BullMQ load and,
// for a coordinator, a plotting library load each. Never an in-process worker beside an
// in-process coordinator: the coordinator's synchronous work (chunk files, plots) would
// starve the worker's Redis watchdog on the shared event loop.
// The queue's waits are shortened where a test waits for them (ERGO_QUEUE_*, docs/distributed.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ergo, repoRoot, spawnCli, tempDir, NO_FIGURES } from './helpers/cli.js';
import { hooksFromEnv } from './helpers/hooks.js';
import { testNeeding, redisMissing, modelsMissing } from './helpers/resources.js';
import { modelPath } from './helpers/models.js';
import { startRedis, type RedisServer } from './helpers/redis.js';
import { runCli as runCliInProcess } from '../src/cli/main.js';
import { tinySweep2017 } from './helpers/sweep.js';

const SPECTRAL = tinySweep2017('q-spectral');
const QR = SPECTRAL.replace('name: q-spectral', 'name: q-qr').replace('method: spectral', 'method: qr').replace('sizes: [16, 32]', 'sizes: [8, 16]').replace('matrices: 8', 'matrices: 4');

function config(text: string): string {
  const file = join(tempDir('ergo-q-cfg-'), 'run.yaml');
  writeFileSync(file, text);
  return file;
}

/** An `ergo` running: a process, or the same CLI in this process. */
interface Proc {
  out: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM for a process; its AbortSignal for an in-process run (the same stop path). */
  stop: () => void;
  /** SIGKILL (processes only). */
  kill: () => void;
}

/** Workers look for new runs every 200 ms instead of every second (ERGO_QUEUE_POLL_MS). */
const FAST_POLL: NodeJS.ProcessEnv = { ERGO_QUEUE_POLL_MS: '200' };

function start(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const proc = spawnCli(args, { env: { ...FAST_POLL, ...env } });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  return { out: () => out, exit, stop: () => proc.kill('SIGTERM'), kill: () => proc.kill('SIGKILL') };
}

/** The same command in this process (ERGO_TEST_* hooks and ERGO_QUEUE_* waits read from `env`, as ergo() does). */
function startHere(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const ac = new AbortController();
  let out = '';
  const sink = { write: (s: string) => (out += s) };
  const full = { ...process.env, ERGO_PROGRESS: 'log', ...FAST_POLL, ...env };
  const hooks = hooksFromEnv(full);
  const exit = runCliInProcess(args, { stdout: sink, stderr: sink, env: full, cwd: repoRoot, interrupt: ac.signal, ...(hooks ? { hooks } : {}) }).then((code) => ({ code, signal: null }));
  return { out: () => out, exit, stop: () => ac.abort(), kill: () => assert.fail('an in-process run cannot be killed') };
}

const workerArgs = (redis: RedisServer, threads = 1): string[] => ['worker', '--queue', redis.url, '--threads', String(threads)];
/** An `ergo worker` process. */
const worker = (redis: RedisServer, env: NodeJS.ProcessEnv = {}, threads = 1): Proc => start(workerArgs(redis, threads), env);
/**
 * `ergo worker` in this process. Its Redis watchdog shares this process's event loop, so it
 * waits 30 s (not 5 s) before it calls Redis lost, unless the test sets ERGO_QUEUE_GRACE_MS.
 */
const workerHere = (redis: RedisServer, env: NodeJS.ProcessEnv = {}, threads = 1): Proc => startHere(workerArgs(redis, threads), { ERGO_QUEUE_GRACE_MS: '30000', ...env });

async function until(what: string, ok: () => boolean, ms = 120_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stopWorker(w: Proc): Promise<string> {
  w.stop();
  const { code } = await w.exit;
  assert.equal(code, 0, `worker exit code\n${w.out()}`);
  return w.out();
}

function chunkFiles(dir: string): Map<string, Buffer> {
  const d = join(dir, 'chunks');
  return new Map(readdirSync(d).filter((f) => f.endsWith('.arrow')).sort().map((f) => [f, readFileSync(join(d, f))]));
}

function sameChunks(got: string, want: string, what: string): void {
  const a = chunkFiles(got);
  const b = chunkFiles(want);
  assert.deepEqual([...a.keys()], [...b.keys()], `${what}: chunk file names`);
  for (const [f, bytes] of b) assert.ok(a.get(f)!.equals(bytes), `${what}: ${f} differs from the local run's`);
}

/** The local run of a config (in this process, on its main thread: the reference, not what is under test), made once per file. */
const localRuns = new Map<string, Promise<string>>();
function local(cfgText: string): Promise<string> {
  if (!localRuns.has(cfgText)) {
    const out = tempDir('ergo-q-local-');
    localRuns.set(cfgText, ergo(['run', config(cfgText), '--out', out, ...NO_FIGURES, '--workers', '0']).then((r) => {
      assert.equal(r.status, 0, r.stderr);
      return out;
    }));
  }
  return localRuns.get(cfgText)!;
}

/** `ergo worker` lines "computing <id> (run <queue>)" per chunk id (of one queue, when given). */
function computations(logs: string[], queue?: string): Map<string, number> {
  const n = new Map<string, number>();
  for (const log of logs) {
    for (const m of log.matchAll(/\] computing (\S+) \(run (\S+)\)/g)) if (!queue || m[2] === queue) n.set(m[1]!, (n.get(m[1]!) ?? 0) + 1);
  }
  return n;
}

/** The queue a coordinator says it computes on. */
function queueOf(coordinatorLog: string): string {
  const m = /computing on queue (ergo-[0-9a-f]{20}) on redis:\/\//.exec(coordinatorLog);
  assert.ok(m, `the coordinator names its queue:\n${coordinatorLog}`);
  return m[1]!;
}

const opts = { timeout: 600_000 };
const missing = redisMissing();

testNeeding(missing, 'the 2017 sweep (spectral) and a qr sweep through a coordinator and 2 worker processes: chunk files byte-identical to a local run; the queue is removed at the end', opts, async () => {
  const redis = await startRedis();
  try {
    // The local references first (in this process, before any coordinator: their synchronous
    // work must not starve a coordinator's Redis watchdog on the shared event loop).
    const wants = await Promise.all([SPECTRAL, QR].map(local));
    // The two runs one after the other, coordinated in this process, served by the same two
    // worker processes (each run's computations are told apart by its queue).
    const ws = [worker(redis, { ERGO_TEST_CHUNK_DELAY_MS: '100' }), worker(redis, { ERGO_TEST_CHUNK_DELAY_MS: '100' })]; // slowed a little, so both take jobs
    await until('both workers to be ready', () => ws.every((w) => /waiting for runs/.test(w.out()))); // neither joins late on a loaded machine
    const runs = [];
    for (const [i, cfg] of [SPECTRAL, QR].entries()) {
      const out = tempDir('ergo-q-run-');
      const c = startHere(['run', config(cfg), '--out', out, ...NO_FIGURES, '--queue', redis.url]);
      const { code } = await c.exit;
      assert.equal(code, 0, c.out());
      runs.push({ cfg, out, c, want: wants[i]! });
    }
    const logs = await Promise.all(ws.map(stopWorker));
    for (const { cfg, out, c, want } of runs) {
      const what = cfg.split('\n')[0]!;
      const queue = queueOf(c.out());
      sameChunks(out, want, what);
      assert.ok(existsSync(join(out, 'results', 'results.json')));
      const counts = computations(logs, queue);
      assert.equal([...counts.values()].reduce((s, k) => s + k, 0), chunkFiles(out).size, `${what}: each chunk computed once`);
      assert.deepEqual([...counts.keys()].sort(), [...chunkFiles(out).keys()].map((f) => f.replace(/\.arrow$/, '')).sort(), `${what}: the chunks computed are the run's`);
      assert.ok(logs.every((l) => computations([l], queue).size > 0), `${what}: both workers took jobs`);
      // ergo status reads the run like a local one.
      const st = await ergo(['status', out, '--json']);
      assert.equal(st.status, 0, st.stderr);
      assert.equal(JSON.parse(st.stdout).totals.done, chunkFiles(out).size);
    }
    // Finished runs leave no queue keys behind (jobs removed, registry cleared).
    const { Redis } = await import('ioredis');
    const client = new Redis(redis.port, '127.0.0.1');
    try {
      assert.deepEqual(await client.keys('*'), []);
    } finally {
      client.disconnect();
    }
  } finally {
    await redis.stop();
  }
});

testNeeding(missing, 'a worker SIGKILLed while it holds a job: the run completes, byte-identical, once the stalled-job check requeues the job', opts, async () => {
  const redis = await startRedis();
  try {
    // Short waits where this test waits for them: the killed worker's lock (1 s instead of
    // 10 s) and the stalled-job check (every 0.5 s instead of 5 s; both workers, since a
    // check holds off the others for its interval). The worker that completes the run keeps
    // the default lock, so a loaded machine cannot make it lose its own jobs.
    const LOCK_MS = 1000;
    const STALLED_MS = 500;
    const out = tempDir('ergo-q-wkill-');
    const c = startHere(['run', config(QR), '--out', out, ...NO_FIGURES, '--queue', redis.url]);
    const slow = worker(redis, { ERGO_TEST_CHUNK_DELAY_MS: '600000', ERGO_QUEUE_LOCK_MS: String(LOCK_MS), ERGO_QUEUE_STALLED_MS: String(STALLED_MS) }); // holds its first job forever
    await until('the slow worker to hold a job', () => /computing \S+/.test(slow.out()));
    const held = /computing (\S+)/.exec(slow.out())![1]!;
    slow.kill();
    await slow.exit;
    const killedAt = Date.now();
    const w = worker(redis, { ERGO_QUEUE_STALLED_MS: String(STALLED_MS) });
    const { code } = await c.exit;
    const took = Date.now() - killedAt;
    assert.equal(code, 0, c.out());
    const log = await stopWorker(w);
    assert.match(log, /stalled jobs requeued after 10 s \(checked every 0\.5 s\)/, 'the worker took ERGO_QUEUE_STALLED_MS');
    assert.equal(computations([log]).get(held), 1, `the held chunk ${held} was computed by the other worker`);
    sameChunks(out, await local(QR), 'after a worker kill');
    // Lock expiry + at most two stalled checks, with generous slack for a loaded machine.
    assert.ok(took < LOCK_MS + 2 * STALLED_MS + 60_000, `completed ${took} ms after the kill`);
  } finally {
    await redis.stop();
  }
});

testNeeding(missing, 'the coordinator SIGKILLed mid-run, then rerun: it adopts the queued and finished jobs, completes byte-identical, no chunk computed twice', opts, async () => {
  const redis = await startRedis();
  try {
    const out = tempDir('ergo-q-ckill-');
    const cfg = config(SPECTRAL);
    const w = worker(redis, { ERGO_TEST_CHUNK_DELAY_MS: '150' });
    const c1 = start(['run', cfg, '--out', out, ...NO_FIGURES, '--queue', redis.url]);
    await until('a few chunks stored', () => existsSync(join(out, 'chunks')) && chunkFiles(out).size >= 3);
    c1.kill();
    await c1.exit;
    const before = chunkFiles(out).size;
    assert.ok(before < 24, 'killed mid-run');
    // The worker goes on with queued jobs meanwhile: wait until it finishes one with no coordinator there.
    const doneLines = (): number => (w.out().match(/\] done /g) ?? []).length;
    const doneAtKill = doneLines();
    await until('a job finished with no coordinator', () => doneLines() > doneAtKill || doneLines() === 24);
    const c2 = startHere(['run', cfg, '--out', out, ...NO_FIGURES, '--queue', redis.url]);
    const { code } = await c2.exit;
    assert.equal(code, 0, c2.out());
    assert.match(c2.out(), /\d+ chunk\(s\) were already on the queue .* adopted/);
    const counts = computations([await stopWorker(w)]);
    assert.equal(counts.size, 24);
    for (const [id, k] of counts) assert.equal(k, 1, `chunk ${id} computed ${k} times`);
    sameChunks(out, await local(SPECTRAL), 'after a coordinator kill');
  } finally {
    await redis.stop();
  }
});

testNeeding(missing, 'Redis stopped mid-run: coordinator and worker say so in one line and exit 2; started again, the same command completes byte-identical', opts, async () => {
  const redis = await startRedis();
  try {
    const out = tempDir('ergo-q-down-');
    const cfg = config(SPECTRAL);
    // Give up after 2 s without Redis instead of 5 s (ERGO_QUEUE_GRACE_MS).
    const GRACE: NodeJS.ProcessEnv = { ERGO_QUEUE_GRACE_MS: '2000' };
    const w = workerHere(redis, { ...GRACE, ERGO_TEST_CHUNK_DELAY_MS: '300' });
    const c = start(['run', cfg, '--out', out, ...NO_FIGURES, '--queue', redis.url], GRACE);
    await until('a few chunks stored', () => existsSync(join(out, 'chunks')) && chunkFiles(out).size >= 2);
    await redis.stop();
    const [cr, wr] = await Promise.all([c.exit, w.exit]);
    for (const [who, r, p] of [['coordinator', cr, c], ['worker', wr, w]] as const) {
      assert.equal(r.code, 2, `${who} exit code\n${p.out()}`);
      const errors = p.out().split('\n').filter((l) => l.startsWith('ergo:'));
      assert.equal(errors.length, 1, `${who}: one error line\n${p.out()}`);
      assert.match(errors[0]!, /lost Redis at redis:\/\/127\.0\.0\.1:\d+ .*for 2 s.*rerun the same command/);
      assert.doesNotMatch(p.out(), /\n\s+at /, `${who}: no stack trace`);
    }
    await redis.start();
    const w2 = worker(redis);
    const c2 = startHere(['run', cfg, '--out', out, ...NO_FIGURES, '--queue', redis.url]);
    const { code } = await c2.exit;
    assert.equal(code, 0, c2.out());
    await stopWorker(w2);
    sameChunks(out, await local(SPECTRAL), 'after Redis was restarted');
  } finally {
    await redis.stop();
  }
});

testNeeding(missing, 'a worker of another ergo version refuses the run and computes nothing; a matching worker then completes it', opts, async () => {
  const redis = await startRedis();
  try {
    const out = tempDir('ergo-q-version-');
    const c = startHere(['run', config(QR), '--out', out, ...NO_FIGURES, '--queue', redis.url]);
    const odd = worker(redis, { ERGO_TEST_VERSION: '9.9.9-test' }); // a process: the version is read once per process
    await until('the refusal', () => /refusing run q-qr/.test(odd.out()));
    assert.match(odd.out(), /the run needs ergo \S+ \(chunk format \S+\), this worker is ergo 9\.9\.9-test/);
    await new Promise((r) => setTimeout(r, 1000)); // it keeps polling (every 200 ms here: ~5 polls): still nothing taken
    assert.doesNotMatch(await stopWorker(odd), /computing /);
    assert.deepEqual(existsSync(join(out, 'chunks')) ? [...chunkFiles(out).keys()] : [], [], 'nothing written');
    const w = worker(redis);
    const { code } = await c.exit;
    assert.equal(code, 0, c.out());
    await stopWorker(w);
    sameChunks(out, await local(QR), 'after the refusal');
  } finally {
    await redis.stop();
  }
});

const NET = ['upscaler-default/model.json', 'upscaler-default/group1-shard1of1.bin'];
testNeeding(missing ?? modelsMissing(NET), 'ergo cpse of a real network through the queue gives the same JSON as a local run', opts, async () => {
  const redis = await startRedis();
  try {
    const file = modelPath(NET[0]!);
    const localRun = await ergo(['cpse', file, '--json', '--cache', tempDir(), '--out', tempDir(), ...NO_FIGURES, '--workers', '0']);
    assert.equal(localRun.status, 0, localRun.stderr);
    const w = worker(redis, {}, 2);
    const q = await ergo(['cpse', file, '--json', '--cache', tempDir(), '--out', tempDir(), ...NO_FIGURES, '--queue', redis.url]);
    assert.equal(q.status, 0, q.stderr);
    const log = await stopWorker(w);
    assert.ok(computations([log]).size > 0, 'the worker computed the layers');
    assert.deepEqual(JSON.parse(q.stdout), JSON.parse(localRun.stdout));
  } finally {
    await redis.stop();
  }
});

test('--queue: a bad URL, --workers with --queue and --shard with --queue are refused in one line', async () => {
  for (const [args, re] of [
    [['--queue', 'http://x:1'], /--queue: expected redis:\/\/HOST:PORT\[\/DB\]/],
    [['--queue', 'redis://127.0.0.1:1', '--workers', '2'], /--workers has no meaning with --queue/],
    [['--queue', 'redis://127.0.0.1:1', '--shard', '0/2'], /--shard and --queue/],
  ] as const) {
    const r = await ergo(['run', config(QR), '--out', tempDir(), ...args]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('--queue with no Redis listening: one line naming the server, exit 2, nothing computed', async () => {
  const srv = (await import('node:net')).createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const out = tempDir();
  const r = await ergo(['run', config(QR), '--out', out, '--queue', `redis://127.0.0.1:${port}`]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${port}`));
  assert.ok(!existsSync(join(out, 'chunks')) || readdirSync(join(out, 'chunks')).length === 0);
});

test('redis-server off PATH: the distributed tests fail in strict mode instead of skipping', async () => {
  const { spawnSync } = await import('node:child_process');
  const { symlinkSync } = await import('node:fs');
  const { pathToFileURL } = await import('node:url');
  const { repoRoot } = await import('./helpers/cli.js');
  const bin = tempDir('ergo-path-');
  symlinkSync(process.execPath, join(bin, 'node')); // a PATH with node only
  const url = pathToFileURL(join(repoRoot, 'dist', 'test', 'helpers', 'resources.js')).href;
  const src = `import { testNeeding, redisMissing } from ${JSON.stringify(url)};\ntestNeeding(redisMissing(), 'queue check', {}, () => {});`;
  const env: NodeJS.ProcessEnv = { ...process.env, ERGO_STRICT: '1', PATH: bin };
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', src], { encoding: 'utf8', env, timeout: 60_000 });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /required resource is missing: redis-server is not installed/);
});
