// Complex Householder reflectors (LAPACK zlarfg), shared by the Hermitian tridiagonalisation
// and the complex QR kernels.
import { ld, st, pow2, biasedExp } from './helpers';

// ---------------------------------------------------------------------------
// Complex Householder vectors (split storage).

export let cTauRe: f64 = 0;
export let cTauIm: f64 = 0;

/**
 * LAPACK zlarfg on x[0..len) (re at xr, im at xi, element stride `stride`
 * bytes), writing v (v[0] = 1) contiguously to vr/vi: H = I - tau v v^H with
 * H^H x = beta e1, beta real. Returns beta; tau in the globals.
 * When nothing needs annihilating and alpha is real, H = I (tau = 0).
 * Norms are taken after exact power-of-two scaling, as in houseReal.
 */
export function houseComplex(xr: usize, xi: usize, stride: usize, vr: usize, vi: usize, len: i32): f64 {
  const ar0 = ld(xr);
  const ai0 = ld(xi);
  let xmax = Math.max(Math.abs(ar0), Math.abs(ai0));
  for (let j = 1; j < len; j++) {
    const o = <usize>j * stride;
    xmax = Math.max(xmax, Math.max(Math.abs(ld(xr + o)), Math.abs(ld(xi + o))));
  }
  st(vr, 1.0);
  st(vi, 0.0);
  for (let j = 1; j < len; j++) {
    st(vr + (<usize>j << 3), 0);
    st(vi + (<usize>j << 3), 0);
  }
  cTauRe = 0;
  cTauIm = 0;
  if (xmax == 0) return ar0;
  const f = pow2(1022 - biasedExp(xmax));
  let sigma: f64 = 0;
  for (let j = 1; j < len; j++) {
    const o = <usize>j * stride;
    const re = ld(xr + o) * f, im = ld(xi + o) * f;
    sigma += re * re + im * im;
  }
  if (sigma == 0 && ai0 == 0) return ar0;
  const ar = ar0 * f, ai = ai0 * f;
  const beta = -copysign<f64>(Math.sqrt(ar * ar + ai * ai + sigma), ar);
  cTauRe = (beta - ar) / beta;
  cTauIm = -ai / beta;
  // v_j = x_j * f / (alpha f - beta)
  const zr = ar - beta, zi = ai;
  const den = zr * zr + zi * zi;
  const sr = (zr / den) * f, si = (-zi / den) * f;
  for (let j = 1; j < len; j++) {
    const o = <usize>j * stride;
    const re = ld(xr + o), im = ld(xi + o);
    st(vr + (<usize>j << 3), re * sr - im * si);
    st(vi + (<usize>j << 3), re * si + im * sr);
  }
  return beta / f;
}
