// Results of the csd experiment: JSON (docs/results.md), text table, CSV and figures.
import type { DrawSummary } from '../../spectral/csd.js';
import type { EquivalenceTable } from '../../spectral/equivalence.js';
import type { Uncertainty } from './ergodicity.js';
import { textTable, csv, quoted } from './table.js';
import { resultJson, resultWriter, type WriteOptions, type SkippedNetwork } from './json.js';
import { csdFigures } from './figures-csd.js';

export interface CsdNetworkResult {
  name: string;
  path: string;
  format: string;
  layers: number;
  orders: number[];
  pooled: number;
  /** Fraction of the network's pooled eigenvalues above e_max (outside the window). */
  outsideFraction: number;
  varCsd: DrawSummary;
  /** Percentile interval of Var(CSD) over the draws at the report's level; null for a single draw. */
  varLow: number | null;
  varHigh: number | null;
  cumulativeAtEMax: DrawSummary;
  conjugate: boolean;
  conjugateDraws: number;
  class: number;
  /** Bin-wise mean CSD and cumulative CSD over draws (what the plots show). */
  csd: number[];
  cumulative: number[];
  /** What the reader and layer selection warned about (sub-networks, fixed tensors, ...). */
  warnings: string[];
}

export interface CsdReport {
  tool: 'ergo';
  version: string;
  experiment: 'csd';
  against: string;
  normalise: 'none' | 'trace';
  eMax: number;
  bins: number;
  tolerance: number;
  delta: number;
  draws: number;
  seed: string | number;
  /** How the Var(CSD) intervals were made, or why there are none. */
  uncertainty: Uncertainty;
  networks: CsdNetworkResult[];
  equivalence: Pick<EquivalenceTable, 'names' | 'diff' | 'equivalent' | 'classes' | 'flags'>;
  /** Networks of the batch that could not be read (absent when none). */
  skipped?: SkippedNetwork[];
}

const fmt = (x: number, d = 4): string => (Number.isNaN(x) ? 'NaN' : Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(d - 1) : x.toFixed(d));

export function csdTable(r: CsdReport): string {
  const head = ['network', 'layers', 'Var(CSD) mean', 'std', 'cum. CSD at e_max', 'conjugate', 'class'];
  const rows = [head, ...r.networks.map((n) => [n.name, String(n.layers), fmt(n.varCsd.mean), fmt(n.varCsd.std), fmt(n.cumulativeAtEMax.mean), n.conjugate ? 'yes' : 'no', String(n.class + 1)])];
  const lines = [`CSD against ${r.against}${r.normalise === "trace" ? ", spectra divided by their mean eigenvalue" : ""}; e_max = ${r.eMax}, ${r.bins} bins, ${r.draws} draw(s), tolerance ${r.tolerance}, delta ${r.delta}`];
  lines.push(...textTable(rows));
  r.equivalence.classes.forEach((c, i) => lines.push(`class ${i + 1}: ${c.join(', ')}`));
  for (const f of r.equivalence.flags) lines.push(`note: ${f.a} and ${f.b} share class ${f.classIndex + 1} through a chain, but differ by ${fmt(f.diff)} > delta`);
  for (const n of r.networks) for (const warn of n.warnings) lines.push(`warning: ${n.name}: ${warn}`);
  return lines.join('\n') + '\n';
}

export function csdCsv(r: CsdReport): string {
  return csv(
    ['network', 'layers', 'var_csd_mean', 'var_csd_std', 'cumulative_at_emax_mean', 'cumulative_at_emax_std', 'conjugate', 'class', 'draws', 'var_csd_low', 'var_csd_high'],
    r.networks.map((n) => [quoted(n.name), n.layers, n.varCsd.mean, n.varCsd.std, n.cumulativeAtEMax.mean, n.cumulativeAtEMax.std, n.conjugate, n.class + 1, n.varCsd.n, n.varLow ?? '', n.varHigh ?? '']),
  );
}

/** Architecture family of a network name: its leading letters (vgg16 -> vgg, resnet50 -> resnet). */
export function familyOf(name: string): string {
  return (/^[A-Za-z]+/.exec(name)?.[0] ?? name).toLowerCase();
}

/** Write csd.json, csd.csv and (unless plots: false) plots: one CSD figure per family, the Var(CSD) bars; return the paths. */
export async function writeCsdReport(dir: string, r: CsdReport, family: (name: string) => string = familyOf, smooth?: number, { plots = true }: WriteOptions = {}): Promise<string[]> {
  const { put, files } = resultWriter(dir);
  put('results/csd.json', resultJson(r));
  put('results/csd.csv', csdCsv(r));
  if (plots) for (const f of await csdFigures(r, smooth, family)) put(`plots/${f.id}.svg`, f.svg);
  return files;
}
