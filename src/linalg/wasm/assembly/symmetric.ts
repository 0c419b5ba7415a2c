// Real symmetric tridiagonalisation (unblocked, and blocked for n >= TBLOCK_MIN): the first
// step of the symmetric eigenvalue kernels (src/linalg/symmetric.ts dispatches here).
// Layout trick: a row-major upper triangle is the same memory as a column-major lower
// triangle, so LAPACK's "lower" algorithms (which walk columns) walk contiguous rows here.
import { ld, st, hsum, pow2, biasedExp, dot, zeroTridiagonal, unscaleTridiagonal } from './helpers';
import { gramTile } from './gram';

// ---------------------------------------------------------------------------
// Real symmetric tridiagonalisation.

/**
 * Householder vector of x[0..len) (x at address x, stride 8), written to
 * v[0..len) with v[0] = 1, in the LAPACK dlarfg convention
 * H = I - tau v v^T, H x = beta e1. Returns beta; tau goes to the global.
 * The norm is taken of x scaled by a power of two (max entry in [0.5, 1)), so
 * columns of rounding noise (~1e-160) neither underflow to 0/0 nor lose digits.
 */
let houseTau: f64 = 0;
function houseReal(x: usize, v: usize, len: i32): f64 {
  const alpha = ld(x);
  let xmax = Math.abs(alpha);
  for (let j = 1; j < len; j++) xmax = Math.max(xmax, Math.abs(ld(x + (<usize>j << 3))));
  st(v, 1.0);
  for (let j = 1; j < len; j++) st(v + (<usize>j << 3), 0);
  houseTau = 0;
  if (xmax == 0) return alpha;
  const f = pow2(1022 - biasedExp(xmax));
  let sigma: f64 = 0;
  for (let j = 1; j < len; j++) {
    const t = ld(x + (<usize>j << 3)) * f;
    sigma += t * t;
  }
  // Nothing to annihilate (H = I).
  if (sigma == 0) return alpha;
  const a = alpha * f;
  const beta = -copysign<f64>(Math.sqrt(a * a + sigma), a);
  houseTau = (beta - a) / beta;
  const scal = f / (a - beta);
  for (let j = 1; j < len; j++) st(v + (<usize>j << 3), ld(x + (<usize>j << 3)) * scal);
  return beta / f;
}

/**
 * Householder reduction of a real symmetric matrix to tridiagonal form, values
 * only (LAPACK dsytd2, uplo = 'L' order; Golub & Van Loan, Matrix Computations,
 * 4th ed., Alg. 8.3.1). Only the upper triangle of the row-major matrix at `a`
 * is read and it is overwritten. The rank-2 update of step k is fused with the
 * symmetric matrix-vector product of step k+1, two rows per pass, so the
 * trailing matrix is streamed once per step.
 * Outputs d[0..n), e[0..n-1). work: 4n doubles.
 * From n = TBLOCK_MIN on, the blocked reduction (tridiagBlocked) runs instead;
 * it also overwrites the strictly lower triangle (as scratch).
 * The matrix is first scaled by a power of two (exact) so max|a_ij| is in
 * [0.5, 1): no overflow or harmful underflow for huge or tiny inputs.
 */
// Same start as hermTridiag (hermitian.ts), kept inline on purpose: that one scans two arrays (re, im), this one one; each kernel reads top to bottom.
export function symTridiag(a: usize, n: i32, d: usize, e: usize, work: usize): void {
  const nn = <usize>n;
  const rowBytes = nn << 3;
  if (n == 1) {
    st(d, ld(a));
    return;
  }
  // --- exact power-of-two scaling
  let amax: f64 = 0;
  for (let i = 0; i < n; i++) {
    const row = a + <usize>i * rowBytes;
    for (let j = i; j < n; j++) amax = Math.max(amax, Math.abs(ld(row + (<usize>j << 3))));
  }
  if (amax == 0) {
    zeroTridiagonal(d, e, n);
    return;
  }
  const ex = biasedExp(amax);
  const down = pow2(1022 - ex); // amax * down in [0.5, 1) for normal amax
  const up = 1022 - ex; // unscale by 2^-up, applied in two halves
  if (up != 0) {
    const s = f64x2.splat(down);
    for (let i = 0; i < n; i++) {
      const row = a + <usize>i * rowBytes;
      let j = i;
      for (; j + 1 < n; j += 2) {
        const p = row + (<usize>j << 3);
        v128.store(p, f64x2.mul(v128.load(p), s));
      }
      if (j < n) st(row + (<usize>j << 3), ld(row + (<usize>j << 3)) * down);
    }
  }

  if (n == 2) {
    st(d, ld(a));
    st(d + 8, ld(a + rowBytes + 8));
    st(e, ld(a + 8));
  } else if (n >= TBLOCK_MIN) {
    tridiagBlocked(a, n, d, e, work);
  } else {
    tridiagCore(a, n, rowBytes, d, e, work);
  }

  if (up != 0) unscaleTridiagonal(d, e, n, up);
}

