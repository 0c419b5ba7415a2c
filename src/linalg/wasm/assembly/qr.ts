// Complex Householder QR with explicit Q (split storage); src/linalg/complex.ts dispatches here.
import { ld, st, pow2, biasedExp } from './helpers';
import { houseComplex, cTauRe, cTauIm } from './householder';

// ---------------------------------------------------------------------------
// Complex Householder QR with explicit Q.

/**
 * Householder QR of a square complex matrix (LAPACK zgeqr2 + zung2r; Golub &
 * Van Loan 5.2.1), in place on the row-major split matrix (re at ar, im at ai)
 * which is overwritten by Q. R's diagonal (real, LAPACK sign convention:
 * R_kk = -sign(Re alpha) * norm) goes to rdr/rdi. Each step's reflector
 * application is fused with the next step's v^H A product (look-ahead on one
 * column), so the trailing matrix is streamed once per step; the same for the
 * backward accumulation of Q. work: 10n doubles.
 */
export function complexQR(ar: usize, ai: usize, n: i32, rdr: usize, rdi: usize, work: usize): void {
  const nn = <usize>n;
  const rowBytes = nn << 3;
  // QR is homogeneous (Q(cA) = Q(A), R(cA) = c R(A)): scale by a power of two
  // so max|a_ij| is in [0.5, 1), and scale R's diagonal back at the end.
  let amax: f64 = 0;
  for (let q: usize = 0; q < nn * nn; q++) {
    amax = Math.max(amax, Math.max(Math.abs(ld(ar + (q << 3))), Math.abs(ld(ai + (q << 3)))));
  }
  const ex = amax == 0 ? 1022 : biasedExp(amax);
  const up = 1022 - ex;
  if (up != 0) {
    const down = pow2(up);
    for (let q: usize = 0; q < nn * nn; q++) {
      st(ar + (q << 3), ld(ar + (q << 3)) * down);
      st(ai + (q << 3), ld(ai + (q << 3)) * down);
    }
  }
  qrCore(ar, ai, n, rdr, rdi, work);
  if (up != 0) {
    const f1 = pow2(-(up >> 1));
    const f2 = pow2(-up + (up >> 1));
    for (let j = 0; j < n; j++) st(rdr + (<usize>j << 3), ld(rdr + (<usize>j << 3)) * f1 * f2);
  }
}

