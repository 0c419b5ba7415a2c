// Symmetric Kullback–Leibler distance and the approach to spectral ergodicity
// (SPEC section 4).
//   D(a, b) = sum a log2((a+s)/(b+s)) + sum b log2((b+s)/(a+s)),  s = 1e-9.
// Same formula in both semantics (the reference's kl_distance_symmetric). The
// sums use numpy's pairwise summation (numpy/_core/src/umath/loops_utils.h)
// so the rounding follows np.sum; log2 is V8's, which can differ from libm in
// the last bit.
// D_se, the approach to spectral ergodicity built on it, is in dse.ts.

import { assertFinite } from '../linalg/types.js';

export const KL_SHIFT = 1e-9;

// numpy pairwise summation: blocks of <8 summed sequentially, <=128 with 8
// partial sums, larger split in halves (rounded to a multiple of 8).
export function pairwiseSum(a: Float64Array, start = 0, n = a.length): number {
  if (n < 8) {
    let s = -0;
    for (let i = 0; i < n; i++) s += a[start + i]!;
    return s;
  }
  if (n <= 128) {
    const r = [a[start]!, a[start + 1]!, a[start + 2]!, a[start + 3]!, a[start + 4]!, a[start + 5]!, a[start + 6]!, a[start + 7]!];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] = r[j]! + a[start + i + j]!;
    let res = ((r[0]! + r[1]!) + (r[2]! + r[3]!)) + ((r[4]! + r[5]!) + (r[6]! + r[7]!));
    for (; i < n; i++) res += a[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** Symmetric KL distance in bits between two equal-length non-negative vectors. */
export function klSymmetric(a: ArrayLike<number>, b: ArrayLike<number>, shift = KL_SHIFT): number {
  if (a.length !== b.length) throw new RangeError(`klSymmetric: lengths differ (${a.length} vs ${b.length}); compare Omegas on the same bins`);
  assertFinite(a, 'klSymmetric a');
  assertFinite(b, 'klSymmetric b');
  const n = a.length;
  const ta = new Float64Array(n), tb = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const x = a[k]!, y = b[k]!;
    ta[k] = x * Math.log2((x + shift) / (y + shift));
    tb[k] = y * Math.log2((y + shift) / (x + shift));
  }
  return pairwiseSum(ta) + pairwiseSum(tb);
}