/** The unblocked reduction on the n x n matrix at a whose rows are `stride` bytes apart. work: 4n doubles. */
function tridiagCore(a: usize, n: i32, stride: usize, d: usize, e: usize, work: usize): void {
  const nn = <usize>n;
  const rowBytes = nn << 3;
  // Vectors are indexed by absolute row/column index j (offset j*8).
  let v = work;
  let p = work + rowBytes;
  let v2 = work + 2 * rowBytes;
  let p2 = work + 3 * rowBytes;

  // Step 0: reflector from row 0, then p = tau * S v with S = a[1:, 1:].
  st(d, ld(a));
  st(e, houseReal(a + 8, v + 8, n - 1));
  let tau = houseTau;
  for (let j = 1; j < n; j++) st(p + (<usize>j << 3), 0);
  for (let i = 1; i < n; i++) {
    const row = a + <usize>i * stride;
    const vi = ld(v + (<usize>i << 3));
    let dot = ld(row + (<usize>i << 3)) * vi;
    const svi = f64x2.splat(vi);
    let acc = f64x2.splat(0);
    let j = i + 1;
    for (; j + 1 < n; j += 2) {
      const o = <usize>j << 3;
      const r = v128.load(row + o);
      acc = f64x2.add(acc, f64x2.mul(r, v128.load(v + o)));
      v128.store(p + o, f64x2.add(v128.load(p + o), f64x2.mul(r, svi)));
    }
    if (j < n) {
      const o = <usize>j << 3;
      const r = ld(row + o);
      dot += r * ld(v + o);
      st(p + o, ld(p + o) + r * vi);
    }
    st(p + (<usize>i << 3), ld(p + (<usize>i << 3)) + dot + hsum(acc));
  }
  for (let j = 1; j < n; j++) st(p + (<usize>j << 3), ld(p + (<usize>j << 3)) * tau);

  for (let k = 0; k <= n - 3; k++) {
    const k1 = k + 1;
    // w = p - (tau/2)(p.v) v, in place in p (indices k1..n-1).
    let pv: f64 = 0;
    for (let j = k1; j < n; j++) pv += ld(p + (<usize>j << 3)) * ld(v + (<usize>j << 3));
    const c = 0.5 * tau * pv;
    for (let j = k1; j < n; j++) {
      const o = <usize>j << 3;
      st(p + o, ld(p + o) - c * ld(v + o));
    }
    const w = p;
    // Update row k1 (becomes final: its diagonal is d[k1], its tail the next x).
    {
      const row = a + <usize>k1 * stride;
      const vi = ld(v + (<usize>k1 << 3));
      const wi = ld(w + (<usize>k1 << 3));
      for (let j = k1; j < n; j++) {
        const o = <usize>j << 3;
        st(row + o, ld(row + o) - vi * ld(w + o) - wi * ld(v + o));
      }
      st(d + (<usize>k1 << 3), ld(row + (<usize>k1 << 3)));
    }
    if (k1 == n - 2) {
      const o = <usize>(n - 1) << 3;
      st(e + (<usize>k1 << 3), ld(a + <usize>k1 * stride + o));
      const last = a + <usize>(n - 1) * stride + o;
      st(last, ld(last) - 2 * ld(v + o) * ld(w + o));
      st(d + o, ld(last));
      break;
    }
    // Next reflector from row k1, columns k+2..n-1.
    const s0 = k + 2;
    st(e + (<usize>k1 << 3), houseReal(a + <usize>k1 * stride + (<usize>s0 << 3), v2 + (<usize>s0 << 3), n - s0));
    const tau2 = houseTau;
    for (let j = s0; j < n; j++) st(p2 + (<usize>j << 3), 0);

    // Fused pass over rows s0..n-1: rank-2 update with (v, w), then p2 += S' v2.
    let i = s0;
    for (; i + 1 < n; i += 2) {
      const r0 = a + <usize>i * stride;
      const r1 = r0 + stride;
      const oi = <usize>i << 3;
      const oi1 = oi + 8;
      const vi = ld(v + oi), vi1 = ld(v + oi1);
      const wi = ld(w + oi), wi1 = ld(w + oi1);
      const ui = ld(v2 + oi), ui1 = ld(v2 + oi1);
      // head: (i,i), (i,i+1), (i+1,i+1)
      const aii = ld(r0 + oi) - 2 * vi * wi;
      st(r0 + oi, aii);
      const aij = ld(r0 + oi1) - vi * wi1 - wi * vi1;
      st(r0 + oi1, aij);
      const a11 = ld(r1 + oi1) - 2 * vi1 * wi1;
      st(r1 + oi1, a11);
      let dot0 = aii * ui + aij * ui1;
      let dot1 = a11 * ui1;
      st(p2 + oi1, ld(p2 + oi1) + aij * ui);
      const svi = f64x2.splat(vi), svi1 = f64x2.splat(vi1);
      const swi = f64x2.splat(wi), swi1 = f64x2.splat(wi1);
      const sui = f64x2.splat(ui), sui1 = f64x2.splat(ui1);
      let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0);
      let j = i + 2;
      for (; j + 1 < n; j += 2) {
        const o = <usize>j << 3;
        const V = v128.load(v + o);
        const W = v128.load(w + o);
        const U = v128.load(v2 + o);
        const R0 = f64x2.sub(v128.load(r0 + o), f64x2.add(f64x2.mul(svi, W), f64x2.mul(swi, V)));
        const R1 = f64x2.sub(v128.load(r1 + o), f64x2.add(f64x2.mul(svi1, W), f64x2.mul(swi1, V)));
        v128.store(r0 + o, R0);
        v128.store(r1 + o, R1);
        acc0 = f64x2.add(acc0, f64x2.mul(R0, U));
        acc1 = f64x2.add(acc1, f64x2.mul(R1, U));
        v128.store(p2 + o, f64x2.add(v128.load(p2 + o), f64x2.add(f64x2.mul(R0, sui), f64x2.mul(R1, sui1))));
      }
      if (j < n) {
        const o = <usize>j << 3;
        const vj = ld(v + o), wj = ld(w + o), uj = ld(v2 + o);
        const x0 = ld(r0 + o) - vi * wj - wi * vj;
        const x1 = ld(r1 + o) - vi1 * wj - wi1 * vj;
        st(r0 + o, x0);
        st(r1 + o, x1);
        dot0 += x0 * uj;
        dot1 += x1 * uj;
        st(p2 + o, ld(p2 + o) + x0 * ui + x1 * ui1);
      }
      // Odd-column tail like symvUpper's on purpose: this one also applies the rank-2 update (fused), so the two loops differ in what they read and write.
      st(p2 + oi, ld(p2 + oi) + dot0 + hsum(acc0));
      st(p2 + oi1, ld(p2 + oi1) + dot1 + hsum(acc1));
    }
    if (i < n) {
      // single last row: only its diagonal
      const oi = <usize>i << 3;
      const r0 = a + <usize>i * stride;
      const aii = ld(r0 + oi) - 2 * ld(v + oi) * ld(w + oi);
      st(r0 + oi, aii);
      st(p2 + oi, ld(p2 + oi) + aii * ld(v2 + oi));
    }
    for (let j = s0; j < n; j++) st(p2 + (<usize>j << 3), ld(p2 + (<usize>j << 3)) * tau2);
    // swap buffers
    const tv = v;
    v = v2;
    v2 = tv;
    const tp = p;
    p = p2;
    p2 = tp;
    tau = tau2;
  }
}

