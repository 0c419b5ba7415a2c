// Helpers for the `ergo cpse` / `ergo layers` CLI tests: run the CLI in-process, parse its
// JSON, read the layer-spectrum cache with apache-arrow directly (not ergo's reader).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from './arrow.js';
import { ergo, tempDir, NO_FIGURES } from './cli.js';

export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function cli(args: string[], opts: { cwd?: string } = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const r = await ergo(args, opts);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * `ergo cpse --json` with its own cache; asserts success. Without `dirs.out` it runs as users
 * run `--json` alone: a temporary run directory and no plots or report (the tests of those
 * files pass `out`); with it, the run directory and its results are written there, without
 * figures (NO_FIGURES): the figures have their own tests, and for a large network the page
 * takes longer than its cached spectra.
 */
export async function cpseJson(files: string[], extra: string[] = [], dirs?: { cache?: string; out?: string }): Promise<Json> {
  const cache = dirs?.cache ?? tempDir('ergo-cpse-cache-');
  const out = dirs?.out === undefined ? [] : ['--out', dirs.out, ...NO_FIGURES];
  const r = await cli(['cpse', ...files, '--json', '--cache', cache, ...out, '--workers', '0', ...extra]);
  assert.equal(r.status, 0, `ergo cpse ${files.join(' ')} ${extra.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

export async function layersJson(file: string, extra: string[] = []): Promise<Json> {
  const r = await cli(['layers', file, '--json', ...extra]);
  assert.equal(r.status, 0, `ergo layers ${file}: exit ${r.status}\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

export interface CachedSpectrum { hash: string; n: number; m: number; semantics: string; mode: string; values: Float64Array }

/** Every layer spectrum (.arrow file) in a folder, read with apache-arrow directly (not ergo's reader). */
export function readSpectra(dir: string): CachedSpectrum[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.arrow')).map((f) => {
    const t = tableFromIPC(readFileSync(join(dir, f)));
    const md = t.schema.metadata;
    return {
      hash: md.get('ergo.hash')!, n: Number(md.get('ergo.n')), m: Number(md.get('ergo.m')),
      semantics: md.get('ergo.semantics')!, mode: md.get('ergo.mode')!,
      values: Float64Array.from(t.getChild('value')!.toArray() as ArrayLike<number>),
    };
  });
}

/** Every layer spectrum in a cache dir. */
export function readCache(cacheDir: string): CachedSpectrum[] {
  return readSpectra(join(cacheDir, 'layers'));
}

export function relClose(got: number, exp: number, rtol: number, what: string): void {
  assert.ok(Math.abs(got - exp) <= rtol * Math.abs(exp), `${what}: got ${got}, expected ${exp} (rtol ${rtol})`);
}

/** Pair two sets of layer spectra by (n, m, trace) and compare within rtol of each layer's largest eigenvalue. */
export function sameSpectra(a: CachedSpectrum[], b: CachedSpectrum[], rtol: number, what: string): void {
  const key = (s: CachedSpectrum) => [s.n, s.m, s.values.reduce((x, y) => x + y, 0)] as const;
  const sort = (l: CachedSpectrum[]) => [...l].sort((x, y) => { const p = key(x), q = key(y); return p[0] - q[0] || p[1] - q[1] || p[2] - q[2]; });
  const sa = sort(a), sb = sort(b);
  assert.equal(sa.length, sb.length, `${what}: number of cached spectra`);
  sa.forEach((x, i) => {
    const y = sb[i]!;
    assert.deepEqual([x.n, x.m], [y.n, y.m], `${what}: layer shapes`);
    const max = Math.max(...x.values);
    for (let k = 0; k < x.n; k++) assert.ok(Math.abs(x.values[k]! - y.values[k]!) <= rtol * max, `${what}: ${x.n}x${x.m} eigenvalue ${k}: ${x.values[k]} vs ${y.values[k]}`);
  });
}

/** Asserts a failed CLI run: exit 2, exactly one stderr line, no stack trace, nothing on stdout. */
export function oneLineError(r: { status: number | null; stdout: string; stderr: string }, ...mustContain: string[]): string {
  assert.equal(r.status, 2, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^ergo: /);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/);
  assert.equal(r.stdout, '', 'no numbers printed');
  for (const s of mustContain) assert.ok(lines[0]!.includes(s), `"${lines[0]}" should name ${s}`);
  return lines[0]!;
}

