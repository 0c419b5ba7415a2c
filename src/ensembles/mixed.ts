// Circular unitary mixed ensemble (conjugate of a network, SPEC section 3) and the orders of
// a mixed matrix ensemble (MME).
import type { RandomStream } from '../rng/index.js';
import type { ComplexMatrix } from '../linalg/types.js';
import { hypot } from '../linalg/index.js';
import { sampleCUE, sampleCOE, sampleCSE, type DenseMethod } from './dense.js';

/** |U| elementwise, row-major, from split complex storage. */
export function modulusMatrix(u: ComplexMatrix): Float64Array {
  const a = new Float64Array(u.rows * u.cols);
  for (let i = 0; i < a.length; i++) a[i] = hypot(u.re[i]!, u.im[i]!);
  return a;
}

/**
 * One layer of the conjugate circular ensemble: A = |U| (elementwise modulus) with U from
 * CUE(n) by `qr`; returned as a real row-major n x n Float64Array. Consumes what CUE(n, 'qr')
 * consumes (2 n^2 normals).
 */
export function circularMixedLayer(n: number, stream: RandomStream): Float64Array {
  return modulusMatrix(sampleCUE(n, stream, 'qr'));
}

/**
 * Member of a mixed matrix ensemble: A = |U| with U from `ensemble` at order n by a dense
 * method (CSE(n) is 2n x 2n, so A has 2n rows). Consumes what the dense sampler consumes.
 */
export function mmeMember(ensemble: 'CUE' | 'COE' | 'CSE', method: DenseMethod, n: number, stream: RandomStream): { rows: number; data: Float64Array } {
  const u = ensemble === 'CUE' ? sampleCUE(n, stream, method) : ensemble === 'COE' ? sampleCOE(n, stream, method) : sampleCSE(n, stream, method);
  return { rows: u.rows, data: modulusMatrix(u) };
}

const MAX_REDRAWS = 1_000_000;

// Binomial(nMax, p) sampled exactly as a count of nMax Bernoulli trials, trial t succeeding
// when the t-th uniform is < p (inversion of each Bernoulli; Devroye 1986, ch. X).
function binomial(nMax: number, p: number, stream: RandomStream): number {
  let k = 0;
  for (let t = 0; t < nMax; t++) if (stream.uniform() < p) k++;
  return k;
}

/**
 * Orders of `count` MME matrices: each ~ Binomial(nMax, p), a draw below 2 is redrawn (so the
 * law is Binomial(nMax, p) conditioned on >= 2). Consumes nMax uniforms per draw, redraws
 * included.
 */
export function mixedOrders(nMax: number, p: number, count: number, stream: RandomStream): number[] {
  if (!Number.isInteger(nMax) || nMax < 2) throw new RangeError(`mixedOrders: nMax must be an integer >= 2, got ${nMax}`);
  if (!(p > 0 && p <= 1)) throw new RangeError(`mixedOrders: p (degree of mixture) must be in (0, 1], got ${p}`);
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`mixedOrders: count must be an integer >= 1, got ${count}`);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    let k = 0;
    let tries = 0;
    do {
      if (++tries > MAX_REDRAWS) {
        throw new RangeError(`mixedOrders: Binomial(${nMax}, ${p}) gave an order < 2 in ${MAX_REDRAWS} draws; raise p or nMax`);
      }
      k = binomial(nMax, p, stream);
    } while (k < 2);
    out.push(k);
  }
  return out;
}