// ---------------------------------------------------------------------------
// Blocked symmetric tridiagonalisation (n >= TBLOCK_MIN).

const TNB: i32 = 32; // panel width
const TNX: i32 = 128; // a trailing matrix of at most this order is finished unblocked
const TBLOCK_MIN: i32 = 512; // below this order the unblocked kernel is as fast
const TCHUNK: i32 = 32; // i-panels per chunk of the rank-2k update (32 x 4 rows x 2 KiB = 64 KiB)

/** Symmetric matrix-vector product w[r] = sum_s S[r][s] v[s], r, s in [s0, n), from the upper triangle, four rows per pass. */
function symvUpper(a: usize, rb: usize, n: i32, s0: i32, v: usize, w: usize): void {
  for (let j = s0; j < n; j++) st(w + (<usize>j << 3), 0);
  let i = s0;
  // four rows per pass: one load/store of w per 4 matrix entries
  for (; i + 3 < n; i += 4) {
    const r0 = a + <usize>i * rb;
    const r1 = r0 + rb, r2 = r1 + rb, r3 = r2 + rb;
    const oi = <usize>i << 3;
    const v0 = ld(v + oi), v1 = ld(v + oi + 8), v2 = ld(v + oi + 16), v3 = ld(v + oi + 24);
    // the 4 x 4 diagonal block from its upper triangle
    const x00 = ld(r0 + oi), x01 = ld(r0 + oi + 8), x02 = ld(r0 + oi + 16), x03 = ld(r0 + oi + 24);
    const x11 = ld(r1 + oi + 8), x12 = ld(r1 + oi + 16), x13 = ld(r1 + oi + 24);
    const x22 = ld(r2 + oi + 16), x23 = ld(r2 + oi + 24);
    const x33 = ld(r3 + oi + 24);
    let d0 = x00 * v0 + x01 * v1 + x02 * v2 + x03 * v3;
    let d1 = x01 * v0 + x11 * v1 + x12 * v2 + x13 * v3;
    let d2 = x02 * v0 + x12 * v1 + x22 * v2 + x23 * v3;
    let d3 = x03 * v0 + x13 * v1 + x23 * v2 + x33 * v3;
    const s0v = f64x2.splat(v0), s1v = f64x2.splat(v1), s2v = f64x2.splat(v2), s3v = f64x2.splat(v3);
    let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0), acc2 = f64x2.splat(0), acc3 = f64x2.splat(0);
    let j = i + 4;
    for (; j + 1 < n; j += 2) {
      const o = <usize>j << 3;
      const V = v128.load(v + o);
      const R0 = v128.load(r0 + o), R1 = v128.load(r1 + o);
      acc0 = f64x2.add(acc0, f64x2.mul(R0, V));
      acc1 = f64x2.add(acc1, f64x2.mul(R1, V));
      let t = f64x2.add(f64x2.mul(R0, s0v), f64x2.mul(R1, s1v));
      const R2 = v128.load(r2 + o), R3 = v128.load(r3 + o);
      acc2 = f64x2.add(acc2, f64x2.mul(R2, V));
      acc3 = f64x2.add(acc3, f64x2.mul(R3, V));
      t = f64x2.add(t, f64x2.add(f64x2.mul(R2, s2v), f64x2.mul(R3, s3v)));
      v128.store(w + o, f64x2.add(v128.load(w + o), t));
    }
    if (j < n) {
      const o = <usize>j << 3;
      const vj = ld(v + o);
      const y0 = ld(r0 + o), y1 = ld(r1 + o), y2 = ld(r2 + o), y3 = ld(r3 + o);
      d0 += y0 * vj;
      d1 += y1 * vj;
      d2 += y2 * vj;
      d3 += y3 * vj;
      st(w + o, ld(w + o) + (y0 * v0 + y1 * v1 + y2 * v2 + y3 * v3));
    }
    st(w + oi, ld(w + oi) + d0 + hsum(acc0));
    st(w + oi + 8, ld(w + oi + 8) + d1 + hsum(acc1));
    st(w + oi + 16, ld(w + oi + 16) + d2 + hsum(acc2));
    st(w + oi + 24, ld(w + oi + 24) + d3 + hsum(acc3));
  }
  for (; i + 1 < n; i += 2) {
    const r0 = a + <usize>i * rb;
    const r1 = r0 + rb;
    const oi = <usize>i << 3;
    const oi1 = oi + 8;
    const vi = ld(v + oi), vi1 = ld(v + oi1);
    const a01 = ld(r0 + oi1);
    let dot0 = ld(r0 + oi) * vi + a01 * vi1;
    let dot1 = a01 * vi + ld(r1 + oi1) * vi1;
    const svi = f64x2.splat(vi), svi1 = f64x2.splat(vi1);
    let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0);
    let j = i + 2;
    for (; j + 1 < n; j += 2) {
      const o = <usize>j << 3;
      const R0 = v128.load(r0 + o), R1 = v128.load(r1 + o);
      const V = v128.load(v + o);
      acc0 = f64x2.add(acc0, f64x2.mul(R0, V));
      acc1 = f64x2.add(acc1, f64x2.mul(R1, V));
      v128.store(w + o, f64x2.add(v128.load(w + o), f64x2.add(f64x2.mul(R0, svi), f64x2.mul(R1, svi1))));
    }
    if (j < n) {
      const o = <usize>j << 3;
      const x0 = ld(r0 + o), x1 = ld(r1 + o), vj = ld(v + o);
      dot0 += x0 * vj;
      dot1 += x1 * vj;
      st(w + o, ld(w + o) + x0 * vi + x1 * vi1);
    }
    // Odd-column tail like tridiagCore's fused one on purpose: this plain product has no rank-2 update, which keeps the first step cheap.
    st(w + oi, ld(w + oi) + dot0 + hsum(acc0));
    st(w + oi1, ld(w + oi1) + dot1 + hsum(acc1));
  }
  if (i < n) {
    const oi = <usize>i << 3;
    st(w + oi, ld(w + oi) + ld(a + <usize>i * rb + oi) * ld(v + oi));
  }
}

