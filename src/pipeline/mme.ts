// Periodic spectral ergodicity of a mixed matrix ensemble (MME, SPEC sections 3 and 6).
//
// An MME is a set of M real square matrices of different orders. Here the orders are
// drawn from Binomial(N, p) (p = degree of mixture; an order below 2 is redrawn) and each
// member is sampled from a named circular ensemble. Circular matrices are complex
// unitary, while the MME of the papers is a set of REAL matrices; we use the same
// construction as the conjugate circular ensemble of the CSD paper: member i is
//   A_i = |U_i|  (elementwise modulus),  U_i from the ensemble at order N_i,
// and it enters PSE exactly like a network layer: eigenvalues of X_i = A_i A_i^T
// (definition) or of X_i X_i^T (bristol), periodic padding to the largest order, d_layers
// per depth in draw order and cPSE = mean log10 d_layers (spectral/pse.ts).
// CSE(n) is a 2n x 2n matrix (n Kramers pairs), so a CSE member of order n has 2n rows.
// Note the real part of U would be another choice; the modulus keeps the construction of
// the papers and gives a non-negative matrix with unit-norm rows (trace X_i = rows).
//
// Orders: mixedOrders (ensembles/mixed.ts), Binomial conditioned on >= 2 by redrawing.
// Reproducibility: the orders come from one stream seeded by (seed, 'mme-orders', ...),
// member i from its own stream seeded by (seed, 'mme', ensemble, method, N_i, i), so a
// member does not depend on how many others were drawn.
import { createStream, deriveSeed, type RandomStream } from '../rng/index.js';
import { sampleCUE, sampleCOE, sampleCSE, mixedOrders, type EnsembleName, type DenseMethod } from '../ensembles/index.js';
import type { ComplexMatrix } from '../linalg/types.js';
import { cpseFromEigenvalues, layerEigenvalues } from '../spectral/pse.js';
import type { Semantics } from '../spectral/semantics.js';
import { TOOL_VERSION } from './store.js';

export interface MmeOptions {
  ensemble: EnsembleName;
  /** Sampler of the unitary matrices: qr (default) or eigvec (`spectral` has no matrices). */
  method?: DenseMethod;
  /** N of Binomial(N, p): the largest possible order. */
  order: number;
  /** p of Binomial(N, p), in (0, 1]. */
  p: number;
  /** M, the number of matrices. */
  count: number;
  seed: string | number;
  semantics?: Semantics;
  /** Omega bins (definition semantics). */
  bins?: number;
}

export interface MmeReport {
  tool: 'ergo';
  version: string;
  experiment: 'mme';
  ensemble: EnsembleName;
  method: DenseMethod;
  /** How each real member matrix is made from the unitary draw. */
  member: 'elementwise modulus |U|';
  order: number;
  p: number;
  count: number;
  seed: string | number;
  semantics: Semantics;
  bins: number;
  /** Drawn orders in draw order (CSE: the number of Kramers pairs; the matrix has twice as many rows). */
  orders: number[];
  /** Rows of each member matrix A_i (= orders, doubled for CSE). */
  rows: number[];
  /** D_l for the first l vs l+1 members; depth = l + 1. */
  dLayers: { depth: number; n: number; d: number; log10D: number }[];
  cpse: number;
  nMax: number;
}

/** |U| elementwise, row-major, from split complex storage. */
export function modulusMatrix(u: ComplexMatrix): Float64Array {
  const a = new Float64Array(u.rows * u.cols);
  for (let i = 0; i < a.length; i++) a[i] = Math.hypot(u.re[i]!, u.im[i]!);
  return a;
}

/** Member matrix A = |U| with U from the ensemble at order n. */
export function mmeMember(ensemble: EnsembleName, method: DenseMethod, n: number, stream: RandomStream): { rows: number; data: Float64Array } {
  const u = ensemble === 'CUE' ? sampleCUE(n, stream, method) : ensemble === 'COE' ? sampleCOE(n, stream, method) : sampleCSE(n, stream, method);
  return { rows: u.rows, data: modulusMatrix(u) };
}

function check(o: MmeOptions): void {
  if (!['CUE', 'COE', 'CSE'].includes(o.ensemble)) throw new RangeError(`ensemble: expected CUE, COE or CSE, got "${o.ensemble}"`);
  if (!['qr', 'eigvec'].includes(o.method ?? 'qr')) throw new RangeError(`method: expected qr or eigvec (an MME needs matrices), got "${o.method}"`);
  if (!Number.isInteger(o.order) || o.order < 2) throw new RangeError(`order: expected a whole number >= 2, got ${o.order}`);
  if (!(o.p > 0 && o.p <= 1)) throw new RangeError(`p: expected a number in (0, 1], got ${o.p}`);
  if (!Number.isInteger(o.count) || o.count < 1) throw new RangeError(`count: expected a whole number >= 1, got ${o.count}`);
}

/** Draw the MME and compute its periodic spectral ergodicity per depth and cPSE. */
export function mmeReport(o: MmeOptions, onMember?: (done: number, total: number, rows: number) => void): MmeReport {
  check(o);
  const method = o.method ?? 'qr';
  const semantics = o.semantics ?? 'definition';
  const bins = o.bins ?? 10;
  const orders = mixedOrders(o.order, o.p, o.count, createStream(deriveSeed(o.seed, 'mme-orders', o.ensemble, o.order, o.p, o.count)));
  const rows: number[] = [];
  const spectra = orders.map((n, i) => {
    const a = mmeMember(o.ensemble, method, n, createStream(deriveSeed(o.seed, 'mme', o.ensemble, method, n, i)));
    rows.push(a.rows);
    const ev = layerEigenvalues({ rows: a.rows, cols: a.rows, data: a.data }, semantics);
    onMember?.(i + 1, orders.length, a.rows);
    return ev;
  });
  const r = cpseFromEigenvalues(spectra, { semantics, bins });
  return {
    tool: 'ergo',
    version: TOOL_VERSION,
    experiment: 'mme',
    ensemble: o.ensemble,
    method,
    member: 'elementwise modulus |U|',
    order: o.order,
    p: o.p,
    count: o.count,
    seed: o.seed,
    semantics,
    bins,
    orders,
    rows,
    dLayers: r.dLayers.map((d, i) => ({ depth: i + 2, n: rows[i + 1]!, d, log10D: Math.log10(d) })),
    cpse: r.cpse,
    nMax: r.nMax,
  };
}

export function mmeTable(r: MmeReport): string {
  const lines = [
    `MME of ${r.count} matrices |U|, U from ${r.ensemble} (${r.method}), orders ~ Binomial(${r.order}, ${r.p}) (orders < 2 redrawn), seed ${r.seed}, ${r.semantics} semantics`,
    `  orders: ${r.orders.join(' ')}${r.ensemble === 'CSE' ? ' (Kramers pairs; matrices have twice as many rows)' : ''}`,
  ];
  const rows = [['depth', 'N', 'd_layer', 'log10 d'], ...r.dLayers.map((d) => [String(d.depth), String(d.n), d.d.toExponential(6), d.log10D.toFixed(4)])];
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) lines.push('  ' + row.map((c, i) => c.padStart(w[i]!)).join('  '));
  lines.push(`  cPSE = ${Number.isNaN(r.cpse) ? 'NaN (fewer than 3 matrices)' : r.cpse.toFixed(6)}`);
  return lines.join('\n') + '\n';
}
