// Hermitian tridiagonalisation (split complex storage); src/linalg/hermitian.ts dispatches here.
import { ld, st, hsum, pow2, biasedExp, zeroTridiagonal, unscaleTridiagonal } from './helpers';
import { houseComplex, cTauRe, cTauIm } from './householder';

// ---------------------------------------------------------------------------
// Hermitian tridiagonalisation.

/**
 * Householder reduction of a Hermitian matrix to real symmetric tridiagonal
 * form, values only (LAPACK zhetd2, uplo = 'L'; Golub & Van Loan 8.3.1 with
 * complex reflectors). Reads the upper triangle of the row-major split matrix
 * (re at ar, im at ai; diagonal imaginary parts ignored) and overwrites it.
 * That storage is the column-major lower triangle of conj(A), which has the
 * same eigenvalues. Rank-2 update fused with the next Hermitian mat-vec.
 * Outputs d[0..n), e[0..n-1) (real; where a reflector is not needed the
 * off-diagonal is |alpha|, a diagonal unitary similarity). work: 8n doubles.
 */
// Same start as symTridiag (symmetric.ts), kept inline on purpose: this one scans two arrays (re, im), that one one; each kernel reads top to bottom.
export function hermTridiag(ar: usize, ai: usize, n: i32, d: usize, e: usize, work: usize): void {
  const nn = <usize>n;
  const rowBytes = nn << 3;
  if (n == 1) {
    st(d, ld(ar));
    return;
  }
  // exact power-of-two scaling, as in symTridiag
  let amax: f64 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i * rowBytes;
    for (let j = i; j < n; j++) {
      const q = o + (<usize>j << 3);
      amax = Math.max(amax, Math.max(Math.abs(ld(ar + q)), Math.abs(ld(ai + q))));
    }
  }
  if (amax == 0) {
    zeroTridiagonal(d, e, n);
    return;
  }
  const ex = biasedExp(amax);
  const down = pow2(1022 - ex);
  const up = 1022 - ex;
  if (up != 0) {
    for (let i = 0; i < n; i++) {
      const o = <usize>i * rowBytes;
      for (let j = i; j < n; j++) {
        const q = o + (<usize>j << 3);
        st(ar + q, ld(ar + q) * down);
        st(ai + q, ld(ai + q) * down);
      }
    }
  }

  if (n == 2) {
    st(d, ld(ar));
    st(d + 8, ld(ar + rowBytes + 8));
    const xr = ld(ar + 8), xi = ld(ai + 8);
    st(e, Math.sqrt(xr * xr + xi * xi));
  } else {
    hermCore(ar, ai, n, d, e, work);
  }

  if (up != 0) unscaleTridiagonal(d, e, n, up);
}

/**
 * One fused pass row: rank-2 update of storage row i (entries j >= i) with
 * (v, w), then accumulate p2 += S' u for the Hermitian S' whose column i this
 * row holds (S'(j,i) = row[j]). `doMatvec` false skips the accumulation.
 */
