// Results of the ergodicity sweep and of `ergo analyze`: JSON (docs/results.md), CSV and figures.
import type { Semantics } from '../../spectral/semantics.js';
import type { ErgodicityConfig } from '../config/types.js';
import { csv } from './table.js';
import { resultJson, resultWriter, type WriteOptions } from './json.js';
import { eigenphasePlot } from './plot/index.js';
import { dseFigure } from './figures.js';

export interface SizeResult {
  n: number;
  matrices: number;
  omega: number[];
  omegaMean: number;
}

export interface DseResult {
  from: number;
  to: number;
  dse: number;
  log10Dse: number;
  /** Percentile bootstrap interval of dse (SPEC section 10); null when none can be given (report.uncertainty says why). */
  dseLow: number | null;
  dseHigh: number | null;
}

/** How the report's intervals were made (SPEC section 10), or why there are none. */
export type Uncertainty =
  | { method: 'bootstrap' | 'draws'; resamples?: number; draws?: number; level: number; seed: string | number }
  | { method: 'none'; reason: string };

export interface SeriesResult {
  label: string;
  ensemble?: string;
  method?: string;
  files?: string[];
  sizes: SizeResult[];
  dse: DseResult[];
}

export interface ErgodicityReport {
  tool: 'ergo';
  version: string;
  experiment: 'spectral-ergodicity' | 'analyze';
  name: string;
  semantics: Semantics;
  kind: 'angle' | 'real';
  delta?: number;
  bins?: number;
  edges: number[] | null;
  series: SeriesResult[];
  uncertainty: Uncertainty;
}

export function dseCsv(r: ErgodicityReport): string {
  return csv(
    ['series', 'ensemble', 'method', 'from', 'to', 'dse', 'log10_dse', 'dse_low', 'dse_high'],
    r.series.flatMap((s) => s.dse.map((d) => [s.label, s.ensemble ?? '', s.method ?? '', d.from, d.to, d.dse, d.log10Dse, d.dseLow ?? '', d.dseHigh ?? ''])),
  );
}

export function omegaCsv(r: ErgodicityReport): string {
  const rows = r.series.flatMap((s) =>
    s.sizes.flatMap((z) => z.omega.map((w, k) => [s.label, s.ensemble ?? '', s.method ?? '', z.n, z.matrices, k, r.edges?.[k] ?? '', r.edges?.[k + 1] ?? '', w])),
  );
  return csv(['series', 'ensemble', 'method', 'n', 'matrices', 'bin', 'bin_left', 'bin_right', 'omega'], rows);
}

/** First matrix's eigenphases of each series at size n (what the unit-circle figure draws). */
export interface FirstMatrices {
  n: number;
  series: { label: string; theta: Float64Array }[];
}

/** Write results.json, dse.csv, omega.csv and (unless plots: false) the figures of a sweep into `dir`; return the paths. */
export async function writeErgodicityReport(dir: string, report: ErgodicityReport, cfg: ErgodicityConfig, first: FirstMatrices, { plots = true }: WriteOptions = {}): Promise<string[]> {
  const { put, files } = resultWriter(dir);
  put('results/results.json', resultJson(report));
  put('results/dse.csv', dseCsv(report));
  put('results/omega.csv', omegaCsv(report));
  if (!plots) return files;
  const dse = await dseFigure(report, `log10 D_se between consecutive sizes, M = ${cfg.matrices}, delta = ${cfg.delta} rad, ${cfg.semantics} semantics`);
  if (dse) put('plots/dse.svg', dse.svg);
  // One matrix per ensemble: the spacing (level repulsion) stays visible, unlike a ring of M*N dots.
  const points = first.series.flatMap((s) => Array.from(s.theta, (t) => ({ ensemble: s.label, re: Math.cos(t), im: Math.sin(t) })));
  put(
    'plots/eigenphases.svg',
    await eigenphasePlot(points, {
      title: `Eigenvalues on the unit circle, N = ${first.n}`,
      subtitle: 'first matrix of each ensemble; grey circle: |z| = 1',
      maxPoints: cfg.plot.maxPoints,
    }),
  );
  return files;
}