/** y[0..len) += s x[0..len) (contiguous). */
@inline function axpy(y: usize, x: usize, s: f64, len: i32): void {
  const sv = f64x2.splat(s);
  let j = 0;
  for (; j + 1 < len; j += 2) {
    const o = <usize>j << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(v128.load(x + o), sv)));
  }
  if (j < len) st(y + (<usize>j << 3), ld(y + (<usize>j << 3)) + ld(x + (<usize>j << 3)) * s);
}

/**
 * Column c of the panel's W (entries r > k+c) lives in the free lower
 * triangle of row n-1-c, columns 0..n-k-c-2: address of its entry r = 0.
 */
@inline function wColumn(a: usize, rb: usize, n: i32, k: i32, c: i32): usize {
  return a + <usize>(n - 1 - c) * rb - (<usize>(k + c + 1) << 3);
}


/** y[0..len) += s0 x0 + s1 x1 + s2 x2 + s3 x3 (one pass over y). */
@inline function axpy4(y: usize, x0: usize, s0: f64, x1: usize, s1: f64, x2: usize, s2: f64, x3: usize, s3: f64, len: i32): void {
  const a0 = f64x2.splat(s0), a1 = f64x2.splat(s1), a2 = f64x2.splat(s2), a3 = f64x2.splat(s3);
  let j = 0;
  for (; j + 1 < len; j += 2) {
    const o = <usize>j << 3;
    const t = f64x2.add(
      f64x2.add(f64x2.mul(v128.load(x0 + o), a0), f64x2.mul(v128.load(x1 + o), a1)),
      f64x2.add(f64x2.mul(v128.load(x2 + o), a2), f64x2.mul(v128.load(x3 + o), a3)),
    );
    v128.store(y + o, f64x2.add(v128.load(y + o), t));
  }
  if (j < len) {
    const o = <usize>j << 3;
    st(y + o, ld(y + o) + ((ld(x0 + o) * s0 + ld(x1 + o) * s1) + (ld(x2 + o) * s2 + ld(x3 + o) * s3)));
  }
}