@inline function hermRow(
  rr: usize, ri: usize, i: i32, n: i32,
  vr: usize, vi: usize, wr: usize, wi: usize,
  ur: usize, ui: usize, pr: usize, pi: usize,
): void {
  const oi = <usize>i << 3;
  const vir = ld(vr + oi), vii = ld(vi + oi);
  const wir = ld(wr + oi), wii = ld(wi + oi);
  // S(j,i) -= v_j conj(w_i) + w_j conj(v_i)
  const ar = wir, ai = -wii; // conj(w_i)
  const br = vir, bi = -vii; // conj(v_i)
  const uir = ld(ur + oi), uii = ld(ui + oi);
  // diagonal: real
  const dii = ld(rr + oi) - 2 * (vir * wir + vii * wii);
  st(rr + oi, dii);
  st(ri + oi, 0);
  let dotr = dii * uir;
  let doti = dii * uii;
  const sar = f64x2.splat(ar), sai = f64x2.splat(ai);
  const sbr = f64x2.splat(br), sbi = f64x2.splat(bi);
  const sur = f64x2.splat(uir), sui = f64x2.splat(uii);
  let accr = f64x2.splat(0), acci = f64x2.splat(0);
  let j = i + 1;
  for (; j + 1 < n; j += 2) {
    const o = <usize>j << 3;
    const Vr = v128.load(vr + o), Vi = v128.load(vi + o);
    const Wr = v128.load(wr + o), Wi = v128.load(wi + o);
    const Sr = f64x2.sub(
      v128.load(rr + o),
      f64x2.add(f64x2.sub(f64x2.mul(Vr, sar), f64x2.mul(Vi, sai)), f64x2.sub(f64x2.mul(Wr, sbr), f64x2.mul(Wi, sbi))),
    );
    const Si = f64x2.sub(
      v128.load(ri + o),
      f64x2.add(f64x2.add(f64x2.mul(Vr, sai), f64x2.mul(Vi, sar)), f64x2.add(f64x2.mul(Wr, sbi), f64x2.mul(Wi, sbr))),
    );
    v128.store(rr + o, Sr);
    v128.store(ri + o, Si);
    const Ur = v128.load(ur + o), Ui = v128.load(ui + o);
    // p_j += s u_i
    v128.store(pr + o, f64x2.add(v128.load(pr + o), f64x2.sub(f64x2.mul(Sr, sur), f64x2.mul(Si, sui))));
    v128.store(pi + o, f64x2.add(v128.load(pi + o), f64x2.add(f64x2.mul(Sr, sui), f64x2.mul(Si, sur))));
    // p_i += conj(s) u_j
    accr = f64x2.add(accr, f64x2.add(f64x2.mul(Sr, Ur), f64x2.mul(Si, Ui)));
    acci = f64x2.add(acci, f64x2.sub(f64x2.mul(Sr, Ui), f64x2.mul(Si, Ur)));
  }
  if (j < n) {
    const o = <usize>j << 3;
    const vjr = ld(vr + o), vji = ld(vi + o), wjr = ld(wr + o), wji = ld(wi + o);
    const sr = ld(rr + o) - (vjr * ar - vji * ai + wjr * br - wji * bi);
    const si = ld(ri + o) - (vjr * ai + vji * ar + wjr * bi + wji * br);
    st(rr + o, sr);
    st(ri + o, si);
    const ujr = ld(ur + o), uji = ld(ui + o);
    st(pr + o, ld(pr + o) + sr * uir - si * uii);
    st(pi + o, ld(pi + o) + sr * uii + si * uir);
    dotr += sr * ujr + si * uji;
    doti += sr * uji - si * ujr;
  }
  st(pr + oi, ld(pr + oi) + dotr + hsum(accr));
  st(pi + oi, ld(pi + oi) + doti + hsum(acci));
}

