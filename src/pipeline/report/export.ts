// Exported eigenvalues for people without Arrow: one array per data group (ensemble and
// size, or one layer), as .npy (complex128 e^{i theta} for eigenphases, float64 otherwise)
// or CSV (matrix,theta,re,im or matrix,value). The complex values are the `re`/`im` columns
// of the Arrow files, copied bit for bit.
import { encodeNpy } from './npy.js';
import type { DataGroup } from '../runtime/dataset.js';

/** .npy bytes of a group: complex128 (rows, cols) for eigenphases, float64 otherwise. */
export function groupNpy(g: DataGroup): Uint8Array {
  return g.re && g.im
    ? encodeNpy({ dtype: '<c16', shape: [g.rows, g.cols], data: g.re, imag: g.im })
    : encodeNpy({ dtype: '<f8', shape: [g.rows, g.cols], data: g.values });
}

/** CSV text of a group; numbers are shortest round-trip decimals (parsing gives the same double). */
export function groupCsv(g: DataGroup): string {
  const lines = [g.re ? 'matrix,theta,re,im' : 'matrix,value'];
  for (let i = 0; i < g.values.length; i++) {
    const row = g.matrices[Math.floor(i / g.cols)]!;
    lines.push(g.re && g.im ? `${row},${g.values[i]},${g.re[i]},${g.im[i]}` : `${row},${g.values[i]}`);
  }
  return lines.join('\n') + '\n';
}

