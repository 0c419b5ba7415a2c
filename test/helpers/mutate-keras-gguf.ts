// Seeded mutation of a file's bytes for robustness tests: each mutant is the original with one
// of a few corruptions a damaged or hostile file shows (flipped bits, overwritten bytes, an
// integer field made huge or zero, a truncation, a removed or repeated range). The same seed
// gives the same mutants, so a failure names a mutant that can be reproduced.
import seedrandom from 'seedrandom';

export interface Mutant {
  index: number;
  kind: string;
  bytes: Uint8Array;
}

const SPECIAL = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe];

export function* mutants(original: Uint8Array, count: number, seed: string): Generator<Mutant> {
  const rng = seedrandom(seed);
  const int = (n: number): number => Math.floor(rng() * n);
  const len = original.length;
  for (let index = 0; index < count; index++) {
    const b = original.slice();
    let kind: string;
    switch (int(6)) {
      case 0: {
        const flips = 1 + int(4);
        for (let i = 0; i < flips; i++) { const p = int(len); b[p] = b[p]! ^ (1 << int(8)); }
        kind = `flip ${flips} bit(s)`;
        break;
      }
      case 1: {
        const n = 1 + int(8), p = int(len);
        for (let i = p; i < Math.min(len, p + n); i++) b[i] = SPECIAL[int(SPECIAL.length)]!;
        kind = `overwrite ${n} byte(s) at ${p}`;
        break;
      }
      case 2: {
        // a little-endian integer field made huge, zero or all ones (sizes, counts, offsets)
        const p = int(Math.max(1, len - 8)), w = [2, 4, 8][int(3)]!, v = [0x00, 0xff, 0x7f][int(3)]!;
        for (let i = p; i < Math.min(len, p + w); i++) b[i] = v;
        kind = `${w}-byte field at ${p} set to 0x${v.toString(16)}..`;
        break;
      }
      case 3: {
        const cut = int(len);
        yield { index, kind: `truncated to ${cut} bytes`, bytes: b.subarray(0, cut) };
        continue;
      }
      case 4: {
        const p = int(len), n = 1 + int(Math.min(64, len - p));
        const out = new Uint8Array(len - n);
        out.set(b.subarray(0, p));
        out.set(b.subarray(p + n), p);
        yield { index, kind: `${n} byte(s) removed at ${p}`, bytes: out };
        continue;
      }
      default: {
        const p = int(len), n = 1 + int(Math.min(64, len - p));
        const out = new Uint8Array(len + n);
        out.set(b.subarray(0, p + n));
        out.set(b.subarray(p), p + n);
        yield { index, kind: `${n} byte(s) repeated at ${p}`, bytes: out };
        continue;
      }
    }
    yield { index, kind, bytes: b };
  }
}