let dotOut1: f64 = 0;
let dotOut2: f64 = 0;
let dotOut3: f64 = 0;
/** Four dot products with one y (one pass): returns x0.y; x1.y, x2.y, x3.y go to dotOut1..3. */
@inline function dot4(x0: usize, x1: usize, x2: usize, x3: usize, y: usize, len: i32): f64 {
  let c0 = f64x2.splat(0), c1 = f64x2.splat(0), c2 = f64x2.splat(0), c3 = f64x2.splat(0);
  let j = 0;
  for (; j + 1 < len; j += 2) {
    const o = <usize>j << 3;
    const Y = v128.load(y + o);
    c0 = f64x2.add(c0, f64x2.mul(v128.load(x0 + o), Y));
    c1 = f64x2.add(c1, f64x2.mul(v128.load(x1 + o), Y));
    c2 = f64x2.add(c2, f64x2.mul(v128.load(x2 + o), Y));
    c3 = f64x2.add(c3, f64x2.mul(v128.load(x3 + o), Y));
  }
  let s0 = hsum(c0), s1 = hsum(c1), s2 = hsum(c2), s3 = hsum(c3);
  if (j < len) {
    const o = <usize>j << 3;
    const yj = ld(y + o);
    s0 += ld(x0 + o) * yj;
    s1 += ld(x1 + o) * yj;
    s2 += ld(x2 + o) * yj;
    s3 += ld(x3 + o) * yj;
  }
  dotOut1 = s1;
  dotOut2 = s2;
  dotOut3 = s3;
  return s0;
}

