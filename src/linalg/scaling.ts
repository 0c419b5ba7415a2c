// Internal helpers: exact power-of-two scaling so that squares of entries
// neither overflow (|x| ~ 1e200) nor underflow (|x| ~ 1e-200) inside kernels.

/** Largest |x_i| over the given arrays. */
export function maxAbs(...arrays: ArrayLike<number>[]): number {
  let m = 0;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = Math.abs(a[i]!);
      if (v > m) m = v;
    }
  }
  return m;
}

/**
 * A power of two s such that s * amax lies in [0.5, 1) (clamped so s itself
 * stays a normal, finite double). Multiplying by s and later dividing by it
 * is exact, so scaling never costs accuracy.
 */
export function powerOfTwoScale(amax: number): number {
  if (amax === 0 || !Number.isFinite(amax)) return 1;
  let ex = Math.floor(Math.log2(amax)) + 1;
  if (ex > 1000) ex = 1000;
  if (ex < -1000) ex = -1000;
  return 2 ** -ex;
}
