// Bench rows for distributed runs (bench.ts job `queue-2017-qr`; run alone with
// `npm run bench -- --only queue`): the 2017 qr sweep, CUE only (N = 64 ... 1024, M = 40),
// locally with `--workers 2`, then through a Redis queue (a redis-server started here on a
// free loopback port, without persistence) with 2 `ergo worker --threads 1` processes on this
// machine. Both use the same 2 cores, so the difference is the queue's cost: per chunk,
// (queue wall - local wall) / chunks. The chunk files are compared byte for byte. On a loaded
// machine the sweep's difference drowns in noise, so the same is measured on 200 one-matrix
// chunks of order 8 (no compute to speak of): that difference is the per-chunk overhead.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRedis } from './redis-server.js';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

export interface QueueMeasure {
  times?: number[];
  median?: number;
  error?: string;
  rssKB?: number;
}

export interface QueueContext {
  root: string;
  scratch: string;
  ergo: string;
  quick: boolean;
  timeoutMs: number;
  ergoCli: (reps: number, timeoutMs: number, args: (rep: number) => string[]) => Promise<QueueMeasure>;
}


function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  const done = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  return done;
}

function sameChunks(a: string, b: string): string {
  const names = (d: string) => readdirSync(join(d, 'chunks')).filter((f) => f.endsWith('.arrow')).sort();
  const na = names(a);
  if (na.join() !== names(b).join()) return 'chunk file names differ';
  const diff = na.filter((f) => !readFileSync(join(a, 'chunks', f)).equals(readFileSync(join(b, 'chunks', f))));
  return diff.length ? `${diff.length} chunk files differ` : `all ${na.length} chunk files byte-identical`;
}

const TINY_CHUNKS = 200;

export async function queueRows(ctx: QueueContext): Promise<object[]> {
  const raw = parseYaml(readFileSync(join(ctx.root, 'config/spectral-ergodicity-2017-qr.yaml'), 'utf8')) as Record<string, unknown>;
  raw['name'] = 'bench-2017-qr-cue-queue';
  raw['ensembles'] = ['CUE'];
  if (ctx.quick) {
    raw['sizes'] = [64, 128];
    raw['plot'] = { eigenphaseSize: 128 };
  }
  const file = join(ctx.scratch, 'bench-2017-qr-cue-queue.yaml');
  writeFileSync(file, stringifyYaml(raw));
  const sizes = raw['sizes'] as number[];
  const chunks = sizes.length * Math.ceil(Number(raw['matrices']) / Number(raw['chunk']));
  const section = `2017 qr sweep, CUE only (N = ${sizes.join(', ')}; M = ${String(raw['matrices'])}; ${chunks} chunks): local vs a Redis queue, same 2 cores`;
  const localDir = join(ctx.scratch, 'queue-local');
  const queueDir = join(ctx.scratch, 'queue-queue');
  const local = await ctx.ergoCli(1, ctx.timeoutMs, () => ['run', file, '--fresh', '--quiet', '--workers', '2', '--out', localDir]);

  if (spawnSync('redis-server', ['--version']).status !== 0) {
    return [{ section, what: 'local', impl: 'ergo run --workers 2', runs: '1 rep', ergo: local }, { section, what: 'queue', impl: 'ergo run --queue', runs: '', ergo: { error: 'redis-server is not installed' } }];
  }
  const redis = await startRedis();
  const url = redis.url;
  const workers: ChildProcess[] = [];
  try {
    for (let i = 0; i < 2; i++) workers.push(spawn(process.execPath, [ctx.ergo, 'worker', '--queue', url, '--threads', '1'], { stdio: 'ignore' }));
    await new Promise((r) => setTimeout(r, 3000)); // the workers start up (not counted: they serve many runs)
    const queue = await ctx.ergoCli(1, ctx.timeoutMs, () => ['run', file, '--fresh', '--quiet', '--queue', url, '--out', queueDir]);
    const tinyFile = join(ctx.scratch, 'bench-queue-overhead.yaml');
    writeFileSync(tinyFile, stringifyYaml({ name: 'bench-queue-overhead', seed: 1, semantics: 'definition', method: 'spectral', ensembles: ['CUE'], sizes: [8], matrices: TINY_CHUNKS, chunk: 1, delta: 0.2 }));
    const tinyLocal = await ctx.ergoCli(3, ctx.timeoutMs, (r) => ['run', tinyFile, '--fresh', '--quiet', '--workers', '2', '--out', join(ctx.scratch, `tiny-local-${r}`)]);
    const tinyQueue = await ctx.ergoCli(3, ctx.timeoutMs, (r) => ['run', tinyFile, '--fresh', '--quiet', '--queue', url, '--out', join(ctx.scratch, `tiny-queue-${r}`)]);
    const tinyPer = tinyLocal.median !== undefined && tinyQueue.median !== undefined ? ((tinyQueue.median - tinyLocal.median) / TINY_CHUNKS) * 1000 : undefined;
    const tinySection = `Queue overhead per chunk: ${TINY_CHUNKS} one-matrix chunks (CUE spectral, N = 8), local vs a Redis queue with 2 workers`;
    const tinyRows = [
      { section: tinySection, what: `${TINY_CHUNKS} chunks, local`, impl: 'ergo run --workers 2', runs: '3 reps', ergo: tinyLocal },
      { section: tinySection, what: `${TINY_CHUNKS} chunks, queue`, impl: 'ergo run --queue', runs: '3 reps', ergo: tinyQueue, note: `queue overhead ${tinyPer === undefined ? 'not measured' : `${tinyPer.toFixed(1)} ms per chunk`} ((median queue - median local) / ${TINY_CHUNKS})` },
    ];
    const perChunk = local.median !== undefined && queue.median !== undefined ? ((queue.median - local.median) / chunks) * 1000 : undefined;
    const identical = local.error || queue.error ? 'not compared (a side failed)' : sameChunks(localDir, queueDir);
    const note = `queue overhead ${perChunk === undefined ? 'not measured' : `${perChunk.toFixed(0)} ms per chunk`} ((queue - local) / ${chunks} chunks, coordinator start-up and Redis round trips included); ${identical}`;
    return [
      { section, what: 'local, thread pool', impl: 'ergo run --workers 2', runs: '1 rep', ergo: local },
      { section, what: 'coordinator + 2 `ergo worker --threads 1` on this machine', impl: 'ergo run --queue', runs: '1 rep', ergo: queue, note },
      ...tinyRows,
    ];
  } finally {
    await Promise.all(workers.map(stop));
    await redis.stop();
  }
}
