// `npm run bench`: times ergo against numpy on this machine, in this invocation,
// and writes bench/RESULTS.md (docs/performance.md explains the table).
//
//   npm run bench                    full set (about 20 minutes on 2 cores)
//   npm run bench -- --quick         reduced sizes, under a minute; writes $TMPDIR/ergo-bench-quick.md
//   npm run bench -- --only gram     only the jobs whose id matches the regular expression
//   npm run bench -- --out FILE      write the table elsewhere
//
// Every measurement runs in its own child process (so its peak RSS is its own),
// under /usr/bin/time -v when present. A failing row records its error and the
// run goes on. The table is rewritten after every job, so a partial run leaves
// a partial table.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { RESULT_MARKER, type ChildResult, type ErgoCase, type Impl } from './bench-cases.js';
import { llmShapedRows } from './bench-llm.js';
import { queueRows } from './bench-queue.js';

// ---------- locations (compiled: dist/scripts/bench.js; from sources: scripts/bench.ts under tsx) ----------

const HERE = dirname(fileURLToPath(import.meta.url));
const FROM_TS = import.meta.url.endsWith('.ts');
const ROOT = FROM_TS ? resolve(HERE, '..') : resolve(HERE, '../..');
const EXT = FROM_TS ? '.ts' : '.js';
const CHILD = join(HERE, `bench-child${EXT}`);
const RSS_HOOK = join(ROOT, 'scripts/bench-rss-hook.mjs');
const ERGO = FROM_TS ? join(ROOT, 'src/cli/main.ts') : join(ROOT, 'bin/ergo.js');
const NUMPY = join(ROOT, 'scripts/bench_numpy.py');
const TIME = '/usr/bin/time';
const HAVE_TIME = existsSync(TIME) && spawnSync(TIME, ['-v', 'true']).status === 0;
const FACE_API = join(ROOT, '.cache/models/face-api/face_recognition_model-weights_manifest.json');

// ---------- options ----------

interface Options {
  quick: boolean;
  only: RegExp | null;
  out: string;
}

function parseArgs(argv: string[]): Options {
  let quick = false;
  let only: RegExp | null = null;
  let out = '';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--only') only = new RegExp(argv[++i] ?? '');
    else if (a === '--out') out = resolve(argv[++i] ?? '');
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: npm run bench [-- --quick] [--only <regex>] [--out <file>]\n');
      process.exit(0);
    } else throw new Error(`bench: unknown argument ${a}`);
  }
  if (!out) out = quick ? join(tmpdir(), 'ergo-bench-quick.md') : join(ROOT, 'bench/RESULTS.md');
  return { quick, only, out };
}

// ---------- measurements ----------

interface Measure {
  times?: number[];
  median?: number;
  error?: string;
  rssKB?: number;
}

interface Spawned {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  wall: number;
  rssKB?: number;
  timedOut: boolean;
}

let scratch = '';
let seq = 0;

