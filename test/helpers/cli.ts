// Test helpers: locate the repository and run the compiled CLI.
//   ergo(args, {cwd, env})         in-process through runCli (src/cli/main.ts): the fast suite;
//   ergoProcess(args, {cwd, env})  a real `node` process (exit codes of the process, signals,
//                                  start-up, process-wide settings such as ERGO_BACKEND): test/e2e/.
// Both resolve to {code, status, stdout, stderr} (status = code, the spawnSync name), so a
// test moves between them by changing one word. ERGO_TEST_* variables become test hooks
// (helpers/hooks.ts) either way.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli as runCliInProcess } from '../../src/cli/main.js';
import { hooksFromEnv } from './hooks.js';
import type { SweepHooks } from '../../src/pipeline/runtime/schedule.js';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'ergo') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('ergo package.json not found above the tests');
    dir = up;
  }
}

export const repoRoot = findRoot();
export const cliPath = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
/** The CLI with test hooks (helpers/hooked-cli.ts), used when a test sets ERGO_TEST_* variables. */
export const hookedCliPath = join(repoRoot, 'dist', 'test', 'helpers', 'hooked-cli.js');

function entry(env: NodeJS.ProcessEnv | undefined): string {
  return Object.keys(env ?? {}).some((k) => k.startsWith('ERGO_TEST_')) ? hookedCliPath : cliPath;
}

/**
 * Flags of a run whose directory a test reads for its chunks or results but not its figures:
 * no results/report.html, no plots/*.svg (the figures have their own tests).
 */
export const NO_FIGURES = ['--no-report', '--no-plots'] as const;

export function tempDir(prefix = 'ergo-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface CliResult {
  code: number;
  /** The same as code (spawnSync's name); null only when a process was killed by a signal. */
  status: number | null;
  stdout: string;
  stderr: string;
  /** The signal that killed the process (ergoProcess only). */
  signal?: NodeJS.Signals | null;
}

export interface CliOptions {
  /** Directory relative paths are resolved against (default: the repository). */
  cwd?: string;
  /** Variables on top of this process's environment (and ERGO_PROGRESS=log). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Variables src/ reads from process.env once per process (the linalg backend and its
 * kernels), which an in-process call cannot change: a test that sets them needs ergoProcess.
 */
const PROCESS_WIDE = ['ERGO_BACKEND', 'ERGO_NO_NATIVE', 'ERGO_NO_WASM', 'ERGO_NATIVE_PATH', 'ERGO_WASM_PATH', 'ERGO_GRAM_HELPER', 'ERGO_BLAS_THREADS'];

/** `ergo <args>` in this process: output captured, exit code returned, nothing global changed. */
export async function ergo(args: readonly string[], opts: CliOptions & { signal?: AbortSignal; hooks?: SweepHooks } = {}): Promise<CliResult> {
  const clash = PROCESS_WIDE.find((k) => opts.env && k in opts.env && opts.env[k] !== process.env[k]);
  if (clash) throw new Error(`ergo(): ${clash} is read once per process; run this test with ergoProcess (test/e2e/)`);
  const env = { ...process.env, ERGO_PROGRESS: 'log', ...opts.env };
  const hooks = opts.hooks ?? hooksFromEnv(env);
  let stdout = '';
  let stderr = '';
  const code = await runCliInProcess(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    cwd: opts.cwd ?? repoRoot,
    ...(hooks ? { hooks } : {}),
    ...(opts.signal ? { interrupt: opts.signal } : {}),
  });
  return { code, status: code, stdout, stderr };
}

/** `ergo <args>` as a child process (bin/ergo.js semantics, via the compiled entry); resolves when it exits. */
export function ergoProcess(args: readonly string[], opts: CliOptions & { timeout?: number } = {}): Promise<CliResult> {
  const child = spawnCli([...args], opts);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeout ?? 300_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ code: status ?? -1, status, stdout, stderr, signal });
    });
  });
}

/** A synchronous child process (spawnSync), for older tests; prefer ergo() or ergoProcess(). */
export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): SpawnSyncReturns<string> {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} missing: run npm run build first`);
  return spawnSync(process.execPath, [entry(opts.env), ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, ERGO_PROGRESS: 'log', ...opts.env },
    encoding: 'utf8',
    timeout: opts.timeout ?? 120_000,
  });
}

/** A child process running `ergo <args>`, for tests that signal or kill it. */
export function spawnCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return spawn(process.execPath, [entry(opts.env), ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, ERGO_PROGRESS: 'log', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The vendored reference fixtures (test/fixtures/bristol), found from the sources or from dist/. */
export const bristolFixtures = join(repoRoot, 'test', 'fixtures', 'bristol');
