// Mutation helpers for the weights fuzzer (test/weights.fuzz.test.ts): a seeded RNG, generic
// byte mutations (bit flips, truncations, interesting integers, chunk deletion / duplication),
// a JSON-aware edit, path games for formats that refer to other files, and the registry of
// fuzz targets. A reader plugs in with one line in test/helpers/fuzztargets.ts:
//   registerFuzzTarget({ name: 'gguf', format: 'gguf', build: ggufFixture });
// where build() returns the pristine model as a map of relative file names to bytes. Everything
// is deterministic in (seed, target name, mutant index), so a failing mutant can be replayed.
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A fixture file: bytes, or a symlink to `symlink` (relative to the fixture root's parent). */
export type FixtureFile = Uint8Array | { symlink: string } | { dir: true };

export interface Fixture {
  /** Relative path -> content; '/' separates folders. */
  files: Record<string, FixtureFile>;
  /** What the reader opens (a file or a folder), relative to the fixture root. */
  entry: string;
  /**
   * Bytes the referenced file holds in the valid model; path games put them in the outside file,
   * so a reader that followed a hostile reference would read a valid model (and be caught).
   */
  refBytes?: Uint8Array;
}

export type Rng = () => number;

export interface FuzzTarget {
  /** Shown in the counts, and part of each mutant's seed. */
  name: string;
  /** Reader to force (as openWeights' `format`); detection is exercised on a quarter of mutants. */
  format?: string;
  /**
   * The pristine model. `ref`, when given, replaces the model's reference to another file (a
   * shard path, an external-data location); targets without references ignore it.
   */
  build(ref?: string): Fixture;
  /** True when the format refers to other files (path games apply). */
  refers?: boolean;
  /** Format-aware edits (header fields, directory counts): return the mutated fixture. */
  edits?: ((fx: Fixture, r: Rng) => Fixture)[];
}

export const FUZZ_TARGETS: FuzzTarget[] = [];

export function registerFuzzTarget(t: FuzzTarget): void {
  if (FUZZ_TARGETS.some((x) => x.name === t.name)) throw new Error(`fuzz target '${t.name}' registered twice`);
  FUZZ_TARGETS.push(t);
}

// --- seeded randomness -------------------------------------------------------------------

// mulberry32 (Tommy Ettinger's 32-bit generator): small, fast, good enough for choosing mutations.
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a 32-bit hash of a string, to derive per-target seeds. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export function mutantSeed(base: number, target: string, index: number): number {
  return (hash32(target) ^ Math.imul(base + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
}

export const below = (r: Rng, n: number): number => Math.floor(r() * n);
export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[below(r, xs.length)]!;

// --- byte mutations ----------------------------------------------------------------------

/** An offset, half the time inside the first 256 bytes (where headers live). */
function offset(r: Rng, len: number): number {
  return r() < 0.5 ? below(r, Math.min(len, 256)) : below(r, len);
}

export function flipBits(b: Uint8Array, r: Rng): Uint8Array {
  const out = b.slice();
  if (out.length === 0) return out;
  const n = 1 + below(r, 8);
  for (let k = 0; k < n; k++) out[offset(r, out.length)]! ^= 1 << below(r, 8);
  return out;
}

export function truncate(b: Uint8Array, r: Rng): Uint8Array {
  if (b.length === 0) return b;
  const cut = r() < 0.5 ? b.length - 1 - below(r, Math.min(16, b.length)) : below(r, b.length);
  return b.slice(0, cut);
}

const INTERESTING = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

/** Overwrite a little-endian integer of 1, 2, 4 or 8 bytes with a boundary value. */
export function interestingInt(b: Uint8Array, r: Rng): Uint8Array {
  const out = b.slice();
  const width = pick(r, [1, 2, 4, 8]);
  if (out.length < width) return out;
  const at = Math.min(offset(r, out.length), out.length - width);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const v = r() < 0.2 ? out.length + below(r, 3) - 1 : pick(r, INTERESTING);
  if (width === 1) dv.setUint8(at, v & 0xff);
  else if (width === 2) dv.setUint16(at, v & 0xffff, true);
  else if (width === 4) dv.setUint32(at, v >>> 0, true);
  else dv.setBigUint64(at, r() < 0.2 ? 0xffffffffffffffffn : BigInt(v), true);
  return out;
}

export function deleteChunk(b: Uint8Array, r: Rng): Uint8Array {
  if (b.length < 2) return b;
  const at = offset(r, b.length);
  const len = 1 + below(r, Math.min(64, b.length - at));
  const out = new Uint8Array(b.length - len);
  out.set(b.subarray(0, at));
  out.set(b.subarray(at + len), at);
  return out;
}

export function duplicateChunk(b: Uint8Array, r: Rng): Uint8Array {
  if (b.length === 0) return b;
  const at = offset(r, b.length);
  const len = 1 + below(r, Math.min(64, b.length - at));
  const out = new Uint8Array(b.length + len);
  out.set(b.subarray(0, at + len));
  out.set(b.subarray(at, at + len), at + len);
  out.set(b.subarray(at + len), at + 2 * len);
  return out;
}

export function appendGarbage(b: Uint8Array, r: Rng): Uint8Array {
  const extra = Uint8Array.from({ length: 1 + below(r, 32) }, () => below(r, 256));
  const out = new Uint8Array(b.length + extra.length);
  out.set(b);
  out.set(extra, b.length);
  return out;
}

export const BYTE_MUTATIONS: { name: string; fn: (b: Uint8Array, r: Rng) => Uint8Array }[] = [
  { name: 'flip', fn: flipBits },
  { name: 'truncate', fn: truncate },
  { name: 'int', fn: interestingInt },
  { name: 'delete', fn: deleteChunk },
  { name: 'duplicate', fn: duplicateChunk },
  { name: 'append', fn: appendGarbage },
];

// --- JSON edits ----------------------------------------------------------------------------

const HOSTILE: unknown[] = [
  null, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 2, 300, 65536, '', 'x', '../x', '/etc/passwd', '.', [], [null], [-1], [2 ** 40, 2 ** 40], {}, { a: 1 }, true, 'float64', 'complex64', 'string', 'uint8', 'NaN',
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every [container, key] pair of a parsed JSON value, depth first. */
function slots(v: Json, out: [Json[] | Record<string, Json>, string | number][] = []): [Json[] | Record<string, Json>, string | number][] {
  if (Array.isArray(v)) v.forEach((x, i) => { out.push([v, i]); slots(x, out); });
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) { out.push([v, k]); slots(v[k]!, out); }
  return out;
}

/**
 * Edit a JSON text at a random place: replace a value with a hostile one, delete a key or an
 * element, or duplicate an element. Returns the text unchanged when it is not JSON.
 */
export function editJsonText(text: string, r: Rng): string {
  let v: Json;
  try {
    v = JSON.parse(text) as Json;
  } catch {
    return text;
  }
  const all = slots(v);
  if (all.length === 0) return JSON.stringify(pick(r, HOSTILE));
  const edits = 1 + below(r, 2);
  for (let e = 0; e < edits; e++) {
    const [c, k] = pick(r, all);
    const what = r();
    if (what < 0.65) (c as Record<string | number, Json>)[k] = pick(r, HOSTILE) as Json;
    else if (what < 0.85) {
      if (Array.isArray(c)) c.splice(k as number, 1);
      else delete c[k as string];
    } else if (Array.isArray(c)) c.splice(k as number, 0, structuredClone(c[k as number]!));
    else (c as Record<string, Json>)[`${String(k)}_`] = structuredClone(c[k as string]!);
  }
  return JSON.stringify(v);
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** A JSON-aware edit of one JSON file of the fixture (no-op when the fixture holds none). */
export function editJsonFile(fx: Fixture, r: Rng): Fixture {
  const names = Object.keys(fx.files).filter((n) => n.endsWith('.json'));
  if (names.length === 0) return fx;
  const n = pick(r, names);
  const f = fx.files[n];
  if (!(f instanceof Uint8Array)) return fx;
  return { ...fx, files: { ...fx.files, [n]: utf8(editJsonText(text(f), r)) } };
}

// --- path games --------------------------------------------------------------------------

/** The file every hostile reference points at; the runner writes it next to the model folder. */
export const OUTSIDE_DIR = 'outside';
export const OUTSIDE_FILE = 'outside/secret.bin';

/**
 * References a model must never follow, given the absolute path of the outside file: escapes,
 * absolute paths, symlinks leading out (HOSTILE_LINKS, created in the model folder), directories,
 * empty names, URLs, NUL bytes.
 */
export function hostileRefs(outsideAbs: string): string[] {
  return [
    '../outside/secret.bin',
    '../../../../../../../../etc/passwd',
    '/etc/passwd',
    outsideAbs,
    'link-out.bin',
    'link-dir/secret.bin',
    'sub/../../outside/secret.bin',
    '',
    '.',
    './',
    'sub',
    'https://example.com/w.bin',
    'file:///etc/passwd',
    'a\u0000b.bin',
    '/dev/zero',
    '..',
  ];
}

/** Symlinks a path-game fixture carries (relative to the model folder -> target relative to it). */
export const HOSTILE_LINKS: Record<string, FixtureFile> = {
  'link-out.bin': { symlink: '../outside/secret.bin' },
  'link-dir': { symlink: '../outside' },
  sub: { dir: true },
};

/** Write a fixture under `dir` (emptied first): files, folders and symlinks. */
export function writeFixture(dir: string, fx: Fixture): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, f] of Object.entries(fx.files)) {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    if (f instanceof Uint8Array) writeFileSync(p, f);
    else if ('dir' in f) mkdirSync(p, { recursive: true });
    else symlinkSync(f.symlink, p);
  }
}