// Workspace carve-up like qrCore's (qr.ts) on purpose: each kernel names its own vectors; a shared layout would hide which is which.
function hermCore(ar: usize, ai: usize, n: i32, d: usize, e: usize, work: usize): void {
  const nn = <usize>n;
  const rowBytes = nn << 3;
  let vr = work, vi = work + rowBytes;
  let pr = work + 2 * rowBytes, pi = work + 3 * rowBytes;
  let ur = work + 4 * rowBytes, ui = work + 5 * rowBytes;
  let qr = work + 6 * rowBytes, qi = work + 7 * rowBytes;

  st(d, ld(ar));
  let beta = houseComplex(ar + 8, ai + 8, 8, vr + 8, vi + 8, n - 1);
  st(e, Math.abs(beta));
  let tr = cTauRe, ti = cTauIm;
  // p = S v (step 0), S = A[1:, 1:]; zero "w" so hermRow does no update.
  for (let j = 0; j < n; j++) {
    const o = <usize>j << 3;
    st(pr + o, 0);
    st(pi + o, 0);
    st(qr + o, 0);
    st(qi + o, 0);
  }
  // use q as the zero w; v as both v (update, times zero w) and u.
  for (let i = 1; i < n; i++) {
    const o = <usize>i * rowBytes;
    hermRow(ar + o, ai + o, i, n, vr, vi, qr, qi, vr, vi, pr, pi);
  }
  // p *= tau
  for (let j = 1; j < n; j++) {
    const o = <usize>j << 3;
    const a = ld(pr + o), b = ld(pi + o);
    st(pr + o, a * tr - b * ti);
    st(pi + o, a * ti + b * tr);
  }

  for (let k = 0; k <= n - 3; k++) {
    const k1 = k + 1;
    // w = p - (tau/2)(p^H v) v   (in place in p)
    let hr: f64 = 0, hi: f64 = 0;
    for (let j = k1; j < n; j++) {
      const o = <usize>j << 3;
      const a = ld(pr + o), b = ld(pi + o), c = ld(vr + o), dd = ld(vi + o);
      hr += a * c + b * dd;
      hi += a * dd - b * c;
    }
    const cr = 0.5 * (tr * hr - ti * hi), ci = 0.5 * (tr * hi + ti * hr);
    for (let j = k1; j < n; j++) {
      const o = <usize>j << 3;
      const c = ld(vr + o), dd = ld(vi + o);
      st(pr + o, ld(pr + o) - (cr * c - ci * dd));
      st(pi + o, ld(pi + o) - (cr * dd + ci * c));
    }
    const wr = pr, wi = pi;
    // update storage row k1 only (no mat-vec): pass zero "u" = q buffer (zeroed)
    // and a scratch p (q itself, entries >= k1; reset afterwards).
    {
      const o = <usize>k1 * rowBytes;
      for (let j = k1; j < n; j++) {
        const oj = <usize>j << 3;
        st(ur + oj, 0);
        st(ui + oj, 0);
        st(qr + oj, 0);
        st(qi + oj, 0);
      }
      hermRow(ar + o, ai + o, k1, n, vr, vi, wr, wi, ur, ui, qr, qi);
      st(d + (<usize>k1 << 3), ld(ar + o + (<usize>k1 << 3)));
    }
    if (k1 == n - 2) {
      const o = <usize>k1 * rowBytes + (<usize>(n - 1) << 3);
      const xr = ld(ar + o), xi = ld(ai + o);
      st(e + (<usize>k1 << 3), Math.sqrt(xr * xr + xi * xi));
      const ol = <usize>(n - 1) << 3;
      const last = <usize>(n - 1) * rowBytes + ol;
      const dl = ld(ar + last) - 2 * (ld(vr + ol) * ld(wr + ol) + ld(vi + ol) * ld(wi + ol));
      st(d + ol, dl);
      break;
    }
    const s0 = k + 2;
    const xo = <usize>k1 * rowBytes + (<usize>s0 << 3);
    beta = houseComplex(ar + xo, ai + xo, 8, ur + (<usize>s0 << 3), ui + (<usize>s0 << 3), n - s0);
    st(e + (<usize>k1 << 3), Math.abs(beta));
    const tr2 = cTauRe, ti2 = cTauIm;
    for (let j = s0; j < n; j++) {
      const oj = <usize>j << 3;
      st(qr + oj, 0);
      st(qi + oj, 0);
    }
    for (let i = s0; i < n; i++) {
      const o = <usize>i * rowBytes;
      hermRow(ar + o, ai + o, i, n, vr, vi, wr, wi, ur, ui, qr, qi);
    }
    for (let j = s0; j < n; j++) {
      const o = <usize>j << 3;
      const a = ld(qr + o), b = ld(qi + o);
      st(qr + o, a * tr2 - b * ti2);
      st(qi + o, a * ti2 + b * tr2);
    }
    // swap: v <- u, p <- q
    let t = vr; vr = ur; ur = t;
    t = vi; vi = ui; ui = t;
    t = pr; pr = qr; qr = t;
    t = pi; pi = qi; qi = t;
    tr = tr2;
    ti = ti2;
  }
}