/**
 * Reduces panel columns k..k+TNB-1 (LAPACK dlatrd, uplo = 'L'): d and e of
 * those columns, reflector c in row k+c (entries > k+c, 1 at k+c+1) and
 * column c of W at wColumn(c). The trailing matrix is only read (its values
 * at the start of the panel).
 */
function panelReduce(a: usize, n: i32, k: i32, d: usize, e: usize, wv: usize, vt: usize, g: usize, h: usize): void {
  const rb = <usize>n << 3;
  for (let c = 0; c < TNB; c++) {
    const i = k + c;
    const row = a + <usize>i * rb;
    const oi = <usize>i << 3;
    // row i -= V(i:, 0:c) W(i, 0:c)^T + W(i:, 0:c) V(i, 0:c)^T
    let q = 0;
    for (; q + 1 < c; q += 2) {
      const v0 = a + <usize>(k + q) * rb + oi, w0 = wColumn(a, rb, n, k, q) + oi;
      const v1 = v0 + rb, w1 = wColumn(a, rb, n, k, q + 1) + oi;
      axpy4(row + oi, v0, -ld(w0), w0, -ld(v0), v1, -ld(w1), w1, -ld(v1), n - i);
    }
    if (q < c) {
      const vq = a + <usize>(k + q) * rb + oi;
      const wq = wColumn(a, rb, n, k, q) + oi;
      axpy(row + oi, vq, -ld(wq), n - i);
      axpy(row + oi, wq, -ld(vq), n - i);
    }
    st(d + oi, ld(row + oi));
    const s0 = i + 1;
    const os = <usize>s0 << 3;
    const len = n - s0;
    st(e + oi, houseReal(row + os, vt + os, len));
    const tau = houseTau;
    for (let j = s0; j < n; j++) st(row + (<usize>j << 3), ld(vt + (<usize>j << 3)));
    // w = A22 v - V (W^T v) - W (V^T v), A22 the trailing matrix at the start of the panel
    symvUpper(a, rb, n, s0, vt, wv);
    // g = V^T v, h = W^T v (two columns of each per pass); then w -= V h + W g
    q = 0;
    for (; q + 1 < c; q += 2) {
      const v0 = a + <usize>(k + q) * rb + os, v1 = v0 + rb;
      const w0 = wColumn(a, rb, n, k, q) + os, w1 = wColumn(a, rb, n, k, q + 1) + os;
      const oq = <usize>q << 3;
      st(g + oq, dot4(v0, w0, v1, w1, vt + os, len));
      st(h + oq, dotOut1);
      st(g + oq + 8, dotOut2);
      st(h + oq + 8, dotOut3);
    }
    if (q < c) {
      st(g + (<usize>q << 3), dot(a + <usize>(k + q) * rb + os, vt + os, len));
      st(h + (<usize>q << 3), dot(wColumn(a, rb, n, k, q) + os, vt + os, len));
    }
    q = 0;
    for (; q + 1 < c; q += 2) {
      const v0 = a + <usize>(k + q) * rb + os, v1 = v0 + rb;
      const w0 = wColumn(a, rb, n, k, q) + os, w1 = wColumn(a, rb, n, k, q + 1) + os;
      const oq = <usize>q << 3;
      axpy4(wv + os, v0, -ld(h + oq), w0, -ld(g + oq), v1, -ld(h + oq + 8), w1, -ld(g + oq + 8), len);
    }
    if (q < c) {
      axpy(wv + os, a + <usize>(k + q) * rb + os, -ld(h + (<usize>q << 3)), len);
      axpy(wv + os, wColumn(a, rb, n, k, q) + os, -ld(g + (<usize>q << 3)), len);
    }
    // w = tau w - (tau/2)(tau w . v) v, stored as W(:, c)
    let pv: f64 = 0;
    for (let j = s0; j < n; j++) {
      const o = <usize>j << 3;
      const x = ld(wv + o) * tau;
      st(wv + o, x);
      pv += x * ld(vt + o);
    }
    const alpha = -0.5 * tau * pv;
    const wc = wColumn(a, rb, n, k, c);
    for (let j = s0; j < n; j++) {
      const o = <usize>j << 3;
      st(wc + o, ld(wv + o) + alpha * ld(vt + o));
    }
  }
}

