// ergo WebAssembly kernel for method `spectral`: the matching-phase recursion of the
// Killip–Nenciu CMV sampler at many points per pass over the coefficients.
// src/ensembles/cmv.ts (`cmvMatchPhaseTS`) is the reference and documents the mathematics.
//
// Why this shape: one evaluation is a chain of dependent complex operations over k (with a
// division per step), so a single point is latency-bound. Here a group of GROUP points
// advances together through k: each f64x2 pair is an independent chain, the out-of-order
// core overlaps them, and each coefficient is loaded once per group. Every lane performs
// exactly the IEEE operations of the TypeScript reference in the same order (the running
// product is rescaled only by powers of two, which is exact), so both give the same bits.

/** Points per group (GROUP / 2 f64x2 pairs); the group state (7 x GROUP f64) stays in L1. */
const GROUP: i32 = 16;

/**
 * One step k of the recursion for the f64x2 pairs of a group (byte offsets 0 .. B of the
 * state arrays). Inlined with constant flags, so the common step carries no branches.
 */
// prettier-ignore
@inline function groupStep(
  B: usize, work: usize, zr: usize, zi: usize,
  ur: v128, ui: v128, alr: v128, ali: v128, rh: v128, gap: v128, rho2: v128,
  full: bool, renorm: bool, rescale: bool,
): void {
  const sCr = work;
  const sCi = work + B;
  const sD = work + 2 * B;
  const sDD = work + 3 * B;
  const sPr = work + 4 * B;
  const sPi = work + 5 * B;
  const sW = work + 6 * B;
  const zero = f64x2.splat(0);
  const one = f64x2.splat(1);
  for (let o: usize = 0; o < B; o += 16) {
    const xr = v128.load(zr + o);
    const xi = v128.load(zi + o);
    const cr = v128.load(sCr + o);
    const ci = v128.load(sCi + o);
    // w = c_{k+1} conj(z); 2 (1 + cos eta) = |conj(u) + w|^2; p = 1 + alpha w
// Complex products written out inline on purpose (here and for P below): a helper cannot return a v128 pair without memory traffic in this hot loop.
    const wr = f64x2.sub(f64x2.mul(cr, xr), f64x2.mul(ci, xi));
    const wi = f64x2.add(f64x2.mul(cr, xi), f64x2.mul(ci, xr));
    const sr = f64x2.add(ur, wr);
    const si = f64x2.sub(wi, ui);
    const h = f64x2.add(f64x2.mul(sr, sr), f64x2.mul(si, si));
    const qr = f64x2.add(gap, f64x2.mul(rh, h));
    const qi = f64x2.add(f64x2.mul(alr, wi), f64x2.mul(ali, wr));
    const q2r = f64x2.mul(qr, qr);
    const q2i = f64x2.mul(qi, qi);
    const inv = f64x2.div(one, f64x2.add(q2r, q2i));
    const t2 = f64x2.mul(qi, f64x2.mul(f64x2.splat(-2), inv));
    // c_k = w conj(p)^2 / |p|^2, pulled back onto the unit circle every 8 steps
    const er = f64x2.mul(f64x2.sub(q2r, q2i), inv);
    const ei = f64x2.mul(qr, t2);
    let ncr = f64x2.sub(f64x2.mul(er, wr), f64x2.mul(ei, wi));
    let nci = f64x2.add(f64x2.mul(er, wi), f64x2.mul(ei, wr));
    if (renorm) {
      const t = f64x2.sub(f64x2.splat(1.5), f64x2.mul(f64x2.splat(0.5), f64x2.add(f64x2.mul(ncr, ncr), f64x2.mul(nci, nci))));
      ncr = f64x2.mul(ncr, t);
      nci = f64x2.mul(nci, t);
    }
    v128.store(sCr + o, ncr);
    v128.store(sCi + o, nci);
    // D_k and D_k'
    const d1 = f64x2.add(v128.load(sD + o), one);
    const g = f64x2.mul(rho2, inv);
    const d = f64x2.mul(d1, g);
    v128.store(sD + o, d);
    v128.store(sDD + o, f64x2.add(f64x2.mul(g, v128.load(sDD + o)), f64x2.mul(f64x2.mul(d, d1), t2)));
    if (full) {
      const pr = v128.load(sPr + o);
      const pi = v128.load(sPi + o);
// Inline on purpose like w above: a helper cannot return a v128 pair without memory traffic in this hot loop.
      let npr = f64x2.sub(f64x2.mul(pr, qr), f64x2.mul(pi, qi));
      let npi = f64x2.add(f64x2.mul(pr, qi), f64x2.mul(pi, qr));
      // a sign change of Im P in the direction P turns (sign of Im p) crosses the negative axis
      const wasNeg = f64x2.lt(pi, zero);
      const isNeg = f64x2.lt(npi, zero);
      const up = v128.and(f64x2.gt(qi, zero), v128.andnot(isNeg, wasNeg));
      const down = v128.and(f64x2.lt(qi, zero), v128.andnot(wasNeg, isNeg));
      v128.store(sW + o, i64x2.add(i64x2.sub(v128.load(sW + o), up), down));
      if (rescale) {
        const scaleUp = f64x2.splat(reinterpret<f64>(<u64>(500 + 1023) << 52)); // 2^500
        const scaleDown = f64x2.splat(reinterpret<f64>(<u64>(-500 + 1023) << 52)); // 2^-500
        const size = f64x2.add(f64x2.abs(npr), f64x2.abs(npi));
        const f = v128.bitselect(scaleUp, v128.bitselect(scaleDown, one, f64x2.gt(size, scaleUp)), f64x2.lt(size, scaleDown));
        npr = f64x2.mul(npr, f);
        npi = f64x2.mul(npi, f);
      }
      v128.store(sPr + o, npr);
      v128.store(sPi + o, npi);
    }
  }
}

