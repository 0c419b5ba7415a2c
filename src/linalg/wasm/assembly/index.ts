// ergo WebAssembly kernels (AssemblyScript, compiled with --enable simd --runtime stub).
//
// Every kernel works on raw linear memory that the JS loader lays out: f64,
// row-major, complex matrices split into separate re / im arrays. Nothing is
// allocated here; scratch space ("work") is passed in by the caller, except
// the Gram kernel's fixed packing buffers (static data, about 260 KiB) and the
// blocked tridiagonalisation's panels, which reuse the input triangle it no
// longer reads. Inner loops run over contiguous row segments two doubles at a
// time (f64x2).
//
// Layout trick shared by the tridiagonalisations: a row-major upper triangle
// is the same memory as a column-major lower triangle, so LAPACK's "lower"
// algorithms (which walk columns) walk contiguous rows here.
//
// One file per kernel family, this file the entry that exports them:
//   symmetric.ts  real symmetric tridiagonalisation (unblocked and blocked)
//   hermitian.ts  Hermitian tridiagonalisation
//   qr.ts         complex Householder QR with explicit Q
//   gram.ts       Gram matrix A A^T
//   householder.ts  complex Householder reflectors (hermitian.ts, qr.ts)
//   helpers.ts    loads, stores, horizontal sums, exact powers of two
//   cmv.ts        the CMV matching-phase kernel of src/ensembles/cmv.ts (its own entry)

export { symTridiag } from './symmetric';
export { hermTridiag } from './hermitian';
export { complexQR } from './qr';
export { gram } from './gram';

/** Scratch start the JS side may use: the end of static data. */
export function heapBase(): usize {
  return __heap_base;
}
