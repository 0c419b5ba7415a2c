// Histogram densities, a few panels per figure: eigenphases against the flat density
// 1/(2 pi) of a circular ensemble, and each layer's eigenvalue density (linear axes, or
// log-log with logarithmic bins, as WeightWatcher-style empirical spectral densities).
// Binning lives here (histogramBins); the figures only draw what it returns.
import type { TopLevelSpec } from 'vega-lite';
import { render, titleOf, CONFIG } from './render.js';
import { rowChecks, requireRows, requireFinite, requireSize, PlotInputError } from './checks.js';

export interface Bin {
  left: number;
  right: number;
  /** count / (total * width): a probability density. */
  density: number;
}

/**
 * Histogram density of `values` with `bins` equal bins on [lo, hi] (log: equal in log10 over
 * the positive values, lo and hi then > 0). Values outside [lo, hi] count in the total only.
 */
export function histogramBins(values: ArrayLike<number>, bins: number, lo: number, hi: number, log = false): Bin[] {
  if (!Number.isInteger(bins) || bins < 1) throw new PlotInputError(`histogramBins: bins must be a positive integer, got ${bins}`);
  if (!(hi > lo) || (log && !(lo > 0))) throw new PlotInputError(`histogramBins: need ${log ? '0 < ' : ''}lo < hi, got [${lo}, ${hi}]`);
  const a = log ? Math.log10(lo) : lo;
  const b = log ? Math.log10(hi) : hi;
  const counts = new Float64Array(bins);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (log && !(v > 0)) continue;
    const t = ((log ? Math.log10(v) : v) - a) / (b - a);
    if (t < 0 || t > 1 || Number.isNaN(t)) continue;
    counts[Math.min(bins - 1, Math.floor(t * bins))]++;
  }
  const total = values.length;
  const edge = (k: number) => (log ? 10 ** (a + ((b - a) * k) / bins) : a + ((b - a) * k) / bins);
  return Array.from(counts, (c, k) => {
    const left = edge(k);
    const right = edge(k + 1);
    return { left, right, density: total ? c / (total * (right - left)) : 0 };
  });
}

/** Bin count for n values: the square-root rule, clamped to [8, 80]. */
export function binsFor(n: number): number {
  return Math.max(8, Math.min(80, Math.round(Math.sqrt(n))));
}

export interface DensityPanel {
  panel: string;
  bins: readonly Bin[];
}

export interface DensityOptions {
  title: string;
  subtitle?: string;
  xTitle: string;
  yTitle?: string;
  /** A flat reference density drawn as a dashed line (e.g. 1/(2 pi)), with its label. */
  reference?: { value: number; label: string };
  /** Log-log axes: points joined by lines at the bins' geometric centres; empty bins left out. */
  logLog?: boolean;
  columns?: number;
  panelWidth?: number;
  panelHeight?: number;
}

/** One small histogram per panel (input order), `columns` per row, each with its own scales. */
export async function densityPanels(panels: readonly DensityPanel[], opts: DensityOptions): Promise<string> {
  const fn = 'densityPanels';
  const check = rowChecks(fn, 'panels', panels);
  const width = requireSize(fn, 'panelWidth', opts.panelWidth, 220);
  const height = requireSize(fn, 'panelHeight', opts.panelHeight, 160);
  const columns = opts.columns ?? Math.min(panels.length, 3);
  if (!Number.isInteger(columns) || columns < 1) throw new PlotInputError(`${fn}: columns must be a positive integer, got ${columns}`);
  const specs = panels.map((p, i) => {
    const title = check.label(i, 'panel', p.panel);
    requireRows(fn, `panels[${i}].bins`, p.bins);
    const rows = p.bins.map((b, k) => ({
      left: requireFinite(fn, `panels[${i}].bins`, k, 'left', b.left, `panel '${title}'`),
      right: requireFinite(fn, `panels[${i}].bins`, k, 'right', b.right, `panel '${title}'`),
      density: requireFinite(fn, `panels[${i}].bins`, k, 'density', b.density, `panel '${title}'`),
    }));
    const yTitle = opts.yTitle ?? 'density';
    const layer: object[] = [];
    if (opts.logLog) {
      const pts = rows.filter((r) => r.density > 0 && r.left > 0).map((r) => ({ x: Math.sqrt(r.left * r.right), density: r.density }));
      if (!pts.length) throw new PlotInputError(`${fn}: panel '${title}' has no positive bin to draw on log axes`);
      layer.push({
        data: { values: pts },
        mark: { type: 'line', point: { filled: true, size: 16 }, strokeWidth: 1.2, color: '#4c78a8' },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: { type: 'log' }, axis: { title: opts.xTitle, format: '~g', tickCount: 4 } },
          y: { field: 'density', type: 'quantitative', scale: { type: 'log' }, axis: { title: yTitle, format: '~g', tickCount: 4 } },
        },
      });
    } else {
      layer.push({
        data: { values: rows },
        // Pale bars under a reference line, so the line stays visible across them.
        mark: { type: 'rect', color: opts.reference ? '#9ecae9' : '#4c78a8', opacity: 0.9, stroke: 'white', strokeWidth: 0.3 },
        encoding: {
          x: { field: 'left', type: 'quantitative', scale: { zero: false, nice: false }, axis: { title: opts.xTitle, tickCount: 5 } },
          x2: { field: 'right' },
          y: { field: 'density', type: 'quantitative', axis: { title: yTitle, tickCount: 5 } },
          y2: { datum: 0 },
        },
      });
    }
    if (opts.reference) {
      layer.push({
        data: { values: [{ y: opts.reference.value, label: opts.reference.label }] },
        mark: { type: 'rule', color: '#c0392b', strokeDash: [6, 3], strokeWidth: 2.5 },
        encoding: { y: { field: 'y', type: 'quantitative' } },
      });
    }
    // limit 0: full layer names, never cut.
    return { title: { text: title, fontSize: 11, fontWeight: 'normal' as const, limit: 0 }, width, height, layer };
  });
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    title: titleOf(opts.title, opts.subtitle),
    columns,
    concat: specs,
    resolve: { scale: { x: 'independent', y: 'independent' } },
  } as TopLevelSpec);
}
