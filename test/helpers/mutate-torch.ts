// Seeded mutations of model files for the PyTorch / Hugging Face fuzz test
// (test/weights.fuzz-pytorch.test.ts): byte and bit flips, truncations, interesting integers
// written over length / offset fields (anywhere, and at the ZIP record fields), pickle opcode
// swaps, chunk deletion and duplication, and JSON text edits. Deterministic in the seed, so a
// failing mutant is replayed from (fixture, index). Kept apart from the generic fuzzer's helper
// (test/helpers/mutate.ts on branch i10) so that the two can be unified without a merge clash.
import seedrandom from 'seedrandom';

export type Rng = () => number;

export function rngFor(seed: string): Rng {
  return seedrandom(seed);
}

const below = (r: Rng, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[below(r, xs.length)]!;

/** Values that break length / offset / count fields. */
const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

function writeUint(b: Uint8Array, at: number, width: number, v: number): void {
  for (let i = 0; i < width && at + i < b.length; i++) b[at + i] = Math.floor(v / 2 ** (8 * i)) & 0xff;
}

/** Offsets of ZIP record signatures (local header, central entry, end records). */
function zipRecords(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 <= b.length; i++) {
    if (b[i] === 0x50 && b[i + 1] === 0x4b && (b[i + 2] === 1 || b[i + 2] === 3 || b[i + 2] === 5 || b[i + 2] === 6)) out.push(i);
  }
  return out;
}

/** Pickle opcodes worth swapping in (structure, lengths, persistent ids, calls). */
const OPCODES = [0x28, 0x2e, 0x30, 0x31, 0x51, 0x52, 0x58, 0x5d, 0x61, 0x62, 0x68, 0x71, 0x73, 0x74, 0x75, 0x7d, 0x81, 0x8a, 0x8b, 0x8e, 0x93, 0x94, 0x95];

export interface Mutation {
  name: string;
  apply(b: Uint8Array, r: Rng): Uint8Array;
}

export const BYTE_MUTATIONS: Mutation[] = [
  { name: 'flip bytes', apply: (b, r) => { const o = b.slice(); for (let k = 1 + below(r, 4); k > 0; k--) o[below(r, o.length)] = below(r, 256); return o; } },
  { name: 'flip bit', apply: (b, r) => { const o = b.slice(); o[below(r, o.length)]! ^= 1 << below(r, 8); return o; } },
  { name: 'truncate', apply: (b, r) => b.slice(0, below(r, b.length)) },
  { name: 'truncate tail', apply: (b, r) => b.slice(0, Math.max(0, b.length - 1 - below(r, 64))) },
  {
    name: 'interesting int',
    apply: (b, r) => { const o = b.slice(); writeUint(o, below(r, o.length), pick(r, [1, 2, 4, 8]), pick(r, INTERESTING)); return o; },
  },
  {
    name: 'zip field',
    apply: (b, r) => {
      const recs = zipRecords(b);
      const o = b.slice();
      const at = recs.length > 0 ? pick(r, recs) + 4 + below(r, 42) : below(r, o.length);
      writeUint(o, at, pick(r, [2, 4]), pick(r, INTERESTING));
      return o;
    },
  },
  { name: 'opcode', apply: (b, r) => { const o = b.slice(); o[below(r, o.length)] = pick(r, OPCODES); return o; } },
  {
    name: 'delete chunk',
    apply: (b, r) => { const at = below(r, b.length); const n = 1 + below(r, 64); return Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + n)]); },
  },
  {
    name: 'duplicate chunk',
    apply: (b, r) => { const at = below(r, b.length); const n = 1 + below(r, 64); return Uint8Array.from([...b.subarray(0, at + n), ...b.subarray(at, at + n), ...b.subarray(at + n)]); },
  },
];

/** Text edits for JSON (indexes): delete or replace a character, change a number, retarget a string. */
export function mutateJsonText(text: string, r: Rng): string {
  const at = below(r, text.length);
  switch (below(r, 5)) {
    case 0: return text.slice(0, at) + text.slice(at + 1);
    case 1: return text.slice(0, at) + pick(r, ['{', '}', '"', ',', ':', '[', '0', '\\']) + text.slice(at + 1);
    case 2: return text.replace(/\d+/, String(pick(r, INTERESTING)));
    case 3: return text.replace(/"[^"]*\.(safetensors|bin)"/, pick(r, ['"../x.safetensors"', '"/etc/passwd"', '""', '"nope.bin"', '"model.safetensors.index.json"']));
    default: return text.slice(0, at);
  }
}

/** One seeded mutation of `b`: returns the bytes and a short description for failure messages. */
export function mutate(b: Uint8Array, r: Rng, isJson = false): { bytes: Uint8Array; what: string } {
  if (isJson && r() < 0.6) return { bytes: new TextEncoder().encode(mutateJsonText(new TextDecoder().decode(b), r)), what: 'json edit' };
  const m = pick(r, BYTE_MUTATIONS);
  return { bytes: m.apply(b, r), what: m.name };
}