// Workspace carve-up like hermCore's (hermitian.ts) on purpose: each kernel names its own vectors; a shared layout would hide which is which.
function qrCore(ar: usize, ai: usize, n: i32, rdr: usize, rdi: usize, work: usize): void {
  const nn = <usize>n;
  const rowBytes = nn << 3;
  let vr = work, vi = work + rowBytes;
  let ur = work + 2 * rowBytes, ui = work + 3 * rowBytes;
  let wr = work + 4 * rowBytes, wi = work + 5 * rowBytes;
  let xr = work + 6 * rowBytes, xi = work + 7 * rowBytes;
  const tauR = work + 8 * rowBytes, tauI = work + 9 * rowBytes;
  for (let j = 0; j < n; j++) st(rdi + (<usize>j << 3), 0);

  // Step 0 reflector from column 0.
  let beta = houseComplex(ar, ai, rowBytes, vr, vi, n);
  st(rdr, beta);
  st(tauR, cTauRe);
  st(tauI, cTauIm);
  st(ar, beta);
  st(ai, 0);
  for (let i = 1; i < n; i++) {
    const o = <usize>i * rowBytes;
    st(ar + o, ld(vr + (<usize>i << 3)));
    st(ai + o, ld(vi + (<usize>i << 3)));
  }
  if (n == 1) {
    st(ar, 1 - ld(tauR));
    st(ai, -ld(tauI));
    return;
  }
  // w_j = sum_i conj(v_i) A[i][j], j >= 1 (row 0 has v_0 = 1)
  for (let j = 1; j < n; j++) {
    const o = <usize>j << 3;
    st(wr + o, ld(ar + o));
    st(wi + o, ld(ai + o));
  }
  for (let i = 1; i < n; i++) {
    const o = <usize>i * rowBytes;
    const oi = <usize>i << 3;
    qrRow(ar + o, ai + o, 1, n, 0, 0, 0, 0, ld(vr + oi), -ld(vi + oi), wr, wi, true);
  }

  for (let k = 0; k <= n - 2; k++) {
    const k1 = k + 1;
    // c = conj(tau_k)
    const cr = ld(tauR + (<usize>k << 3)), ci = -ld(tauI + (<usize>k << 3));
    // Column k1 update for rows i >= k: A[i][k1] -= c v_i w_k1.
    const ok1 = <usize>k1 << 3;
    const wk1r = ld(wr + ok1), wk1i = ld(wi + ok1);
    for (let i = k; i < n; i++) {
      const oi = <usize>i << 3;
      const sr = cr * ld(vr + oi) - ci * ld(vi + oi);
      const si = cr * ld(vi + oi) + ci * ld(vr + oi);
      const q = <usize>i * rowBytes + ok1;
      st(ar + q, ld(ar + q) - (sr * wk1r - si * wk1i));
      st(ai + q, ld(ai + q) - (sr * wk1i + si * wk1r));
    }
    // Reflector k1 from column k1, rows >= k1.
    const dq = <usize>k1 * rowBytes + ok1;
    beta = houseComplex(ar + dq, ai + dq, rowBytes, ur + ok1, ui + ok1, n - k1);
    st(rdr + ok1, beta);
    st(tauR + ok1, cTauRe);
    st(tauI + ok1, cTauIm);
    st(ar + dq, beta);
    st(ai + dq, 0);
    for (let i = k1 + 1; i < n; i++) {
      const q = <usize>i * rowBytes + ok1;
      const oi = <usize>i << 3;
      st(ar + q, ld(ur + oi));
      st(ai + q, ld(ui + oi));
    }
    if (k1 == n - 1) break;
    // Alike the Q-building pass below, kept inline on purpose: each hot loop fuses its own reflector with its own product (factorising here, building Q there).
    // Fused pass, columns >= k+2: apply H_k^H, accumulate w' = U^H A.
    const s0 = k + 2;
    for (let j = s0; j < n; j++) {
      const o = <usize>j << 3;
      st(xr + o, 0);
      st(xi + o, 0);
    }
    for (let i = k; i < n; i++) {
      const o = <usize>i * rowBytes;
      const oi = <usize>i << 3;
      const sr = cr * ld(vr + oi) - ci * ld(vi + oi);
      const si = cr * ld(vi + oi) + ci * ld(vr + oi);
      if (i >= k1) {
        qrRow(ar + o, ai + o, s0, n, wr, wi, sr, si, ld(ur + oi), -ld(ui + oi), xr, xi, true);
      } else {
        qrRow(ar + o, ai + o, s0, n, wr, wi, sr, si, 0, 0, xr, xi, false);
      }
    }
    let t = vr; vr = ur; ur = t;
    t = vi; vi = ui; ui = t;
    t = wr; wr = xr; xr = t;
    t = wi; wi = xi; xi = t;
  }

  // ---- Backward accumulation of Q = H_0 H_1 ... H_{n-1}, in place.
  // Step n-1 is a scalar reflector: Q[n-1][n-1] = 1 - tau_{n-1}.
  const last = <usize>(n - 1) * rowBytes + (<usize>(n - 1) << 3);
  const ol = <usize>(n - 1) << 3;
  st(ar + last, 1 - ld(tauR + ol));
  st(ai + last, -ld(tauI + ol));
  // v_{n-2} (column n-2, row n-1) into V; w_{n-1} = conj(v) Q[n-1][n-1].
  {
    const q = <usize>(n - 1) * rowBytes + (<usize>(n - 2) << 3);
    const a = ld(ar + q), b = ld(ai + q);
    st(vr + ol, a);
    st(vi + ol, b);
    const qr_ = ld(ar + last), qi_ = ld(ai + last);
    st(wr + ol, a * qr_ + b * qi_);
    st(wi + ol, a * qi_ - b * qr_);
  }
  for (let k = n - 2; k >= 0; k--) {
    const ok = <usize>k << 3;
    const rowk = <usize>k * rowBytes;
    st(vr + ok, 1);
    st(vi + ok, 0);
    // zero column k below the diagonal (v_k is already in V), set row k to e_k.
    for (let i = k + 1; i < n; i++) {
      const q = <usize>i * rowBytes + ok;
      st(ar + q, 0);
      st(ai + q, 0);
    }
    for (let j = k; j < n; j++) {
      st(ar + rowk + (<usize>j << 3), j == k ? 1.0 : 0.0);
      st(ai + rowk + (<usize>j << 3), 0);
    }
    st(wr + ok, 1);
    st(wi + ok, 0);
    const tr = ld(tauR + ok), ti = ld(tauI + ok);
    const more = k >= 1;
    if (more) {
      // v_{k-1} from column k-1 (rows >= k), into U; clear x.
      const okm = <usize>(k - 1) << 3;
      for (let i = k; i < n; i++) {
        const q = <usize>i * rowBytes + okm;
        const oi = <usize>i << 3;
        st(ur + oi, ld(ar + q));
        st(ui + oi, ld(ai + q));
      }
      for (let j = k - 1; j < n; j++) {
        const o = <usize>j << 3;
        st(xr + o, 0);
        st(xi + o, 0);
      }
    }
    // Alike the factorisation's fused pass above, kept inline on purpose: each hot loop fuses its own reflector with its own product (building Q here, factorising there).
    // rows i >= k: A[i][j] -= (tau v_i) w_j, j >= k; then x_j += conj(u_i) A[i][j].
    for (let i = k; i < n; i++) {
      const o = <usize>i * rowBytes;
      const oi = <usize>i << 3;
      const sr = tr * ld(vr + oi) - ti * ld(vi + oi);
      const si = tr * ld(vi + oi) + ti * ld(vr + oi);
      if (more) {
        qrRow(ar + o, ai + o, k, n, wr, wi, sr, si, ld(ur + oi), -ld(ui + oi), xr, xi, true);
      } else {
        qrRow(ar + o, ai + o, k, n, wr, wi, sr, si, 0, 0, xr, xi, false);
      }
    }
    if (more) {
      // Row k-1 of the state before step k-1 is e_{k-1}: w'_{k-1} = 1 set next turn.
      let t = vr; vr = ur; ur = t;
      t = vi; vi = ui; ui = t;
      t = wr; wr = xr; xr = t;
      t = wi; wi = xi; xi = t;
    }
  }
}

