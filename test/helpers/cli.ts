// Test helpers: locate the repository and run the compiled CLI as a child process.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

export function tempDir(prefix = 'ergo-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): SpawnSyncReturns<string> {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} missing: run npm run build first`);
  return spawnSync(process.execPath, [entry(opts.env), ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, ERGO_PROGRESS: 'log', ...opts.env },
    encoding: 'utf8',
    timeout: opts.timeout ?? 120_000,
  });
}

export function spawnCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return spawn(process.execPath, [entry(opts.env), ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, ERGO_PROGRESS: 'log', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The vendored reference fixtures (test/fixtures/bristol), found from the sources or from dist/. */
export const bristolFixtures = join(repoRoot, 'test', 'fixtures', 'bristol');
