// Gram matrix X = A A^T (packed, blocked, f64x2); src/linalg/gram.ts dispatches here.
import { ld, st } from './helpers';

// ---------------------------------------------------------------------------
// Gram matrix.

// Blocking (doubles). A k-block of GKC columns: one packed 4-row panel is
// GKC x 4 x 8 = 8 KiB (L1); an i-block of GMC rows, GMC x GKC x 8 = 256 KiB,
// stays in L2 while every j-panel below the diagonal passes over it.
const GKC: i32 = 256;
const GMC: i32 = 128;
// Fixed packing buffers (static data, so the caller's layout is unchanged):
// the i-block as GMC/4 panels [GKC][4], and one j-panel [GKC][4].
const gramPackI: usize = memory.data(GMC * GKC * 8, 16);
const gramPackJ: usize = memory.data(4 * GKC * 8, 16);
export const gramTile: usize = memory.data(16 * 8, 16); // also the 4x4 scratch tile of symmetric.ts

/**
 * Copies rows r0..r0+3 (clamped: rows >= n become zeros), columns k0..k0+kc-1
 * of row-major A into dst as [kc][4] (the 4 row values of each column together).
 */
function packPanel(a: usize, n: i32, rowA: usize, r0: i32, k0: i32, kc: i32, dst: usize): void {
  const src = a + <usize>r0 * rowA + (<usize>k0 << 3);
  const rows = min(4, n - r0);
  if (rows == 4) {
    const s1 = src + rowA, s2 = s1 + rowA, s3 = s2 + rowA;
    let k = 0;
    for (; k + 1 < kc; k += 2) {
      const o = <usize>k << 3;
      const x0 = v128.load(src + o), x1 = v128.load(s1 + o);
      const x2 = v128.load(s2 + o), x3 = v128.load(s3 + o);
      const d = dst + (<usize>k << 5);
      // column k: (r0, r1), (r2, r3); column k+1 likewise
      v128.store(d, v128.shuffle<f64>(x0, x1, 0, 2));
      v128.store(d, v128.shuffle<f64>(x2, x3, 0, 2), 16);
      v128.store(d, v128.shuffle<f64>(x0, x1, 1, 3), 32);
      v128.store(d, v128.shuffle<f64>(x2, x3, 1, 3), 48);
    }
    if (k < kc) {
      const o = <usize>k << 3;
      const d = dst + (<usize>k << 5);
      st(d, ld(src + o));
      st(d + 8, ld(s1 + o));
      st(d + 16, ld(s2 + o));
      st(d + 24, ld(s3 + o));
    }
    return;
  }
  for (let k = 0; k < kc; k++) {
    const d = dst + (<usize>k << 5);
    for (let r = 0; r < 4; r++) st(d + (<usize>r << 3), r < rows ? ld(src + <usize>r * rowA + (<usize>k << 3)) : 0);
  }
}

/**
 * 4 x 4 register tile: out[jr][ir] += sum_k pi[k][ir] * pj[k][jr] for packed
 * panels pi (i rows, two f64x2 per column) and pj (j rows, broadcast), i.e.
 * rows of `out` are j, columns i (stride `os` bytes). Each entry is a plain
 * running sum over k in one lane, so its rounding does not depend on the tile.
 */
// Kept apart from symmetric.ts syr2kTile4 on purpose: a SIMD micro-kernel of the same shape, but its own
// packing and accumulation order; sharing one would change the rounding of one of them.
@inline function gramTile4(pi: usize, pj: usize, kc: i32, out: usize, os: usize): void {
  let c0a = f64x2.splat(0), c0b = f64x2.splat(0), c1a = f64x2.splat(0), c1b = f64x2.splat(0);
  let c2a = f64x2.splat(0), c2b = f64x2.splat(0), c3a = f64x2.splat(0), c3b = f64x2.splat(0);
  let p = pi, q = pj;
  const end = pi + (<usize>kc << 5);
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
  v128.store(out, f64x2.add(v128.load(out), c0a));
  v128.store(out, f64x2.add(v128.load(out, 16), c0b), 16);
  out += os;
  v128.store(out, f64x2.add(v128.load(out), c1a));
  v128.store(out, f64x2.add(v128.load(out, 16), c1b), 16);
  out += os;
  v128.store(out, f64x2.add(v128.load(out), c2a));
  v128.store(out, f64x2.add(v128.load(out, 16), c2b), 16);
  out += os;
  v128.store(out, f64x2.add(v128.load(out), c3a));
  v128.store(out, f64x2.add(v128.load(out, 16), c3b), 16);
}

