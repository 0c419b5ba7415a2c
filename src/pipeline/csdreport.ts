// Circular spectral difference of networks through the pipeline (SPEC section 7):
// each network's layer spectra (cached), its conjugate candidate drawn `draws` times
// as reference chunks (seeded, cached), CSD per draw, the spread of Var(CSD) over
// draws, and the equivalence classes. Results JSON shape: docs/results.md.
import { join } from 'node:path';
import type { Semantics } from '../spectral/semantics.js';
import { csdOverCircularDraws, pooledDensity, type DrawSummary } from '../spectral/csd.js';
import { equivalenceTable, type EquivalenceTable } from '../spectral/equivalence.js';
import type { NetworkSpec } from './config.js';
import type { WeightsFormat } from '../weights/index.js';
import type { ReferenceFamily } from './plan.js';
import { layerSpectra, referenceSpectra, type SpectraContext } from './spectra.js';
import { openNetwork } from './networks.js';
import { TOOL_VERSION, resultJson , resultWriter } from './store.js';
import { csdCurves, barChart } from './plot.js';

export interface CsdOptions {
  eMax: number;
  bins: number;
  tolerance: number;
  delta: number;
  draws: number;
  seed: string | number;
  /** What each network is compared against (default: its conjugate circular mixed ensemble). */
  against: ReferenceFamily | { network: NetworkSpec };
  /** Also report a Gaussian-initialised twin (same layer shapes, N(0, 1/fan_in)) per network. */
  gaussianTwin: boolean;
  /**
   * none (SPEC 7, default): eigenvalues as they are. trace: each matrix's eigenvalues divided
   * by their mean tr(X)/N, the scale of the circular reference (|U| has unit-norm rows), so
   * the comparison is about the shape of the spectrum rather than the size of the weights.
   */
  normalise?: 'none' | 'trace';
  format?: WeightsFormat;
}

/** Divide each matrix's eigenvalues by their mean (tr X / N); all-zero matrices stay zero. */
export function traceNormalised(eigs: readonly Float64Array[]): Float64Array[] {
  return eigs.map((e) => {
    let s = 0;
    for (const v of e) s += v;
    const mean = s / e.length;
    return mean > 0 ? e.map((v) => v / mean) : e;
  });
}

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
}