/**
 * Addresses (u32 at `slots`) for the packed 4-row panels of the update of
 * rows t0..n-1, each 2 TNB x 4 doubles, in storage nobody reads during the
 * update: whole rows 0..t0-TNB-1 (finished) and the lower triangle of rows
 * q < n-TNB (those hold W) at columns t0..q-4 (diagonal 4 x 4 tiles write
 * their lower part too).
 * False if they do not all fit.
 */
function packSlots(a: usize, n: i32, t0: i32, slots: usize): bool {
  const need = (n - t0 + 3) >> 2;
  const sz = 8 * TNB;
  const rb = <usize>n << 3;
  let count = 0;
  for (let q = 0; q < t0 - TNB && count < need; q++) {
    for (let cs = 0; cs + sz <= n && count < need; cs += sz) {
      store<u32>(slots + (<usize>count << 2), <u32>(a + <usize>q * rb + (<usize>cs << 3)));
      count++;
    }
  }
  for (let q = n - 1 - TNB; q > t0 && count < need; q--) {
    for (let cs = t0; cs + sz <= q - 3 && count < need; cs += sz) {
      store<u32>(slots + (<usize>count << 2), <u32>(a + <usize>q * rb + (<usize>cs << 3)));
      count++;
    }
  }
  return count == need;
}

/** out[jr][ir] -= sum_c pi[c][ir] pj[TNB + c][jr] + pi[TNB + c][ir] pj[c][jr] (4 x 4 tile, rows of out `os` bytes apart). */
// Kept apart from gram.ts gramTile4 on purpose: a SIMD micro-kernel of the same shape, but its own
// packing and accumulation order; sharing one would change the rounding of one of them.
function syr2kTile4(pi: usize, pj: usize, out: usize, os: usize): void {
  let c0a = f64x2.splat(0), c0b = f64x2.splat(0), c1a = f64x2.splat(0), c1b = f64x2.splat(0);
  let c2a = f64x2.splat(0), c2b = f64x2.splat(0), c3a = f64x2.splat(0), c3b = f64x2.splat(0);
  const half = <usize>TNB << 5;
  for (let seg = 0; seg < 2; seg++) {
    let p = seg == 0 ? pi : pi + half;
    let q = seg == 0 ? pj + half : pj;
    const end = p + half;
    while (p < end) {
      const lo = v128.load(p), hi = v128.load(p, 16);
      let b = v128.load64_splat(q);
      c0a = f64x2.add(c0a, f64x2.mul(lo, b));
      c0b = f64x2.add(c0b, f64x2.mul(hi, b));
      b = v128.load64_splat(q, 8);
      c1a = f64x2.add(c1a, f64x2.mul(lo, b));
      c1b = f64x2.add(c1b, f64x2.mul(hi, b));
      b = v128.load64_splat(q, 16);
      c2a = f64x2.add(c2a, f64x2.mul(lo, b));
      c2b = f64x2.add(c2b, f64x2.mul(hi, b));
      b = v128.load64_splat(q, 24);
      c3a = f64x2.add(c3a, f64x2.mul(lo, b));
      c3b = f64x2.add(c3b, f64x2.mul(hi, b));
      p += 32;
      q += 32;
    }
  }
  v128.store(out, f64x2.sub(v128.load(out), c0a));
  v128.store(out, f64x2.sub(v128.load(out, 16), c0b), 16);
  out += os;
  v128.store(out, f64x2.sub(v128.load(out), c1a));
  v128.store(out, f64x2.sub(v128.load(out, 16), c1b), 16);
  out += os;
  v128.store(out, f64x2.sub(v128.load(out), c2a));
  v128.store(out, f64x2.sub(v128.load(out, 16), c2b), 16);
  out += os;
  v128.store(out, f64x2.sub(v128.load(out), c3a));
  v128.store(out, f64x2.sub(v128.load(out, 16), c3b), 16);
}

