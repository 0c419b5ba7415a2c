// Results of the csd experiment: JSON (docs/results.md), text table, CSV and figures.
import type { DrawSummary } from '../../spectral/csd.js';
import type { EquivalenceTable } from '../../spectral/equivalence.js';
import { textTable, csv, quoted } from './table.js';
import { resultJson, resultWriter, type SkippedNetwork } from './json.js';
import { csdCurves, barChart } from './plot/index.js';

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
    ['network', 'layers', 'var_csd_mean', 'var_csd_std', 'cumulative_at_emax_mean', 'cumulative_at_emax_std', 'conjugate', 'class', 'draws'],
    r.networks.map((n) => [quoted(n.name), n.layers, n.varCsd.mean, n.varCsd.std, n.cumulativeAtEMax.mean, n.cumulativeAtEMax.std, n.conjugate, n.class + 1, n.varCsd.n]),
  );
}

/** Architecture family of a network name: its leading letters (vgg16 -> vgg, resnet50 -> resnet). */
export function familyOf(name: string): string {
  return (/^[A-Za-z]+/.exec(name)?.[0] ?? name).toLowerCase();
}

/** Write csd.json, csd.csv and plots; return the paths. */
export async function writeCsdReport(dir: string, r: CsdReport, family: (name: string) => string = familyOf): Promise<string[]> {
  const { put, files } = resultWriter(dir);
  put('results/csd.json', resultJson(r));
  put('results/csd.csv', csdCsv(r));
  // One CSD figure per family (networks whose names share a prefix), like the paper's figures.
  const width = r.eMax / r.bins;
  const families = new Map<string, CsdNetworkResult[]>();
  for (const n of r.networks) families.set(family(n.name), [...(families.get(family(n.name)) ?? []), n]);
  for (const [fam, nets] of families) {
    const series = nets.flatMap((n) => n.csd.map((c, k) => ({ network: n.name, e: (k + 0.5) * width, csd: c, cumulative: n.cumulative[k]! })));
    const safe = fam.replace(/[^A-Za-z0-9._-]+/g, '_');
    put(`plots/csd-${safe}.svg`, await csdCurves(series, { title: `Circular spectral difference: ${fam}`, subtitle: `against ${r.against}; mean over ${r.draws} draw(s)` }));
  }
  put(
    'plots/var-csd.svg',
    await barChart(
      r.networks.map((n) => ({ label: n.name, value: n.varCsd.mean, ...(Number.isFinite(n.varCsd.std) ? { error: n.varCsd.std } : {}) })),
      { title: 'Variance of the circular spectral difference', yTitle: 'Var(CSD)', subtitle: `mean ± std over ${r.draws} draw(s); e_max = ${r.eMax}, ${r.bins} bins` },
    ),
  );
  return files;
}
