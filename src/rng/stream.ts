// Seeded random streams (SPEC section 2).
// Generator: seedrandom's xor4096 (Brent's xorgens, 4096-bit state), chosen over the
// default ARC4 for speed and period; `uniform()` gives 53 random bits in [0, 1), as its
// `double()` does. seedrandom seeds the state (its key schedule is the contract); the step
// below is ours, the same recurrence on an Int32Array instead of the library's closure over a
// plain array: about 10% less time per normal (Box–Muller's log, sqrt, sin and cos are most of
// it). test/rng.test.ts checks it against the library's own stream, bit for bit.
// Gaussian transform (fixed, part of the reproducibility contract): Box–Muller,
// z0 = sqrt(-2 ln(1 - u1)) cos(2 pi u2), z1 = ... sin(2 pi u2), drawn as pairs and
// consumed z0 then z1. Two uniforms per pair, always, so a stream's position after k
// normals is known.
import seedrandom from 'seedrandom';

export interface RandomStream {
  /** Uniform double in [0, 1), 53 bits. */
  uniform(): number;
  /** Standard normal (Box–Muller, see module header). */
  normal(): number;
  /** Fill `out` with standard normals, scaled by `scale`. */
  fillNormal(out: Float64Array, scale?: number): Float64Array;
  /** Fill `out` with uniforms in [0, 1). */
  fillUniform(out: Float64Array): Float64Array;
  /** The seed string this stream was created from. */
  readonly seed: string;
}

const TWO_PI = 2 * Math.PI;

interface XorgensState {
  X: number[];
  i: number;
  w: number;
}

// Brent's xorgens (4096 bits: r = 128, s = 95, shifts 17/12/13/15, Weyl increment 0x61c88647)
// as seedrandom's xor4096 steps it; doubles from two 32-bit outputs as its double() makes them.
function xor4096Doubles(seed: string): () => number {
  const start = (seedrandom.xor4096(seed, { state: true }) as unknown as { state(): XorgensState }).state();
  const x = Int32Array.from(start.X);
  let i = start.i | 0;
  let w = start.w | 0;
  const next = (): number => {
    w = (w + 0x61c88647) | 0;
    let v = x[(i + 34) & 127]!;
    i = (i + 1) & 127;
    let t = x[i]!;
    v ^= v << 13;
    t ^= t << 17;
    v ^= v >>> 15;
    t ^= t >>> 12;
    v ^= t;
    x[i] = v;
    return (v + (w ^ (w >>> 16))) | 0;
  };
  return (): number => {
    let r: number;
    do {
      const top = next() >>> 11;
      const bot = (next() >>> 0) / 0x100000000;
      r = (top + bot) / (1 << 21);
    } while (r === 0);
    return r;
  };
}

export function createStream(seed: string | number): RandomStream {
  const seedStr = String(seed);
  const double = xor4096Doubles(seedStr);
  let spare = 0;
  let hasSpare = false;
  const normal = (): number => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    const u1 = double();
    const u2 = double();
    const r = Math.sqrt(-2 * Math.log(1 - u1)); // 1 - u1 in (0, 1]: log is finite
    const t = TWO_PI * u2;
    spare = r * Math.sin(t);
    hasSpare = true;
    return r * Math.cos(t);
  };
  return {
    seed: seedStr,
    uniform: double,
    normal,
    fillNormal(out: Float64Array, scale = 1): Float64Array {
      for (let i = 0; i < out.length; i++) out[i] = normal() * scale;
      return out;
    },
    fillUniform(out: Float64Array): Float64Array {
      for (let i = 0; i < out.length; i++) out[i] = double();
      return out;
    },
  };
}
