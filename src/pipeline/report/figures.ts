// The figures of a run, built from its results JSON and, where a figure needs eigenvalues,
// from its finished chunks (eigenphases of the sweep, each layer's spectrum). Used by the
// HTML report (html.ts) and by the result writers for plots/*.svg, so both show the same
// figure. Interval fields agreed with the uncertainty code (`dseLow`/`dseHigh` on D_se rows,
// `varLow`/`varHigh` on Var(CSD), `cpseLow`/`cpseHigh` on a mixed ensemble's cPSE) are drawn
// when present and simply absent otherwise.
import type { Dataset } from '../runtime/dataset.js';
import { readChunk } from '../runtime/dataset.js';
import type { RunConfig } from '../config/types.js';
import type { ErgodicityReport } from './ergodicity.js';
import type { CpseReport } from './cpse.js';
import type { MmeReport } from './mme.js';
import { dseLines, eigenphasePlot, depthCurves, densityPanels, histogramBins, binsFor, type DensityPanel } from './plot/index.js';

export interface Figure {
  /** Stable id, also the file stem under plots/ (e.g. "dse", "csd-vgg"). */
  id: string;
  title: string;
  /** One or two sentences under the figure: what it shows and how to read it. */
  caption: string;
  svg: string;
}

export type AnyReport = ErgodicityReport | CpseReport | import('./csd.js').CsdReport | MmeReport;

export const fin = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Optional interval of a row: [low, high] when both are finite numbers. */
export function intervalOf(row: object, name: string): [number, number] | undefined {
  const r = row as Record<string, unknown>;
  const lo = r[`${name}Low`];
  const hi = r[`${name}High`];
  return fin(lo) && fin(hi) ? [lo, hi] : undefined;
}

// ------------------------------------------------------------------ sweep

/** log10 D_se against N′ per ensemble, with the interval band when the rows carry one. */
export async function dseFigure(r: ErgodicityReport, subtitle?: string): Promise<Figure | undefined> {
  const rows = r.series.flatMap((s) =>
    s.dse.filter((d) => fin(d.log10Dse)).map((d) => {
      const iv = intervalOf(d, 'dse');
      // A band needs both ends on the log scale: a lower end of 0 cannot be drawn, so none.
      const band = iv && iv[0] > 0 ? { lo: Math.log10(iv[0]), hi: Math.log10(iv[1]) } : {};
      return { ensemble: s.label, n: d.to, log10Dse: d.log10Dse, ...band };
    }),
  );
  if (!rows.length) return undefined;
  const banded = rows.some((x) => 'lo' in x);
  return {
    id: 'dse',
    title: 'Approach to spectral ergodicity',
    caption:
      'log10 D_se for each size transition N → N′, plotted at N′, one line per ensemble. D_se falling with N is the approach to spectral ergodicity' +
      (banded ? '; bands and whiskers are the intervals of D_se.' : '; no intervals in this run.'),
    svg: await dseLines(rows, { title: `Approach to spectral ergodicity: ${r.name}`, ...(subtitle ? { subtitle } : {}) }),
  };
}

/** Eigenphases of size n per series, read from the run's chunks: [label, matrices]. */
function sweepEigenphases(ds: Dataset, r: ErgodicityReport, n: number): { label: string; matrices: Float64Array[] }[] {
  return r.series.map((s) => {
    const recs = ds.manifest.chunks
      .filter((c) => c.state === 'done' && c.identity.ensemble === s.ensemble && c.identity.method === s.method && Number(c.identity.n) === n)
      .sort((a, b) => Number(a.identity.chunk) - Number(b.identity.chunk));
    const matrices: Float64Array[] = [];
    for (const rec of recs) {
      const v = readChunk(ds, rec).values;
      const count = Number(rec.identity.count);
      const per = v.length / count;
      for (let i = 0; i < count; i++) matrices.push(v.subarray(i * per, (i + 1) * per));
    }
    return { label: s.label, matrices };
  });
}

/** Size the eigenphase figures show: plot.eigenphaseSize, else the middle size of the sweep. */
export function eigenphaseSizeOf(cfg: RunConfig, r: ErgodicityReport): number | undefined {
  const sizes = r.series[0]?.sizes.map((z) => z.n) ?? [];
  if (!sizes.length) return undefined;
  return cfg.plot.eigenphaseSize ?? sizes[Math.min(sizes.length - 1, Math.floor(sizes.length / 2))]!;
}

