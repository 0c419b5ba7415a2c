// Tail probabilities for the checks of `ergo validate` (circular-checks.ts): the standard
// normal two-sided tail and its inverse, the Kolmogorov distribution, and the one-sample
// Kolmogorov–Smirnov distance to a continuous CDF. Plain formulas; no statistics library
// is needed for four functions of a few lines each.
//   erfc: Chebyshev fit of W. H. Press et al., Numerical Recipes (2nd ed., 1992) sec. 6.2
//         (fractional error < 1.2e-7 everywhere), ample for pass/fail at a stated level.
//   normal quantile: bisection on that tail (monotone; 100 halvings reach float precision).
//   Kolmogorov: Q(l) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 l^2) (A. N. Kolmogorov 1933), with
//   Stephens' small-sample correction l = (sqrt(n) + 0.12 + 0.11/sqrt(n)) D (Numerical
//   Recipes sec. 14.3).

/** Complementary error function (Numerical Recipes erfcc). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** P(|Z| >= |z|) for a standard normal Z. */
export function twoSidedNormalP(z: number): number {
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

/** The z > 0 with P(|Z| >= z) = p, for p in (0, 1). */
export function twoSidedNormalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`tail probability must be in (0, 1), got ${p}`);
  let lo = 0, hi = 40;
  for (let i = 0; i < 100; i++) {
    const mid = 0.5 * (lo + hi);
    if (twoSidedNormalP(mid) > p) lo = mid; else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** Kolmogorov distribution tail Q(l) = P(sqrt(n) D > l) as n -> infinity. */
export function kolmogorovQ(l: number): number {
  if (l < 0.2) return 1;
  let sum = 0, sign = 1;
  for (let k = 1; k <= 100; k++) {
    const term = sign * Math.exp(-2 * k * k * l * l);
    sum += term;
    if (Math.abs(term) < 1e-16) break;
    sign = -sign;
  }
  return Math.max(0, Math.min(1, 2 * sum));
}

/** p-value of a KS distance d from n values (Stephens' correction, header). */
export function ksPValue(d: number, n: number): number {
  const s = Math.sqrt(n);
  return kolmogorovQ((s + 0.12 + 0.11 / s) * d);
}

/** sup_x |F_n(x) - F(x)| for the values (any order) against the continuous CDF F. */
export function ksDistance(values: ArrayLike<number>, cdf: (x: number) => number): number {
  const s = Float64Array.from(values as ArrayLike<number>).sort();
  const n = s.length;
  if (n === 0) throw new RangeError('KS distance of an empty sample');
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(s[i]!);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}
