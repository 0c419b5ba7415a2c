// Distributed runs through a real Redis (Debian's redis-server, started per test on a free
// loopback port): `ergo run --queue` coordinators and `ergo worker` processes. Every case
// checks the reproducibility contract: chunk files byte-identical to a local `--workers 2` run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { runCli, spawnCli, tempDir } from './helpers/cli.js';
import { testNeeding, redisMissing, modelsMissing } from './helpers/resources.js';
import { modelPath } from './helpers/models.js';
import { startRedis, type RedisServer } from './helpers/redis.js';
import { LOCK_DURATION_MS, STALLED_INTERVAL_MS } from '../src/pipeline/runtime/queueproto.js';
import { tinySweep2017 } from './helpers/sweep.js';

const SPECTRAL = tinySweep2017('q-spectral');
const QR = SPECTRAL.replace('name: q-spectral', 'name: q-qr').replace('method: spectral', 'method: qr').replace('sizes: [16, 32]', 'sizes: [8, 16]').replace('matrices: 8', 'matrices: 4');

function config(text: string): string {
  const file = join(tempDir('ergo-q-cfg-'), 'run.yaml');
  writeFileSync(file, text);
  return file;
}

interface Proc {
  proc: ChildProcess;
  out: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const proc = spawnCli(args, { env });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  return { proc, out: () => out, exit };
}

const worker = (redis: RedisServer, env: NodeJS.ProcessEnv = {}, threads = 1): Proc => start(['worker', '--queue', redis.url, '--threads', String(threads)], env);