// prettier-ignore
@inline function run(
  coef: usize, m: i32, kTiny: i32, c0r: f64, c0i: f64,
  zr: usize, zi: usize, count: i32, out: usize, work: usize, full: bool,
): void {
  const cb: usize = <usize>count << 3;
  const GB: usize = <usize>GROUP << 3;
  for (let g0: usize = 0; g0 < cb; g0 += GB) {
    // the last group may be shorter (count is even)
    const B: usize = min(GB, cb - g0);
    const sCr = work;
    const sCi = work + B;
    const sD = work + 2 * B;
    const sDD = work + 3 * B;
    const sPr = work + 4 * B;
    const sPi = work + 5 * B;
    const sW = work + 6 * B;
    for (let o: usize = 0; o < B; o += 16) {
      v128.store(sCr + o, f64x2.splat(c0r));
      v128.store(sCi + o, f64x2.splat(c0i));
      v128.store(sD + o, f64x2.splat(0));
      v128.store(sDD + o, f64x2.splat(0));
      v128.store(sPr + o, f64x2.splat(1));
      v128.store(sPi + o, f64x2.splat(0));
      v128.store(sW + o, i64x2.splat(0));
    }
    for (let k: i32 = m - 1; k >= 0; k--) {
      const cp: usize = coef + ((<usize>k) << 6);
      const ur = v128.load64_splat(cp);
      const ui = v128.load64_splat(cp, 8);
      const alr = v128.load64_splat(cp, 16);
      const ali = v128.load64_splat(cp, 24);
      const rh = v128.load64_splat(cp, 32);
      const gap = v128.load64_splat(cp, 40);
      const rho2 = v128.load64_splat(cp, 48);
      if ((k & 7) == 0) {
        groupStep(B, work, zr + g0, zi + g0, ur, ui, alr, ali, rh, gap, rho2, full, true, true);
      } else if (full && k >= kTiny) {
        groupStep(B, work, zr + g0, zi + g0, ur, ui, alr, ali, rh, gap, rho2, full, false, true);
      } else {
        groupStep(B, work, zr + g0, zi + g0, ur, ui, alr, ali, rh, gap, rho2, full, false, false);
      }
    }
    for (let o: usize = 0; o < B; o += 8) {
      const q: usize = g0 + o;
      store<f64>(out + q, load<f64>((full ? sPr : sCr) + o));
      store<f64>(out + cb + q, load<f64>((full ? sPi : sCi) + o));
      store<f64>(out + 2 * cb + q, full ? <f64>load<i64>(sW + o) : 0);
      store<f64>(out + 3 * cb + q, load<f64>(sD + o));
      store<f64>(out + 4 * cb + q, load<f64>(sDD + o));
    }
  }
}

/**
 * Matching-phase recursion (Szegő recursion pulled back to k = 0; Simon, "Orthogonal
 * Polynomials on the Unit Circle", 2005) at `count` points, count even.
 * zr / zi: cos theta / -sin theta. coef: m packed coefficients of 8 f64 (k = 0 .. m-1):
 * [u_re, u_im, alpha_re, alpha_im, |alpha| / 2, 1 - |alpha|, rho2, 0], u = alpha / |alpha|.
 * (c0r, c0i) = c_{n-1}. full != 0: also the running product P of the p_k and its crossings
 * of the negative real axis, rescaled at k % 8 == 0 and at every k >= kTiny.
 * Writes 5 arrays of `count` f64 at `out`: full: P_re, P_im, wraps, D_0, D_0';
 * light: c0_re, c0_im, 0, D_0, D_0'. `work`: 16-byte aligned scratch of 7 * GROUP f64.
 */
export function cmvPhase(
  coef: usize,
  m: i32,
  kTiny: i32,
  c0r: f64,
  c0i: f64,
  zr: usize,
  zi: usize,
  count: i32,
  full: i32,
  out: usize,
  work: usize,
): void {
  if (full) run(coef, m, kTiny, c0r, c0i, zr, zi, count, out, work, true);
  else run(coef, m, kTiny, c0r, c0i, zr, zi, count, out, work, false);
}
