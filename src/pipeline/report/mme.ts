// Results of the mme experiment: JSON (docs/results.md), text table and the depth figure.
import type { EnsembleName, DenseMethod } from '../../ensembles/index.js';
import type { Semantics } from '../../spectral/semantics.js';
import { textTable } from './table.js';
import type { Uncertainty } from './ergodicity.js';
import { resultJson, resultWriter, type WriteOptions } from './json.js';
import { mmeFigure } from './figures.js';

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
  /** Independent draws of the MME; cpse and dLayers above are draw 0's. */
  draws: number;
  cpseDraws: number[];
  /** Percentile interval of cPSE over the draws; null for one draw. */
  cpseLow: number | null;
  cpseHigh: number | null;
  uncertainty: Uncertainty;
}

export function mmeTable(r: MmeReport): string {
  const lines = [
    `MME of ${r.count} matrices |U|, U from ${r.ensemble} (${r.method}), orders ~ Binomial(${r.order}, ${r.p}) (orders < 2 redrawn), seed ${r.seed}, ${r.semantics} semantics`,
    `  orders: ${r.orders.join(' ')}${r.ensemble === 'CSE' ? ' (Kramers pairs; matrices have twice as many rows)' : ''}`,
  ];
  const rows = [['depth', 'N', 'd_layer', 'log10 d'], ...r.dLayers.map((d) => [String(d.depth), String(d.n), d.d.toExponential(6), d.log10D.toFixed(4)])];
  lines.push(...textTable(rows, { align: ['right', 'right', 'right', 'right'], indent: '  ' }));
  lines.push(`  cPSE = ${Number.isNaN(r.cpse) ? 'NaN (fewer than 3 matrices)' : r.cpse.toFixed(6)}`);
  if (r.cpseLow !== null && r.cpseHigh !== null && r.uncertainty.method === 'draws') lines.push(`  cPSE over ${r.draws} draws: ${(r.uncertainty.level * 100).toFixed(0)}% interval [${r.cpseLow.toFixed(6)}, ${r.cpseHigh.toFixed(6)}]`);
  return lines.join('\n') + '\n';
}

/** Write results/mme.json and (unless plots: false) plots/mme-depth.svg into `dir`; return the paths. */
export async function writeMmeReport(dir: string, r: MmeReport, { plots = true }: WriteOptions = {}): Promise<string[]> {
  const { put, files } = resultWriter(dir);
  put('results/mme.json', resultJson(r));
  if (!plots) return files;
  const fig = await mmeFigure(r);
  if (fig) put('plots/mme-depth.svg', fig.svg);
  return files;
}