/**
 * One i-block (rows i0..i0+GMC-1) of one k-block: pack it, then run every
 * j-panel on or above it against it. A function of its own, called many
 * times per product: V8 swaps in its optimised code only between calls, so
 * this way even the first large product runs mostly optimised.
 */
function gramBlock(a: usize, n: i32, m: i32, x: usize, k0: i32, kc: i32, i0: i32): void {
  const rowA = <usize>m << 3;
  const rowX = <usize>n << 3;
  const panelBytes = <usize>kc << 5;
  const mc = min(GMC, n - i0);
  const np = (mc + 3) >> 2;
  for (let p = 0; p < np; p++) packPanel(a, n, rowA, i0 + 4 * p, k0, kc, gramPackI + <usize>p * panelBytes);
  const iEnd = i0 + mc;
  for (let j0 = 0; j0 < iEnd; j0 += 4) {
    // the j-panel is the i-panel itself on the diagonal block
    let pj = gramPackJ;
    if (j0 >= i0) pj = gramPackI + <usize>((j0 - i0) >> 2) * panelBytes;
    else packPanel(a, n, rowA, j0, k0, kc, gramPackJ);
    const jFull = j0 + 4 <= n;
    const pFirst = j0 >= i0 ? (j0 - i0) >> 2 : 0;
    for (let p = pFirst; p < np; p++) {
      const ib = i0 + 4 * p;
      const pi = gramPackI + <usize>p * panelBytes;
      if (jFull && ib + 4 <= n) {
        gramTile4(pi, pj, kc, x + <usize>j0 * rowX + (<usize>ib << 3), rowX);
      } else {
        // ragged edge: full tile into scratch, keep the entries inside X
        for (let t = 0; t < 16; t++) st(gramTile + (<usize>t << 3), 0);
        gramTile4(pi, pj, kc, gramTile, 32);
        for (let jr = 0; jr < 4; jr++) {
          const j = j0 + jr;
          if (j >= n) break;
          for (let ir = 0; ir < 4; ir++) {
            const i = ib + ir;
            if (i >= n) break;
            const q = x + <usize>j * rowX + (<usize>i << 3);
            st(q, ld(q) + ld(gramTile + (<usize>(4 * jr + ir) << 3)));
          }
        }
      }
    }
  }
}

/**
 * X = A A^T for row-major A (n x m) into X (n x n, both triangles; A is not
 * modified). Cache-blocked and register-tiled after Goto & van de Geijn (ACM
 * TOMS 34(3), 2008): k-blocks of GKC columns; i-blocks of GMC rows packed into
 * a contiguous buffer (L2); each 4-row j-panel packed (L1) and run against the
 * i-panels on or below the diagonal with a 4 x 4 f64x2 tile. Only the upper
 * triangle X[j][i], i >= j, is accumulated (rows j, contiguous i), then mirrored.
 */
export function gram(a: usize, n: i32, m: i32, x: usize): void {
  const nn = <usize>n;
  const rowX = nn << 3;
  for (let i = 0; i < n; i++) {
    const r = x + <usize>i * rowX;
    for (let j = i; j < n; j++) st(r + (<usize>j << 3), 0);
  }
  for (let k0 = 0; k0 < m; k0 += GKC) {
    const kc = min(GKC, m - k0);
    for (let i0 = 0; i0 < n; i0 += GMC) gramBlock(a, n, m, x, k0, kc, i0);
  }
  // mirror the upper triangle into the lower, in 32 x 32 tiles (cache-friendly transpose)
  for (let ib = 0; ib < n; ib += 32) {
    const ie = min(n, ib + 32);
    for (let jb = 0; jb <= ib; jb += 32) {
      for (let i = ib; i < ie; i++) {
        const je = min(i, jb + 32);
        const row = x + <usize>i * rowX;
        for (let j = jb; j < je; j++) st(row + (<usize>j << 3), ld(x + <usize>j * rowX + (<usize>i << 3)));
      }
    }
  }
}