async function until(what: string, ok: () => boolean, ms = 120_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopWorker(w: Proc): Promise<string> {
  w.proc.kill('SIGTERM');
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

const localRuns = new Map<string, string>();
function local(cfgText: string): string {
  if (!localRuns.has(cfgText)) {
    const out = tempDir('ergo-q-local-');
    const r = runCli(['run', config(cfgText), '--out', out, '--workers', '2'], { timeout: 300_000 });
    assert.equal(r.status, 0, r.stderr);
    localRuns.set(cfgText, out);
  }
  return localRuns.get(cfgText)!;
}

/** `ergo worker` lines "computing <id>" per chunk id. */
function computations(...logs: string[]): Map<string, number> {
  const n = new Map<string, number>();
  for (const log of logs) for (const m of log.matchAll(/\] computing (\S+) /g)) n.set(m[1]!, (n.get(m[1]!) ?? 0) + 1);
  return n;
}

const opts = { timeout: 600_000 };
const missing = redisMissing();

testNeeding(missing, 'the 2017 sweep (spectral) and a qr sweep through a coordinator and 2 workers: chunk files byte-identical to local --workers 2; the queue is removed at the end', opts, async () => {
  const redis = await startRedis();
  try {
    for (const cfg of [SPECTRAL, QR]) {
      const ws = [worker(redis, { ERGO_TEST_CHUNK_DELAY_MS: '100' }), worker(redis, { ERGO_TEST_CHUNK_DELAY_MS: '100' })]; // slowed a little, so both take jobs
      const out = tempDir('ergo-q-run-');
      const c = start(['run', config(cfg), '--out', out, '--queue', redis.url]);
      const { code } = await c.exit;
      assert.equal(code, 0, c.out());
      assert.match(c.out(), /computing on queue ergo-[0-9a-f]{20} on redis:\/\//);
      sameChunks(out, local(cfg), cfg.split('\n')[0]!);
      assert.ok(existsSync(join(out, 'results', 'results.json')));
      const logs = await Promise.all(ws.map(stopWorker));
      const counts = computations(...logs);
      assert.equal([...counts.values()].reduce((s, k) => s + k, 0), chunkFiles(out).size, 'each chunk computed once');
      assert.ok(logs.every((l) => /computing /.test(l)), 'both workers took jobs');
      // ergo status reads the run like a local one.
      const st = runCli(['status', out, '--json']);
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
    const out = tempDir('ergo-q-wkill-');
    const c = start(['run', config(QR), '--out', out, '--queue', redis.url]);
    const slow = worker(redis, { ERGO_TEST_CHUNK_DELAY_MS: '600000' }); // holds its first job forever
    await until('the slow worker to hold a job', () => /computing \S+/.test(slow.out()));
    const held = /computing (\S+)/.exec(slow.out())![1]!;
    slow.proc.kill('SIGKILL');
    await slow.exit;
    const killedAt = Date.now();
    const w = worker(redis);
    const { code } = await c.exit;
    const took = Date.now() - killedAt;
    assert.equal(code, 0, c.out());
    const log = await stopWorker(w);
    assert.equal(computations(log).get(held), 1, `the held chunk ${held} was computed by the other worker`);
    sameChunks(out, local(QR), 'after a worker kill');
    // Lock expiry + one stalled check, with generous slack for a loaded machine.
    assert.ok(took < LOCK_DURATION_MS + STALLED_INTERVAL_MS + 60_000, `completed ${took} ms after the kill`);
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
    const c1 = start(['run', cfg, '--out', out, '--queue', redis.url]);
    await until('a few chunks stored', () => existsSync(join(out, 'chunks')) && chunkFiles(out).size >= 3);
    c1.proc.kill('SIGKILL');
    await c1.exit;
    const before = chunkFiles(out).size;
    assert.ok(before < 24, 'killed mid-run');
    await new Promise((r) => setTimeout(r, 1500)); // the worker goes on with queued jobs meanwhile
    const c2 = start(['run', cfg, '--out', out, '--queue', redis.url]);
    const { code } = await c2.exit;
    assert.equal(code, 0, c2.out());
    assert.match(c2.out(), /\d+ chunk\(s\) were already on the queue .* adopted/);
    const counts = computations(await stopWorker(w));
    assert.equal(counts.size, 24);
    for (const [id, k] of counts) assert.equal(k, 1, `chunk ${id} computed ${k} times`);
    sameChunks(out, local(SPECTRAL), 'after a coordinator kill');
  } finally {
    await redis.stop();
  }
});

testNeeding(missing, 'Redis stopped mid-run: coordinator and worker say so in one line and exit 2; started again, the same command completes byte-identical', opts, async () => {
  const redis = await startRedis();
  try {
    const out = tempDir('ergo-q-down-');
    const cfg = config(SPECTRAL);
    const w = worker(redis, { ERGO_TEST_CHUNK_DELAY_MS: '300' });
    const c = start(['run', cfg, '--out', out, '--queue', redis.url]);
    await until('a few chunks stored', () => existsSync(join(out, 'chunks')) && chunkFiles(out).size >= 2);
    await redis.stop();
    const [cr, wr] = await Promise.all([c.exit, w.exit]);
    for (const [who, r, p] of [['coordinator', cr, c], ['worker', wr, w]] as const) {
      assert.equal(r.code, 2, `${who} exit code\n${p.out()}`);
      const errors = p.out().split('\n').filter((l) => l.startsWith('ergo:'));
      assert.equal(errors.length, 1, `${who}: one error line\n${p.out()}`);
      assert.match(errors[0]!, /lost Redis at redis:\/\/127\.0\.0\.1:\d+ .*rerun the same command/);
      assert.doesNotMatch(p.out(), /\n\s+at /, `${who}: no stack trace`);
    }
    await redis.start();
    const w2 = worker(redis);
    const c2 = start(['run', cfg, '--out', out, '--queue', redis.url]);
    const { code } = await c2.exit;
    assert.equal(code, 0, c2.out());
    await stopWorker(w2);
    sameChunks(out, local(SPECTRAL), 'after Redis was restarted');
  } finally {
    await redis.stop();
  }
});

testNeeding(missing, 'a worker of another ergo version refuses the run and computes nothing; a matching worker then completes it', opts, async () => {
  const redis = await startRedis();
  try {
    const out = tempDir('ergo-q-version-');
    const c = start(['run', config(QR), '--out', out, '--queue', redis.url]);
    const odd = worker(redis, { ERGO_TEST_VERSION: '9.9.9-test' });
    await until('the refusal', () => /refusing run q-qr/.test(odd.out()));
    assert.match(odd.out(), /the run needs ergo \S+ \(chunk format \S+\), this worker is ergo 9\.9\.9-test/);
    await new Promise((r) => setTimeout(r, 2000)); // it keeps polling: still nothing taken
    assert.doesNotMatch(await stopWorker(odd), /computing /);
    assert.deepEqual(existsSync(join(out, 'chunks')) ? [...chunkFiles(out).keys()] : [], [], 'nothing written');
    const w = worker(redis);
    const { code } = await c.exit;
    assert.equal(code, 0, c.out());
    await stopWorker(w);
    sameChunks(out, local(QR), 'after the refusal');
  } finally {
    await redis.stop();
  }
});

const NET = ['upscaler-default/model.json', 'upscaler-default/group1-shard1of1.bin'];
testNeeding(missing ?? modelsMissing(NET), 'ergo cpse of a real network through the queue gives the same JSON as a local run', opts, async () => {
  const redis = await startRedis();
  try {
    const file = modelPath(NET[0]!);
    const localRun = runCli(['cpse', file, '--json', '--cache', tempDir(), '--out', tempDir(), '--workers', '0'], { timeout: 300_000 });
    assert.equal(localRun.status, 0, localRun.stderr);
    const w = worker(redis, {}, 2);
    const q = start(['cpse', file, '--json', '--cache', tempDir(), '--out', tempDir(), '--queue', redis.url]);
    const { code } = await q.exit;
    assert.equal(code, 0, q.out());
    const log = await stopWorker(w);
    assert.ok(computations(log).size > 0, 'the worker computed the layers');
    const json = q.out().slice(q.out().indexOf('{'));
    assert.deepEqual(JSON.parse(json.slice(0, json.lastIndexOf('}') + 1)), JSON.parse(localRun.stdout));
  } finally {
    await redis.stop();
  }
});

test('--queue: a bad URL, --workers with --queue and --shard with --queue are refused in one line', () => {
  for (const [args, re] of [
    [['--queue', 'http://x:1'], /--queue: expected redis:\/\/HOST:PORT\[\/DB\]/],
    [['--queue', 'redis://127.0.0.1:1', '--workers', '2'], /--workers has no meaning with --queue/],
    [['--queue', 'redis://127.0.0.1:1', '--shard', '0/2'], /--shard and --queue/],
  ] as const) {
    const r = runCli(['run', config(QR), '--out', tempDir(), ...args]);
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
  const r = runCli(['run', config(QR), '--out', out, '--queue', `redis://127.0.0.1:${port}`]);
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