/** Runs cmd in its own process group (so a timeout kills all of it), under /usr/bin/time -v when present. */
function runProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Spawned> {
  const timeFile = join(scratch, `time-${++seq}.txt`);
  const rssFile = join(scratch, `rss-${seq}.txt`);
  const [file, argv] = HAVE_TIME ? [TIME, ['-v', '-o', timeFile, cmd, ...args]] : [cmd, args];
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(file, argv, {
      cwd: ROOT,
      env: { ...process.env, ...env, ERGO_BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '', stderr = '';
    let timedOut = false;
    child.stdout.on('data', (b: Buffer) => {
      if (stdout.length < 1 << 20) stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-8000);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wall = (performance.now() - t0) / 1000;
      let rssKB: number | undefined;
      try {
        const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(timeFile, 'utf8'));
        if (m) rssKB = Number(m[1]);
      } catch {
        // no /usr/bin/time output
      }
      if (rssKB === undefined && existsSync(rssFile)) rssKB = Number(readFileSync(rssFile, 'utf8')) || undefined;
      resolvePromise({ code, signal, stdout, stderr, wall, timedOut, ...(rssKB !== undefined ? { rssKB } : {}) });
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

function lastLines(s: string, n = 3): string {
  return s.trim().split('\n').slice(-n).join(' | ');
}

function failure(p: Spawned, timeoutMs: number): string {
  if (p.timedOut) return `timed out after ${Math.round(timeoutMs / 1000)} s`;
  return `exit ${p.code ?? p.signal}: ${lastLines(p.stderr) || '(no output)'}`;
}

function withTimes(times: number[], scale: number, rssKB: number | undefined): Measure {
  const t = times.map((x) => x * scale);
  return { times: t, median: median(t), ...(rssKB !== undefined ? { rssKB } : {}) };
}

async function ergoCase(c: ErgoCase, timeoutMs: number, scale = 1, extraEnv: NodeJS.ProcessEnv = {}): Promise<Measure & { note?: string }> {
  const env: NodeJS.ProcessEnv = { ...('impl' in c && c.impl === 'ts' ? { ERGO_NO_WASM: '1', ERGO_BACKEND: 'ts' } : {}), ...extraEnv };
  const p = await runProcess(process.execPath, [...process.execArgv, CHILD, JSON.stringify(c)], env, timeoutMs);
  const line = p.stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (!line) return { error: failure(p, timeoutMs), ...(p.rssKB ? { rssKB: p.rssKB } : {}) };
  const r = JSON.parse(line.slice(RESULT_MARKER.length)) as ChildResult;
  const rss = p.rssKB ?? r.maxRssKB;
  if (r.error || !r.times) return { error: r.error ?? 'no times', rssKB: rss };
  return { ...withTimes(r.times, scale, rss), ...(r.note ? { note: r.note } : {}) };
}

async function numpyCase(c: object, threads: number, timeoutMs: number, scale = 1): Promise<Measure> {
  const t = String(threads);
  const env = { OPENBLAS_NUM_THREADS: t, OMP_NUM_THREADS: t, MKL_NUM_THREADS: t };
  let p: Spawned;
  try {
    p = await runProcess('python3', [NUMPY, JSON.stringify(c)], env, timeoutMs);
  } catch (err) {
    return { error: `python3: ${(err as Error).message}` };
  }
  const line = p.stdout.trim().split('\n').pop() ?? '';
  if (p.code !== 0 || !line.startsWith('{')) return { error: failure(p, timeoutMs) };
  const r = JSON.parse(line) as { times: number[]; maxrss_kb: number };
  return withTimes(r.times, scale, p.rssKB ?? r.maxrss_kb);
}

/**
 * `ergo <args>` end to end, up to `reps` times (each run a fresh process; args(rep) gives each run
 * fresh directories); no further repetition once `stopAfter` seconds have been spent.
 */
async function ergoCli(reps: number, timeoutMs: number, args: (rep: number) => string[], stopAfter = Infinity, env: NodeJS.ProcessEnv = {}): Promise<Measure> {
  const times: number[] = [];
  let rss = 0;
  for (let r = 0; r < reps && times.reduce((a, b) => a + b, 0) < stopAfter; r++) {
    const hook = HAVE_TIME ? [] : ['--import', pathToFileURL(RSS_HOOK).href];
    const p = await runProcess(process.execPath, [...process.execArgv, ...hook, ERGO, ...args(r)], env, timeoutMs);
    if (p.code !== 0) return { error: failure(p, timeoutMs), ...(p.rssKB ? { rssKB: p.rssKB } : {}) };
    times.push(p.wall);
    rss = Math.max(rss, p.rssKB ?? 0);
  }
  return withTimes(times, 1, rss || undefined);
}

// ---------- rows and jobs ----------

interface Target {
  label: string;
  /** true = met, false = not met; undefined = cannot say (a side failed). */
  check: (ergo: number, np1?: number, np2?: number) => boolean | undefined;
}

interface Row {
  section: string;
  what: string;
  impl: string;
  runs: string;
  ergo: Measure;
  np1?: Measure;
  np2?: Measure;
  target?: Target;
  note?: string;
}

interface Job {
  id: string;
  run: () => Promise<Row[]>;
}

const MIN = 60_000;

const ratioTarget = (max: number, against: 'np1' | 'np2', label: string): Target => ({
  label,
  check: (e, n1, n2) => {
    const ref = against === 'np1' ? n1 : n2;
    return ref === undefined ? undefined : e / ref <= max;
  },
});
const secondsTarget = (max: number): Target => ({ label: `< ${max} s`, check: (e) => e < max });

function runsLabel(reps: number, warm: number, extra = ''): string {
  return `${reps} rep${reps > 1 ? 's' : ''}${warm ? `, ${warm} warm-up` : ''}${extra}`;
}

/** Kernel rows: TS, WASM, then native with 1 and 2 BLAS threads (ERGO_BLAS_THREADS). */
const KERNEL_IMPLS: [Impl, number][] = [['ts', 0], ['wasm', 0], ['native', 1], ['native', 2]];

function implLabel(impl: Impl, threads: number): string {
  if (impl === 'native') return `ergo native ${threads} thr`;
  if (impl === 'wasm-split') return 'ergo WASM, gram() 2 threads';
  return impl === 'ts' ? 'ergo TS' : 'ergo WASM';
}

function buildJobs(quick: boolean): Job[] {
  const jobs: Job[] = [];
  const T = quick ? 2 * MIN : 12 * MIN; // per child process

  // Symmetric eigenvalues: TS and WASM kernels vs numpy eigvalsh.
  for (const n of quick ? [256, 512] : [512, 1024, 2048, 4096]) {
    const reps = n <= 1024 ? 5 : 3;
    jobs.push({
      id: `symeig-${n}`,
      run: async () => {
        const np = { kind: 'symeig', n, reps, warm: 1 };
        const [np1, np2] = [await numpyCase(np, 1, T), await numpyCase(np, 2, T)];
        const rows: Row[] = [];
        for (const [impl, threads] of KERNEL_IMPLS) {
          const ergo = await ergoCase({ kind: 'symeig', impl, n, reps, warm: 2 }, T, 1, threads ? { ERGO_BLAS_THREADS: String(threads) } : {});
          rows.push({
            section: 'Symmetric eigenvalues (eigenvalues only; numpy.linalg.eigvalsh)',
            what: `N = ${n}`,
            impl: implLabel(impl, threads),
            runs: runsLabel(reps, 2, ' (warm-up at N <= 512)'),
            ergo,
            np1,
            np2,
            ...(impl === 'wasm' ? { target: ratioTarget(1.3, 'np1', '<= 1.3x numpy 1 thr') } : {}),
            ...(impl === 'native' ? { target: ratioTarget(1.1, threads === 1 ? 'np1' : 'np2', `<= 1.1x numpy ${threads} thr`) } : {}),
          });
        }
        return rows;
      },
    });
  }

  // Gram A A^T vs numpy A @ A.T.
  for (const [n, m] of quick ? [[256, 1024]] : [[1024, 4096], [4096, 4096]]) {
    const reps = n <= 1024 ? 5 : 3;
    jobs.push({
      id: `gram-${n}x${m}`,
      run: async () => {
        const np = { kind: 'gram', n, m, reps, warm: 1 };
        const [np1, np2] = [await numpyCase(np, 1, T), await numpyCase(np, 2, T)];
        const rows: Row[] = [];
        for (const [impl, threads] of [...KERNEL_IMPLS, ['wasm-split', 0] as [Impl, number]]) {
          const ergo = await ergoCase({ kind: 'gram', impl, n: n!, m: m!, reps, warm: 2 }, T, 1, threads ? { ERGO_BLAS_THREADS: String(threads) } : {});
          rows.push({
            section: 'Gram X = A A^T (numpy: A @ A.T)',
            what: `A ${n} x ${m}`,
            impl: implLabel(impl, threads),
            runs: runsLabel(reps, 2, ' (warm-up on 256 x 1024)'),
            ergo,
            np1,
            np2,
            ...(impl === 'wasm' ? { target: ratioTarget(2, 'np1', '<= 2x numpy 1 thr') } : {}),
            ...(impl === 'native' ? { target: ratioTarget(1.1, threads === 1 ? 'np1' : 'np2', `<= 1.1x numpy ${threads} thr`) } : {}),
          });
        }
        return rows;
      },
    });
  }

  // 40 Haar unitaries + eigenvalues: ergo qr route vs scipy unitary_group + numpy eigvals.
  // At N >= 512 both sides time fewer matrices and the times are scaled to 40 (the cost is linear in the count).
  const haar: [number, number, number][] = quick ? [[64, 10, 1], [128, 4, 1]] : [[128, 40, 3], [256, 40, 1], [512, 10, 1], [1024, 2, 1]];
  for (const [n, count, reps] of haar) {
    const full = quick ? 10 : 40;
    const scale = full / count;
    jobs.push({
      id: `haar-${n}`,
      run: async () => {
        const np = { kind: 'haar', n, count, reps, warm: 1 };
        const [np1, np2] = [await numpyCase(np, 1, T, scale), await numpyCase(np, 2, T, scale)];
        const ergo = await ergoCase({ kind: 'haar', n, count, reps, warm: 1 }, T, scale);
        return [
          {
            section: `${full} Haar unitaries + eigenvalues (ergo: sampleEigenphases('CUE', 'qr'); scipy.stats.unitary_group.rvs + numpy.linalg.eigvals)`,
            what: `N = ${n}, ${full} matrices`,
            impl: 'ergo qr route',
            runs: runsLabel(reps, 1, scale !== 1 ? `; ${count} matrices timed, x${scale}` : ''),
            ergo,
            np1,
            np2,
            ...(n === 512 || n === 1024 ? { target: ratioTarget(1, 'np1', '<= scipy 1 thr') } : {}),
          },
        ];
      },
    });
  }

  // The spectral (CMV) sampler at scale: one matrix per size for the scaling, then M = 40 at the largest N.
  // The M = 40 row stops after a time budget (above the target) and scales the time of the matrices it did.
  const spectral: [number, number, number, number | undefined][] = quick
    ? [[512, 1, 3, undefined], [1024, 1, 3, undefined], [2048, 40, 1, 3]]
    : [[4096, 1, 3, undefined], [8192, 1, 1, undefined], [16384, 40, 1, 120]];
  const perMatrix = new Map<number, number>();
  for (const [n, count, reps, budget] of spectral) {
    jobs.push({
      id: `spectral-${n}-M${count}`,
      run: async () => {
        const ergo = await ergoCase({ kind: 'spectral', n, count, reps, warm: 1, ...(budget ? { budget } : {}) }, T);
        const notes: string[] = [];
        if (ergo.note && budget) notes.push(ergo.note);
        if (ergo.median) {
          perMatrix.set(n, ergo.median / count);
          const prev = perMatrix.get(n / 2);
          if (prev) notes.push(`per matrix ${fmtTime(ergo.median / count)}; t(N) / t(N/2) = ${(ergo.median / count / prev).toFixed(2)} (O(N^2): 4)`);
        }
        return [
          {
            section: "The spectral (CMV) sampler, CUE (sampleEigenphases('CUE', 'spectral'))",
            what: `CUE N = ${n}, M = ${count}`,
            impl: 'ergo spectral',
            runs: runsLabel(reps, 1, ` (warm-up at N <= 1024)${budget ? `; time budget ${budget} s, then scaled` : ''}`),
            ergo,
            ...(n === 16384 && count === 40 ? { target: secondsTarget(120) } : {}),
            ...(notes.length ? { note: notes.join('; ') } : {}),
          },
        ];
      },
    });
  }

  // Throughput: independent layer chunks (eigenvalues of A A^T) on the pipeline's Piscina pool.
  {
    const [n, problems] = quick ? [256, 4] : [1024, 8];
    const reps = 3;
    jobs.push({
      id: 'throughput',
      run: async () => {
        const np = { kind: 'throughput', n, problems, reps, warm: 1 };
        const [np1, np2] = [await numpyCase(np, 1, T), await numpyCase(np, 2, T)];
        const rows: Row[] = [];
        for (const workers of [2, 1]) {
          const ergo = await ergoCase({ kind: 'throughput', n, problems, workers, reps, warm: 1 }, T);
          rows.push({
            section: 'Throughput: independent problems, eigenvalues of A A^T (A N x N) (ergo: PoolExecutor layer chunks; numpy: eigvalsh(A @ A.T) in a loop)',
            what: `${problems} problems, N = ${n}`,
            impl: `ergo pool, ${workers} worker${workers > 1 ? 's' : ''}`,
            runs: runsLabel(reps, 1),
            ergo,
            np1,
            np2,
            ...(workers === 2 ? { target: ratioTarget(1, 'np2', '<= numpy 2 thr') } : {}),
          });
        }
        return rows;
      },
    });
  }

  // cPSE of the largest real network in the tests, end to end, fresh cache each run.
  {
    const reps = quick ? 1 : 3;
    jobs.push({
      id: 'cpse',
      run: async () => {
        // A clean clone has no models yet: fetch them (npm pack, cached) before timing.
        if (!existsSync(FACE_API)) spawnSync(process.execPath, [join(ROOT, 'scripts/fetch-models.mjs')], { stdio: 'ignore', timeout: 5 * MIN });
        const ergo = existsSync(FACE_API)
          ? await ergoCli(reps, T, (r) => ['cpse', FACE_API, '--cache', join(scratch, `cpse-cache-${r}`), '--out', join(scratch, `cpse-out-${r}`), '--json'], 40)
          : { error: `${relative(ROOT, FACE_API)} missing: run node scripts/fetch-models.mjs` };
        return [
          {
            section: 'Whole jobs, end to end (`ergo` CLI process, 2 workers; wall time includes start-up)',
            what: 'ergo cpse face-api face_recognition_model (fresh cache)',
            impl: 'ergo cpse',
            runs: runsLabel(ergo.times?.length ?? reps, 0),
            ergo,
          },
        ];
      },
    });
  }

  // The 2017 sweep with `spectral`, and CUE alone with `qr`.
  {
    const reps = quick ? 1 : 3;
    const cfg = quick ? 'config/quickstart.yaml' : 'config/spectral-ergodicity-2017.yaml';
    jobs.push({
      id: 'sweep-2017',
      run: async () => {
        const ergo = await ergoCli(reps, T, (r) => ['run', cfg, '--fresh', '--quiet', '--out', join(scratch, `sweep-${r}`)], 40);
        return [
          {
            section: 'Whole jobs, end to end (`ergo` CLI process, 2 workers; wall time includes start-up)',
            what: `ergo run ${cfg} --fresh (CUE, COE, CSE; spectral)`,
            impl: 'ergo run',
            runs: runsLabel(ergo.times?.length ?? reps, 0, reps > 1 ? ' (no more once 40 s are spent)' : ''),
            ergo,
            ...(quick ? {} : { target: secondsTarget(10) }),
          },
        ];
      },
    });
    jobs.push({
      id: 'sweep-2017-qr-cue',
      run: async () => {
        const raw = parseYaml(readFileSync(join(ROOT, 'config/spectral-ergodicity-2017-qr.yaml'), 'utf8')) as Record<string, unknown>;
        raw['name'] = 'bench-2017-qr-cue';
        raw['ensembles'] = ['CUE'];
        if (quick) {
          raw['sizes'] = [64, 128];
          raw['plot'] = { eigenphaseSize: 128 };
        }
        const file = join(scratch, 'bench-2017-qr-cue.yaml');
        writeFileSync(file, stringifyYaml(raw));
        const sizes = (raw['sizes'] as number[]).join(', ');
        const ergo = await ergoCli(1, T, () => ['run', file, '--fresh', '--quiet', '--out', join(scratch, 'sweep-qr-cue')]);
        return [
          {
            section: 'Whole jobs, end to end (`ergo` CLI process, 2 workers; wall time includes start-up)',
            what: `2017 sweep, CUE only, method qr (N = ${sizes}; M = ${String(raw['matrices'])})`,
            impl: 'ergo run',
            runs: runsLabel(1, 0),
            ergo,
          },
        ];
      },
    });
  }

  // A VGG-sized dense layer (4096 x 25088) through the path `ergo cpse` takes: peak RSS.
  {
    const [n, m] = quick ? [512, 3136] : [4096, 25088];
    jobs.push({
      id: 'vgg-layer',
      run: async () => {
        const np1 = await numpyCase({ kind: 'vgg', n, m, reps: 1, warm: 1 }, 1, T);
        const ergo = await ergoCase({ kind: 'vgg', n, m, reps: 1, warm: 1 }, T);
        const bound = rssBoundKB(n, m);
        return [
          {
            section: 'Memory: one dense layer, Gaussian A, eigenvalues of A A^T (ergo: one-worker PoolExecutor layer chunk, as `ergo cpse`; numpy: eigvalsh(A @ A.T))',
            what: `layer ${n} x ${m} (A = ${fmtBytes(8 * n * m)})`,
            impl: 'ergo layer chunk',
            runs: runsLabel(1, 1),
            ergo,
            np1,
            target: {
              label: `peak RSS <= ${fmtBytes(bound * 1024)}`,
              check: () => (ergo.rssKB === undefined ? undefined : ergo.rssKB <= bound),
            },
          },
        ];
      },
    });
  }
  // cPSE of VGG-11-shaped weights (scripts/vgg11-shapes.ts: the 11 torchvision layer shapes,
  // seeded Gaussian, float32 .npy folder) end to end, per backend, against the numpy route
  // (eigvalsh(A @ A.T) per layer, files loaded inside the clock) at 1 and 2 threads.
  {
    const k = quick ? 8 : 1;
    const dir = join(ROOT, '.cache/bench', quick ? 'vgg11-shapes-q8' : 'vgg11-shapes');
    const reps = quick ? 1 : 3;
    jobs.push({
      id: 'vgg11-cpse',
      run: async () => {
        const { writeVgg11Shapes } = await import(pathToFileURL(join(HERE, `vgg11-shapes${EXT}`)).href) as typeof import('./vgg11-shapes.js');
        writeVgg11Shapes(dir, k);
        const np = { kind: 'layers-dir', dir, reps: quick ? 1 : 2 };
        const [np1, np2] = [await numpyCase(np, 1, T), await numpyCase(np, 2, T)];
        const rows: Row[] = [];
        const section = `cPSE of VGG-11-shaped weights${quick ? ' (dimensions / 8)' : ' (132.9M weights)'}, fresh cache, 2 workers (ergo cpse; numpy: eigvalsh(A @ A.T) per layer, loading included)`;
        for (const backend of ['native', 'wasm', 'ts'] as const) {
          const ergo = await ergoCli(backend === 'ts' ? 1 : reps, T, (r) => ['cpse', dir, '--cache', join(scratch, `vgg-cache-${backend}-${r}`), '--out', join(scratch, `vgg-out-${backend}-${r}`), '--json'], 40, { ERGO_BACKEND: backend });
          rows.push({
            section,
            what: 'VGG-11 shapes, cPSE',
            impl: `ergo cpse, ${backend}`,
            runs: runsLabel(ergo.times?.length ?? reps, 0),
            ergo,
            np1,
            np2,
            ...(backend === 'native' ? { target: ratioTarget(1, 'np2', '<= 1.0x numpy 2 thr') } : {}),
            ...(backend === 'wasm' ? { target: ratioTarget(2, 'np2', '<= 2.0x numpy 2 thr') } : {}),
          });
          if (backend === 'native') {
            rows.push({
              section,
              what: 'VGG-11 shapes, cPSE: peak RSS',
              impl: 'ergo cpse, native',
              runs: 'the row above',
              ergo,
              np1,
              target: {
                label: 'peak RSS <= 1.2x numpy',
                check: () => (ergo.rssKB === undefined || np1.rssKB === undefined ? undefined : ergo.rssKB <= 1.2 * np1.rssKB),
              },
            });
          }
        }
        return rows;
      },
    });
  }

  // The exact spectral sampler at N = 65536: CUE, M = 10 matrices, one per chunk, `ergo run` with its 2 workers.
  {
    const [n, mats] = quick ? [4096, 4] : [65536, 10];
    jobs.push({
      id: `spectral-${n}-M${mats}-run`,
      run: async () => {
        const file = join(scratch, `bench-cue-${n}.yaml`);
        writeFileSync(file, stringifyYaml({ name: `bench-cue-${n}`, seed: 2017, semantics: 'definition', method: 'spectral', ensembles: ['CUE'], sizes: [n], matrices: mats, chunk: 1, delta: 0.2, plot: { eigenphaseSize: n } }));
        const ergo = await ergoCli(1, quick ? T : 20 * MIN, () => ['run', file, '--fresh', '--quiet', '--out', join(scratch, `cue-${n}`)]);
        return [
          {
            section: 'Whole jobs, end to end (`ergo` CLI process, 2 workers; wall time includes start-up)',
            what: `CUE N = ${n}, M = ${mats}, spectral (ergo run, chunk 1)`,
            impl: 'ergo run',
            runs: runsLabel(1, 0),
            ergo,
            ...(quick ? {} : { target: secondsTarget(240) }),
          },
        ];
      },
    });
  }
  // An LLM-shaped network (Llama-7B block shapes) through `ergo cpse` at 1 and 2 workers: wall time, peak RSS.
  jobs.push({
    id: 'llm-shaped',
    run: async () => (await llmShapedRows({ root: ROOT, scratch, ergo: ERGO, blocks: quick ? 1 : 4, timeoutMs: 60 * MIN, ergoCli })) as Row[],
  });

  // The 2017 qr sweep (CUE) locally vs through a Redis queue with 2 workers: the queue's cost per chunk.
  jobs.push({
    id: 'queue-2017-qr',
    run: async () => (await queueRows({ root: ROOT, scratch, ergo: ERGO, quick, timeoutMs: 60 * MIN, ergoCli })) as Row[],
  });

  // Start-up: how long a command takes when it has almost nothing to do (module loading).
  {
    const reps = quick ? 3 : 10;
    const section = 'Start-up (`ergo` CLI process, wall time of a command with almost no work; median)';
    // Node's own start-up on this machine, the floor for every row below.
    jobs.push({
      id: 'startup-node',
      run: async () => {
        const times: number[] = [];
        for (let r = 0; r < reps; r++) {
          const p = await runProcess(process.execPath, ['-e', '0'], {}, T);
          if (p.code !== 0) return [{ section, what: 'node -e 0 (Node alone, for reference)', impl: 'node', runs: runsLabel(reps, 0), ergo: { error: failure(p, T) } }];
          times.push(p.wall);
        }
        return [{ section, what: 'node -e 0 (Node alone, for reference)', impl: 'node', runs: runsLabel(reps, 0), ergo: withTimes(times, 1, undefined) }];
      },
    });
    const tiny = join(ROOT, 'test/fixtures/bristol/inputs/f_gauss64_x10.npz');
    const cases: [string, string, (r: number) => string[], Target | undefined][] = [
      ['startup-help', 'ergo --help', () => ['--help'], secondsTarget(0.2)],
      ['startup-layers', 'ergo layers (10 x 64 x 64 .npz)', () => ['layers', tiny], secondsTarget(0.2)],
      ['startup-run', 'ergo run, tiny config (CUE spectral, N = 8, 4 matrices)', (r) => ['run', tinyConfig(), '--fresh', '--quiet', '--workers', '1', '--out', join(scratch, `startup-run-${r}`)], undefined],
    ];
    for (const [id, what, args, target] of cases) {
      jobs.push({
        id,
        run: async () => {
          const ergo = await ergoCli(reps, T, args);
          return [{ section, what, impl: 'ergo', runs: runsLabel(ergo.times?.length ?? reps, 0), ergo, ...(target ? { target } : {}) }];
        },
      });
    }
  }
  return jobs;
}

/** A run config with almost no work, written once into the scratch folder. */
function tinyConfig(): string {
  const file = join(scratch, 'startup-tiny.yaml');
  if (!existsSync(file)) {
    writeFileSync(file, stringifyYaml({ name: 'startup-tiny', seed: 1, method: 'spectral', ensembles: ['CUE'], sizes: [8], matrices: 4, chunk: 4 }));
  }
  return file;
}

/**
 * Documented peak-RSS bound for one layer (docs/performance.md): A in the main
 * thread is moved, not copied, to the worker; the WebAssembly path copies A into
 * its linear memory (a second A); X = A A^T plus the kernel's working copy and
 * output (3 n^2 doubles); plus 300 MB for Node, the worker and the pool.
 */
function rssBoundKB(n: number, m: number): number {
  return Math.ceil((8 * (2 * n * m + 3 * n * n) + 300 * 2 ** 20) / 1024);
}

// ---------- report ----------

function fmtTime(s: number | undefined): string {
  if (s === undefined) return '';
  if (s < 1) return `${(s * 1000).toPrecision(3)} ms`;
  if (s < 100) return `${s.toFixed(2)} s`;
  return `${s.toFixed(0)} s`;
}

function fmtBytes(b: number): string {
  if (b >= 2 ** 30) return `${(b / 2 ** 30).toFixed(2)} GiB`;
  return `${(b / 2 ** 20).toFixed(0)} MiB`;
}

function cell(m: Measure | undefined): string {
  if (!m) return '—';
  if (m.error) return 'error (see below)';
  return fmtTime(m.median);
}

function ratio(e: Measure, ref: Measure | undefined): string {
  if (!ref || ref.median === undefined || e.median === undefined) return '—';
  return `${(e.median / ref.median).toFixed(2)}x`;
}

function verdict(r: Row): string {
  if (!r.target) return '—';
  if (r.ergo.error) return 'n/a (error)';
  const res = r.target.check(r.ergo.median ?? NaN, r.np1?.median, r.np2?.median);
  return res === undefined ? 'n/a' : res ? '**met**' : '**not met**';
}

function rssCell(m: Measure | undefined): string {
  return m?.rssKB ? fmtBytes(m.rssKB * 1024) : '—';
}

interface Header {
  date: string;
  quick: boolean;
  loadStart: number[];
  loadEnd?: number[];
  elapsed?: number;
  complete: boolean;
}

function machine(): string[] {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) model = m[1]!.trim();
  } catch {
    // not Linux
  }
  const py =
    "import sys, numpy as np, scipy; c = np.show_config(mode='dicts'); " +
    "print(f\"python {sys.version.split()[0]}, numpy {np.__version__}, scipy {scipy.__version__}, OpenBLAS {c['Build Dependencies']['blas'].get('version', '?')}\")";
  const versions = spawnSync('python3', ['-c', py], { encoding: 'utf8' }).stdout?.trim() || 'python3/numpy: not found';
  return [
    `- CPU: ${model}; nproc ${availableParallelism()}; memory ${fmtBytes(totalmem())}`,
    `- node ${process.version}; ${versions}`,
    `- peak RSS from ${HAVE_TIME ? '`/usr/bin/time -v` (maximum resident set size of the child process, all threads)' : 'process.resourceUsage().maxRSS of the child process'}`,
  ];
}

let machineLines: string[] | null = null;

function render(h: Header, rows: Row[]): string {
  machineLines ??= machine();
  const load = (l: number[] | undefined) => (l ? l.map((x) => x.toFixed(2)).join(' / ') : '?');
  const loaded = h.loadStart[0]! >= 1.5;
  const out: string[] = [];
  out.push(`# ergo benchmark results${h.quick ? ' (quick set)' : ''}`);
  out.push('');
  out.push(`Generated by \`npm run bench${h.quick ? ' -- --quick' : ''}\` on ${h.date}${h.complete ? '' : ' — **incomplete** (run still going or interrupted)'}.`);
  if (h.elapsed !== undefined) out.push(`Total bench wall time: ${fmtTime(h.elapsed)}.`);
  out.push('See docs/performance.md for what each row measures and how to read it.');
  out.push('');
  out.push(...machineLines);
  out.push(
    `- load average (1 / 5 / 15 min) before the run: ${load(h.loadStart)}; after: ${load(h.loadEnd)} (the bench itself adds 1-2)`,
  );
  if (!loaded && h.loadEnd && h.loadEnd[0]! >= 2.5) {
    out.push('');
    out.push(
      `> The 1-minute load average was ${h.loadEnd[0]!.toFixed(2)} when the run ended (the bench itself accounts for 1-2): other processes may have competed for the cores during part of the run.`,
    );
  }
  if (loaded) {
    out.push('');
    out.push(
      `> **The machine was loaded when this run started (1-minute load ${h.loadStart[0]!.toFixed(2)} on ${availableParallelism()} cores):** other processes competed for the cores, so times are noisy and two-thread numbers in particular are pessimistic. Ratios are still taken within the same invocation.`,
    );
  }
  out.push('');
  out.push(
    'Times are medians over the repetitions in the last column, warm-up runs excluded. ' +
      'numpy runs in a separate python3 process with `OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=1` ("1 thr") or `=2` ("2 thr"). ' +
      'Ratios are ergo / numpy: below 1 means ergo is faster.',
  );
  out.push('');
  out.push('| # | what | ergo | ergo time | numpy 1 thr | numpy 2 thr | ergo / np 1 thr | ergo / np 2 thr | target | met? | peak RSS ergo | peak RSS numpy 1 thr | runs |');
  out.push('| - | - | - | -: | -: | -: | -: | -: | - | - | -: | -: | - |');
  const errors: string[] = [];
  const notes: string[] = [];
  let section = '';
  rows.forEach((r, i) => {
    if (r.section !== section) {
      section = r.section;
      out.push(`| | **${section}** | | | | | | | | | | | |`);
    }
    const idx = i + 1;
    for (const [side, m] of [['ergo', r.ergo], ['numpy 1 thr', r.np1], ['numpy 2 thr', r.np2]] as const) {
      if (m?.error) errors.push(`- row ${idx} (${r.what}, ${side === 'ergo' ? r.impl : side}): ${m.error.replace(/\|/g, '\\|')}`);
    }
    if (r.note) notes.push(`- row ${idx} (${r.what}): ${r.note}`);
    out.push(
      `| ${idx} | ${r.what} | ${r.impl} | ${cell(r.ergo)} | ${cell(r.np1)} | ${cell(r.np2)} | ${ratio(r.ergo, r.np1)} | ${ratio(r.ergo, r.np2)} | ${r.target?.label ?? '—'} | ${verdict(r)} | ${rssCell(r.ergo)} | ${rssCell(r.np1)} | ${r.runs} |`,
    );
  });
  if (notes.length) out.push('', '## Notes', '', ...notes);
  if (errors.length) out.push('', '## Errors', '', ...errors);
  out.push('', '## All repetitions (seconds)', '');
  rows.forEach((r, i) => {
    const ts = (m: Measure | undefined) => (m?.times ? m.times.map((t) => t.toFixed(3)).join(', ') : '—');
    out.push(`- row ${i + 1} ${r.what}, ${r.impl}: ergo [${ts(r.ergo)}]${r.np1 ? `; numpy 1 thr [${ts(r.np1)}]` : ''}${r.np2 ? `; numpy 2 thr [${ts(r.np2)}]` : ''}`);
  });
  return out.join('\n') + '\n';
}

// ---------- main ----------

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  scratch = mkdtempSync(join(tmpdir(), 'ergo-bench-'));
  const header: Header = { date: new Date().toISOString(), quick: opts.quick, loadStart: loadavg(), complete: false };
  const rows: Row[] = [];
  const jobs = buildJobs(opts.quick).filter((j) => !opts.only || opts.only.test(j.id));
  mkdirSync(dirname(opts.out), { recursive: true });
  process.stderr.write(`[bench] ${jobs.length} jobs${opts.quick ? ' (quick)' : ''}; writing ${opts.out}\n`);
  try {
    for (const job of jobs) {
      const j0 = performance.now();
      process.stderr.write(`[bench] ${job.id} ...`);
      try {
        rows.push(...(await job.run()));
      } catch (err) {
        rows.push({ section: 'Errors', what: job.id, impl: '', runs: '', ergo: { error: (err as Error).message } });
      }
      process.stderr.write(` ${((performance.now() - j0) / 1000).toFixed(1)} s\n`);
      writeFileSync(opts.out, render(header, rows));
    }
    Object.assign(header, { complete: true, loadEnd: loadavg(), elapsed: (performance.now() - t0) / 1000 });
    const text = render(header, rows);
    writeFileSync(opts.out, text);
    process.stdout.write(text);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