export async function eigenphaseFigures(ds: Dataset, r: ErgodicityReport, cfg: RunConfig): Promise<Figure[]> {
  const n = eigenphaseSizeOf(cfg, r);
  if (n === undefined) return [];
  const groups = sweepEigenphases(ds, r, n).filter((g) => g.matrices.length);
  if (!groups.length) return [];
  const points = groups.flatMap((g) => Array.from(g.matrices[0]!, (t) => ({ ensemble: g.label, re: Math.cos(t), im: Math.sin(t) })));
  const unit = {
    id: 'eigenphases',
    title: `Eigenvalues on the unit circle, N = ${n}`,
    caption: 'The first matrix of each ensemble: N eigenvalues e^{iθ} on the unit circle. Level repulsion shows as even spacing (CUE) compared with independent points.',
    svg: await eigenphasePlot(points, { title: `Eigenvalues on the unit circle, N = ${n}`, subtitle: 'first matrix of each ensemble; grey circle: |z| = 1', maxPoints: cfg.plot.maxPoints }),
  };
  const panels: DensityPanel[] = groups.map((g) => {
    const all = new Float64Array(g.matrices.reduce((s, m) => s + m.length, 0));
    let off = 0;
    for (const m of g.matrices) {
      all.set(m, off);
      off += m.length;
    }
    return { panel: `${g.label}: ${g.matrices.length} × ${n} eigenphases`, bins: histogramBins(all, binsFor(all.length), -Math.PI, Math.PI) };
  });
  const hist = {
    id: 'eigenphase-histogram',
    title: `Eigenphase density, N = ${n}`,
    caption: 'Histogram of all eigenphases θ ∈ (−π, π] at this size; the dashed line is the flat density 1/(2π) every circular ensemble has.',
    svg: await densityPanels(panels, {
      title: `Eigenphase density, N = ${n}`,
      subtitle: 'all matrices of the size; dashed: flat density 1/(2π)',
      xTitle: 'eigenphase θ (rad)',
      reference: { value: 1 / (2 * Math.PI), label: '1/(2π)' },
    }),
  };
  return [unit, hist];
}

// ------------------------------------------------------------------ cpse, mme

/** Legend name of a network: its name and cPSE (with its interval when present). */
export function cpseLegend(name: string, cpse: number, iv?: [number, number]): string {
  const v = Number.isNaN(cpse) ? 'NaN (< 3 layers)' : cpse === -Infinity ? '−∞' : cpse.toFixed(3);
  return `${name}  (cPSE = ${v}${iv ? `, [${iv[0].toFixed(3)}, ${iv[1].toFixed(3)}]` : ''})`;
}

export async function cpseFigure(r: CpseReport): Promise<Figure | undefined> {
  const legend = new Map(r.networks.map((n) => [n.name, cpseLegend(n.name, n.cpse, intervalOf(n, 'cpse'))]));
  const series = r.networks.flatMap((n) => n.dLayers.filter((d) => fin(d.log10D)).map((d) => ({ network: n.name, depth: d.depth, log10D: d.log10D })));
  const zeros = r.networks.flatMap((n) => n.dLayers.filter((d) => d.log10D === -Infinity || d.d === 0).map((d) => ({ network: n.name, depth: d.depth })));
  if (!series.length && !zeros.length) return undefined;
  return {
    id: 'cpse-depth',
    title: 'Cascading periodic spectral ergodicity',
    caption:
      'log10 d_layers against depth, one line per network, its cPSE (the mean of log10 d) in the legend. Where the curve flattens, more depth stops changing the spectrum.' +
      (zeros.length ? ' ▼ on the bottom edge marks a depth where d_layers = 0 (log10 = −∞, so the cPSE is −∞).' : ''),
    svg: await depthCurves(series, {
      title: 'Cascading periodic spectral ergodicity',
      subtitle: `log10 d_layers against depth (${r.semantics} semantics${r.vanilla ? ', vanilla' : ''})${zeros.length ? '; ▼ = d_layers 0 (−∞)' : ''}`,
      zeros,
      legend,
    }),
  };
}