/**
 * Row kernel shared by QR factorisation and Q accumulation, columns s0..n-1:
 * row[j] -= (sr + i si) * w_j  (skipped when w == 0 pointer), then, if acc,
 * x_j += (cr + i ci) * row[j].
 */
@inline function qrRow(
  rr: usize, ri: usize, s0: i32, n: i32,
  wr: usize, wi: usize, sr: f64, si: f64,
  cr: f64, ci: f64, xr: usize, xi: usize, acc: bool,
): void {
  const upd = wr != 0;
  const Sr = f64x2.splat(sr), Si = f64x2.splat(si);
  const Cr = f64x2.splat(cr), Ci = f64x2.splat(ci);
  let j = s0;
  for (; j + 1 < n; j += 2) {
    const o = <usize>j << 3;
    let Ar = v128.load(rr + o), Ai = v128.load(ri + o);
    if (upd) {
      const Wr = v128.load(wr + o), Wi = v128.load(wi + o);
      Ar = f64x2.sub(Ar, f64x2.sub(f64x2.mul(Sr, Wr), f64x2.mul(Si, Wi)));
      Ai = f64x2.sub(Ai, f64x2.add(f64x2.mul(Sr, Wi), f64x2.mul(Si, Wr)));
      v128.store(rr + o, Ar);
      v128.store(ri + o, Ai);
    }
    if (acc) {
      v128.store(xr + o, f64x2.add(v128.load(xr + o), f64x2.sub(f64x2.mul(Cr, Ar), f64x2.mul(Ci, Ai))));
      v128.store(xi + o, f64x2.add(v128.load(xi + o), f64x2.add(f64x2.mul(Cr, Ai), f64x2.mul(Ci, Ar))));
    }
  }
  if (j < n) {
    const o = <usize>j << 3;
    let a = ld(rr + o), b = ld(ri + o);
    if (upd) {
      const c = ld(wr + o), dd = ld(wi + o);
      a -= sr * c - si * dd;
      b -= sr * dd + si * c;
      st(rr + o, a);
      st(ri + o, b);
    }
    if (acc) {
      st(xr + o, ld(xr + o) + cr * a - ci * b);
      st(xi + o, ld(xi + o) + cr * b + ci * a);
    }
  }
}
