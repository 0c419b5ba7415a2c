// Small helpers of every WebAssembly kernel (loads, stores, SIMD horizontal sum, exact
// powers of two for scaling), inlined where used.
@inline export function ld(p: usize): f64 {
  return load<f64>(p);
}
@inline export function st(p: usize, x: f64): void {
  store<f64>(p, x);
}
@inline export function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** 2^k for -1074 <= k <= 1023, built from the bits (exact; subnormal below -1022). */
@inline export function pow2(k: i32): f64 {
  if (k < -1022) return reinterpret<f64>(<u64>1 << <u64>(k + 1074));
  return reinterpret<f64>(<u64>(k + 1023) << 52);
}

/** Biased exponent of a positive finite double. */
@inline export function biasedExp(x: f64): i32 {
  return <i32>((reinterpret<u64>(x) >> 52) & 0x7ff);
}

/** Dot product of x[0..len) and y[0..len) (contiguous). */
@inline export function dot(x: usize, y: usize, len: i32): f64 {
  let acc = f64x2.splat(0);
  let j = 0;
  for (; j + 1 < len; j += 2) {
    const o = <usize>j << 3;
    acc = f64x2.add(acc, f64x2.mul(v128.load(x + o), v128.load(y + o)));
  }
  let s = hsum(acc);
  if (j < len) s += ld(x + (<usize>j << 3)) * ld(y + (<usize>j << 3));
  return s;
}

/** d = 0, e = 0: the tridiagonal form of a zero matrix. */
@inline export function zeroTridiagonal(d: usize, e: usize, n: i32): void {
  for (let i = 0; i < n; i++) st(d + (<usize>i << 3), 0);
  for (let i = 0; i < n - 1; i++) st(e + (<usize>i << 3), 0);
}

/** Undo the exact scaling by 2^-up of the tridiagonalisations: d, e times 2^up, in two halves. */
@inline export function unscaleTridiagonal(d: usize, e: usize, n: i32, up: i32): void {
  const h1 = -(up >> 1);
  const h2 = -up - h1;
  const f1 = pow2(h1);
  const f2 = pow2(h2);
  for (let i = 0; i < n; i++) st(d + (<usize>i << 3), ld(d + (<usize>i << 3)) * f1 * f2);
  for (let i = 0; i < n - 1; i++) st(e + (<usize>i << 3), ld(e + (<usize>i << 3)) * f1 * f2);
}
