// Circular ensembles (SPEC section 3): dense samplers, the Killip–Nenciu spectral sampler,
// the bristol reproduction recipe, the circular mixed ensemble and MME orders.
import type { RandomStream } from '../rng/index.js';
import { unitaryEigenphases } from '../linalg/index.js';
import { circularBetaEigenphases } from './cmv.js';
import { sampleCOE, sampleCSE, sampleCUE } from './dense.js';
import { bristolEigenphases } from './bristol.js';

export { circularBetaEigenphases, cmvEigenphases, cmvMatrix, sampleVerblunsky, type Verblunsky } from './cmv.js';
export { sampleCUE, sampleCOE, sampleCSE, quaternionDual, type DenseMethod } from './dense.js';
export {
  unitAnti,
  unitSymplectic,
  bristolCUE,
  bristolCOE,
  bristolCSE,
  bristolEigenphases,
  type AntisymmetryDirection,
} from './bristol.js';
export { circularMixedLayer, mixedOrders, modulusMatrix, mmeMember } from './mixed.js';
export { gaussianLayerMatrix } from './gaussian.js';

import { ENSEMBLES, METHODS, type EnsembleName, type Method } from './names.js';
export { ENSEMBLES, METHODS, DENSE_METHODS, REPRODUCTION_ONLY_METHODS, type EnsembleName, type Method } from './names.js';
/** Dyson index used by method `spectral`. */
export const BETA: Readonly<Record<EnsembleName, number>> = { COE: 1, CUE: 2, CSE: 4 };

const TWO_PI = 2 * Math.PI;

/**
 * One eigenphase per Kramers pair of a self-dual unitary: `phases` holds the 2m eigenphases
 * ascending in (-pi, pi], in which every value occurs twice up to rounding. Partners are
 * neighbours on the circle, so the pairing is (0,1)(2,3)... or (1,2)(3,4)...(2m-1,0); the
 * one with the smaller total circular gap is taken (this handles a pair split across the
 * +-pi cut). Each pair is reported by its circular midpoint, wrapped into (-pi, pi] and
 * sorted.
 */
export function kramersPhases(phases: Float64Array): Float64Array {
  const m2 = phases.length;
  if (m2 % 2 !== 0) throw new RangeError(`kramersPhases: need an even number of phases, got ${m2}`);
  const m = m2 / 2;
  const fwd = (i: number, j: number): number => {
    const d = phases[j]! - phases[i]!;
    return d < 0 ? d + TWO_PI : d; // counter-clockwise distance from i to j
  };
  let costA = 0;
  let costB = 0;
  for (let k = 0; k < m; k++) {
    costA += fwd(2 * k, 2 * k + 1);
    costB += fwd(2 * k + 1, (2 * k + 2) % m2);
  }
  const off = costB < costA ? 1 : 0;
  const out = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const i = (2 * k + off) % m2;
    const j = (2 * k + 1 + off) % m2;
    let t = phases[i]! + 0.5 * fwd(i, j);
    if (t > Math.PI) t -= TWO_PI;
    if (t <= -Math.PI) t += TWO_PI;
    out[k] = t;
  }
  return out.sort();
}

function checkName<T extends string>(value: string, allowed: readonly T[], what: string): asserts value is T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new RangeError(`sampleEigenphases: ${what} must be one of ${allowed.join(', ')}, got '${value}'`);
  }
}

/**
 * `count` matrices of `ensemble` sampled by `method`, each as its eigenphases ascending in
 * (-pi, pi]. n is the matrix order for CUE and COE and the number of distinct eigenphases for
 * CSE (one per Kramers pair of the 2n x 2n matrix; the pair's circular midpoint). Exception:
 * method `bristol` (reproduction only) reports all 2n angles for CSE, as the reference does.
 * Matrices are drawn one after another from `stream`, each consuming what its sampler
 * documents (dense.ts, cmv.ts, bristol.ts).
 */
export function sampleEigenphases(
  ensemble: EnsembleName,
  method: Method,
  n: number,
  count: number,
  stream: RandomStream,
): Float64Array[] {
  checkName(ensemble, ENSEMBLES, 'ensemble');
  checkName(method, METHODS, 'method');
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`sampleEigenphases: n must be an integer >= 2, got ${n}`);
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`sampleEigenphases: count must be an integer >= 1, got ${count}`);
  }
  const out: Float64Array[] = [];
  for (let c = 0; c < count; c++) {
    if (method === 'spectral') {
      out.push(circularBetaEigenphases(n, BETA[ensemble], stream));
    } else if (method === 'bristol') {
      out.push(bristolEigenphases(ensemble, n, stream));
    } else if (ensemble === 'CUE') {
      out.push(unitaryEigenphases(sampleCUE(n, stream, method)));
    } else if (ensemble === 'COE') {
      out.push(unitaryEigenphases(sampleCOE(n, stream, method)));
    } else {
      out.push(kramersPhases(unitaryEigenphases(sampleCSE(n, stream, method))));
    }
  }
  return out;
}
