// Storage conventions for all dense kernels:
// - real matrices: one row-major Float64Array of length rows*cols;
// - complex matrices: split storage, two row-major Float64Arrays `re` and `im`
//   (split rather than interleaved so real and imaginary loops vectorise alike).

import { UserError } from '../errors.js';

/** Row-major real matrix (layer matrices, Gram inputs); weights' LayerInfo has the same rows/cols. */
export interface RealMatrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export interface ComplexMatrix {
  /** Order (square matrices) or rows. */
  rows: number;
  cols: number;
  re: Float64Array;
  im: Float64Array;
}

export function complexMatrix(rows: number, cols = rows): ComplexMatrix {
  return { rows, cols, re: new Float64Array(rows * cols), im: new Float64Array(rows * cols) };
}

/** NaN or Infinity in the input: bad data (the user's to fix), not a kernel bug. */
export class NonFiniteInputError extends UserError {
  constructor(what: string, index: number) {
    super(`${what}: non-finite value (NaN or Infinity) at flat index ${index}; refusing to compute on it`);
    this.name = 'NonFiniteInputError';
  }
}

/** Throws NonFiniteInputError naming `what` if any entry is NaN or +-Infinity. */
export function assertFinite(a: ArrayLike<number>, what: string): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v - v !== 0) throw new NonFiniteInputError(what, i);
  }
}

export function assertSquare(n: number, length: number, what: string): void {
  if (!Number.isInteger(n) || n < 1 || length !== n * n) {
    throw new RangeError(`${what}: expected an n x n matrix with n = ${n}, got ${length} entries`);
  }
}