export async function csdReport(specs: NetworkSpec[], ctx: SpectraContext, o: CsdOptions): Promise<CsdReport> {
  const semantics: Semantics = 'definition'; // CSD is defined on eigenvalues of X = A A^T
  const lctx = { ...ctx, semantics, vanilla: false };
  const results: CsdNetworkResult[] = [];
  let fixedReference: Float64Array[][] | undefined;
  let againstLabel: string;
  if (typeof o.against === 'object') {
    const ref = await openNetwork(o.against.network, o.format);
    const spectra = await layerSpectra(o.against.network.name, ref.layers, lctx);
    fixedReference = [spectra.map((s) => s.eigenvalues)];
    againstLabel = `network ${o.against.network.name}`;
  } else againstLabel = o.against === 'gaussian' ? 'Gaussian-initialised layers of the same shapes' : 'conjugate circular mixed ensemble (|U|, U from CUE) of the same orders';

  // No cache statistics in the result: it must not depend on what the cache held (a resumed
  // run writes the same JSON as an uninterrupted one); SpectraEvent.cached reports them.
  const scale = (e: Float64Array[]): Float64Array[] => (o.normalise === 'trace' ? traceNormalised(e) : e);
  const compare = (name: string, path: string, format: string, shapes: { n: number; m: number }[], eigs: Float64Array[], refs: Float64Array[][], warnings: string[] = []): CsdNetworkResult => {
    const net = pooledDensity(scale(eigs), { eMax: o.eMax, bins: o.bins });
    const r = csdOverCircularDraws(net, refs.map(scale), { eMax: o.eMax, bins: o.bins, tolerance: o.tolerance });
    return {
      name,
      path,
      format,
      layers: shapes.length,
      orders: shapes.map((s) => s.n),
      pooled: net.total,
      outsideFraction: net.total ? net.outside / net.total : 0,
      varCsd: r.varCsd,
      cumulativeAtEMax: r.cumulativeAtEMax,
      conjugate: r.conjugate,
      conjugateDraws: r.conjugateDraws,
      class: -1,
      csd: Array.from(r.meanCsd),
      cumulative: Array.from(r.meanCumulative),
      warnings,
    };
  };

  for (const spec of specs) {
    const net = await openNetwork(spec, o.format);
    const spectra = await layerSpectra(spec.name, net.layers, lctx);
    const shapes = net.layers.map((l) => ({ n: l.n, m: l.m }));
    const refs = fixedReference ?? (await referenceSpectra(o.against as ReferenceFamily, shapes, o.draws, o.seed, lctx));
    const eigs = spectra.map((s) => s.eigenvalues);
    results.push(compare(spec.name, spec.path, net.format, shapes, eigs, refs, net.warnings));
    if (o.gaussianTwin) {
      // The twin's own weights are one Gaussian draw (seeded apart from the references).
      const [twin] = await referenceSpectra('gaussian', shapes, 1, `${o.seed}:gaussian-twin:${spec.name}`, lctx);
      const twinRefs = fixedReference ?? refs;
      results.push(compare(`${spec.name} (gaussian init)`, spec.path, 'gaussian', shapes, twin!, twinRefs));
    }
  }
  const eq = equivalenceTable(
    results.map((r) => ({ name: r.name, varCsd: r.varCsd.mean, conjugate: r.conjugate })),
    o.delta,
  );
  results.forEach((r, i) => (r.class = eq.classOf[i]!));
  return {
    tool: 'ergo',
    version: TOOL_VERSION,
    experiment: 'csd',
    against: againstLabel,
    normalise: o.normalise ?? 'none',
    eMax: o.eMax,
    bins: o.bins,
    tolerance: o.tolerance,
    delta: o.delta,
    draws: fixedReference ? 1 : o.draws,
    seed: o.seed,
    networks: results,
    equivalence: { names: eq.names, diff: eq.diff, equivalent: eq.equivalent, classes: eq.classes, flags: eq.flags },
  };
}

const fmt = (x: number, d = 4): string => (Number.isNaN(x) ? 'NaN' : Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(d - 1) : x.toFixed(d));

export function csdTable(r: CsdReport): string {
  const head = ['network', 'layers', 'Var(CSD) mean', 'std', 'cum. CSD at e_max', 'conjugate', 'class'];
  const rows = [head, ...r.networks.map((n) => [n.name, String(n.layers), fmt(n.varCsd.mean), fmt(n.varCsd.std), fmt(n.cumulativeAtEMax.mean), n.conjugate ? 'yes' : 'no', String(n.class + 1)])];
  const w = head.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = [`CSD against ${r.against}${r.normalise === "trace" ? ", spectra divided by their mean eigenvalue" : ""}; e_max = ${r.eMax}, ${r.bins} bins, ${r.draws} draw(s), tolerance ${r.tolerance}, delta ${r.delta}`];
  for (const row of rows) lines.push(row.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  '));
  r.equivalence.classes.forEach((c, i) => lines.push(`class ${i + 1}: ${c.join(', ')}`));
  for (const f of r.equivalence.flags) lines.push(`note: ${f.a} and ${f.b} share class ${f.classIndex + 1} through a chain, but differ by ${fmt(f.diff)} > delta`);
  for (const n of r.networks) for (const warn of n.warnings) lines.push(`warning: ${n.name}: ${warn}`);
  return lines.join('\n') + '\n';
}

export function csdCsv(r: CsdReport): string {
  const rows = ['network,layers,var_csd_mean,var_csd_std,cumulative_at_emax_mean,cumulative_at_emax_std,conjugate,class,draws'];
  for (const n of r.networks) rows.push([JSON.stringify(n.name), n.layers, n.varCsd.mean, n.varCsd.std, n.cumulativeAtEMax.mean, n.cumulativeAtEMax.std, n.conjugate, n.class + 1, n.varCsd.n].join(','));
  return rows.join('\n') + '\n';
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