export async function mmeFigure(r: MmeReport): Promise<Figure | undefined> {
  const name = `${r.ensemble} MME`;
  const series = r.dLayers.filter((d) => fin(d.log10D)).map((d) => ({ network: name, depth: d.depth, log10D: d.log10D }));
  const zeros = r.dLayers.filter((d) => d.log10D === -Infinity || d.d === 0).map((d) => ({ network: name, depth: d.depth }));
  if (!series.length && !zeros.length) return undefined;
  return {
    id: 'mme-depth',
    title: 'Periodic spectral ergodicity of a mixed matrix ensemble',
    caption: 'log10 d against depth for the members |U| of the mixed ensemble; the legend gives the cPSE (with its interval over draws when computed).',
    svg: await depthCurves(series, {
      title: 'Periodic spectral ergodicity of a mixed matrix ensemble',
      subtitle: `log10 d against depth; |U|, U from ${r.ensemble}, orders ~ Binomial(${r.order}, ${r.p})`,
      zeros,
      legend: new Map([[name, cpseLegend(name, r.cpse, intervalOf(r, 'cpse'))]]),
    }),
  };
}

/** Per-layer eigenvalue densities from the layer chunks (linear and log-log), per network, `perFigure` layers a figure. */
export async function layerDensityFigures(ds: Dataset, perFigure = 6): Promise<Figure[]> {
  const layers = ds.manifest.chunks.filter((c) => c.state === 'done' && c.identity.kind === 'layer');
  // Chunks are labelled "<network> layer <index> <name>"; a layer shared by networks is in its first network.
  const cfg = ds.manifest.config;
  const names = 'networks' in cfg ? [...cfg.networks.map((n) => n.name), ...(cfg.experiment === 'csd' && typeof cfg.csd.against === 'object' ? [cfg.csd.against.network.name] : [])] : [];
  const byNetwork = new Map<string, { rec: (typeof layers)[number]; label: string }[]>();
  for (const rec of layers) {
    const g = rec.group ?? rec.id;
    const net = names.find((n) => g.startsWith(`${n} layer `)) ?? '';
    const label = net ? g.slice(net.length + 1) : g;
    byNetwork.set(net, [...(byNetwork.get(net) ?? []), { rec, label }]);
  }
  const figures: Figure[] = [];
  let page = 0;
  for (const [net, list] of byNetwork) {
    for (let start = 0; start < list.length; start += perFigure) {
      const slice = list.slice(start, start + perFigure);
      page++;
      const linear: DensityPanel[] = [];
      const loglog: DensityPanel[] = [];
      for (const { rec, label: name } of slice) {
        const v = readChunk(ds, rec).values;
        const label = `${name} (N = ${rec.identity.n})`;
        let max = -Infinity;
        let minPos = Infinity;
        for (const x of v) {
          if (x > max) max = x;
          if (x > 0 && x < minPos) minPos = x;
        }
        const hi = max > 0 ? max : 1;
        linear.push({ panel: label, bins: histogramBins(v, binsFor(v.length), 0, hi * (1 + 1e-12)) });
        if (minPos < hi) loglog.push({ panel: label, bins: histogramBins(v, binsFor(v.length), minPos, hi * (1 + 1e-12), true) });
      }
      const range = `${net ? `${net}, ` : ''}layers ${start + 1}–${start + slice.length} of ${list.length}`;
      const id = String(page).padStart(2, '0');
      figures.push({
        id: `layer-density-${id}`,
        title: `Layer spectral densities, ${range}`,
        caption: 'Histogram density of each layer’s eigenvalues e of X = A Aᵀ on linear axes (bins of equal width from 0 to the largest eigenvalue).',
        svg: await densityPanels(linear, { title: `Spectral density per layer (linear): ${range}`, xTitle: 'eigenvalue e' }),
      });
      if (loglog.length) {
        figures.push({
          id: `layer-density-log-${id}`,
          title: `Layer spectral densities (log-log), ${range}`,
          caption: 'The same spectra on log-log axes with logarithmic bins over the positive eigenvalues; a heavy tail shows as a straight falling line. Empty bins are not drawn.',
          svg: await densityPanels(loglog, { title: `Spectral density per layer (log-log): ${range}`, xTitle: 'eigenvalue e', logLog: true }),
        });
      }
    }
  }
  return figures;
}
