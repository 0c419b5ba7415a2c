// Gaussian-initialised layers: the baseline "untrained network" of the CSD paper (SPEC
// section 7). A sampler like the circular ones: its only randomness is `stream`.
import type { RandomStream } from '../rng/index.js';

// Gaussian (LeCun-normal) initialisation, entries N(0, 1/fan_in) with fan_in = m:
// the "Gaussian-initialised network" baseline layer A (n x m, row-major).
export function gaussianLayerMatrix(n: number, m: number, stream: RandomStream): Float64Array {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(m) || m < 1) {
    throw new RangeError(`gaussianLayerMatrix: n and m must be integers >= 1, got ${n} x ${m}`);
  }
  return stream.fillNormal(new Float64Array(n * m), 1 / Math.sqrt(m));
}