/** Trailing update after the panel at k (LAPACK dsyr2k): S -= V W^T + W V^T on rows/columns k+TNB..n-1, upper triangle. */
function rank2Update(a: usize, n: i32, k: i32, slots: usize): void {
  const rb = <usize>n << 3;
  const t0 = k + TNB;
  const np = (n - t0 + 3) >> 2;
  // pack [V(r0..r0+3, 0:TNB); W(r0..r0+3, 0:TNB)] per 4-row panel, rows >= n as zeros
  for (let p = 0; p < np; p++) {
    const dst = <usize>load<u32>(slots + (<usize>p << 2));
    const r0 = t0 + 4 * p;
    const rows = min(4, n - r0);
    for (let c = 0; c < TNB; c++) {
      const src = a + <usize>(k + c) * rb + (<usize>r0 << 3);
      const dv = dst + (<usize>c << 5);
      const dw = dst + (<usize>(TNB + c) << 5);
      for (let t = 0; t < 4; t++) {
        const ot = <usize>t << 3;
        if (t < rows) {
          st(dv + ot, ld(src + ot));
          st(dw + ot, ld(wColumn(a, rb, n, k, c) + (<usize>(r0 + t) << 3)));
        } else {
          st(dv + ot, 0);
          st(dw + ot, 0);
        }
      }
    }
  }
  for (let pc = 0; pc < np; pc += TCHUNK) {
    const pe = min(np, pc + TCHUNK);
    for (let pj = 0; pj < pe; pj++) {
      const PJ = <usize>load<u32>(slots + (<usize>pj << 2));
      const j0 = t0 + 4 * pj;
      for (let pi = max(pj, pc); pi < pe; pi++) {
        const i0 = t0 + 4 * pi;
        const PI = <usize>load<u32>(slots + (<usize>pi << 2));
        if (i0 + 4 <= n && j0 + 4 <= n) {
          syr2kTile4(PI, PJ, a + <usize>j0 * rb + (<usize>i0 << 3), rb);
        } else {
          for (let t = 0; t < 16; t++) st(gramTile + (<usize>t << 3), 0);
          syr2kTile4(PI, PJ, gramTile, 32);
          for (let jr = 0; jr < 4 && j0 + jr < n; jr++) {
            for (let ir = 0; ir < 4 && i0 + ir < n; ir++) {
              const q = a + <usize>(j0 + jr) * rb + (<usize>(i0 + ir) << 3);
              st(q, ld(q) + ld(gramTile + (<usize>(4 * jr + ir) << 3)));
            }
          }
        }
      }
    }
  }
}

/**
 * Blocked Householder tridiagonalisation (LAPACK dsytrd with dlatrd, uplo =
 * 'L'; Golub & Van Loan 4th ed. §8.3.1 and §5.2.3 for the blocked form):
 * panels of TNB columns are reduced against the panel-start trailing matrix
 * plus corrections from the panel's V and W, then the trailing matrix gets one
 * rank-2 TNB update with a 4 x 4 f64x2 register tile. Same reflectors as the
 * unblocked kernel; the trailing matrix is written once per panel instead of
 * once per column, and half the flops run in the tile. All scratch beyond the
 * 4n work is storage the reduction no longer reads (see packSlots).
 */
function tridiagBlocked(a: usize, n: i32, d: usize, e: usize, work: usize): void {
  const rb = <usize>n << 3;
  const wv = work;
  const vt = work + rb;
  const g = work + 2 * rb;
  const h = g + (<usize>TNB << 3);
  const slots = work + 3 * rb;
  let k = 0;
  while (n - k - TNB > TNX && packSlots(a, n, k + TNB, slots)) {
    panelReduce(a, n, k, d, e, wv, vt, g, h);
    rank2Update(a, n, k, slots);
    k += TNB;
  }
  tridiagCore(a + <usize>k * rb + (<usize>k << 3), n - k, rb, d + (<usize>k << 3), e + (<usize>k << 3), work);
}
