// Seeded random streams (SPEC section 2).
// Generator: seedrandom's xor4096 (Brent's xorgens, 4096-bit state), chosen over the
// default ARC4 for speed and period; `double()` gives 53 random bits in [0, 1).
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

export function createStream(seed: string | number): RandomStream {
  const seedStr = String(seed);
  const prng = seedrandom.xor4096(seedStr);
  const double = (): number => prng.double();
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
