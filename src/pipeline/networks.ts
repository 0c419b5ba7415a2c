// Trained networks through the pipeline: open each network, list its layer matrices,
// compute (or take from the cache) every layer's spectrum on the executor, then
// periodic spectral ergodicity per depth and cPSE. Results JSON shape: docs/results.md.
import { join } from 'node:path';
import { openWeights, layerMatrices, type WeightsFormat, type LayerInfo } from '../weights/index.js';
import { cpseFromEigenvalues } from '../spectral/pse.js';
import type { Semantics } from '../spectral/semantics.js';
import type { NetworkSpec } from './config.js';
import { layerSpectra, type SpectraContext, type LayerSpectrum } from './spectra.js';
import { TOOL_VERSION, resultJson , resultWriter } from './store.js';
import { depthCurves } from './plot.js';

export interface OpenedNetwork {
  spec: NetworkSpec;
  format: string;
  layers: LayerInfo[];
  warnings: string[];
}

export async function openNetwork(spec: NetworkSpec, format?: WeightsFormat): Promise<OpenedNetwork> {
  const source = await openWeights(spec.path, format ? { format } : {});
  const layers = layerMatrices(source, {
    ...(spec.include !== undefined ? { include: new RegExp(spec.include) } : {}),
    ...(spec.exclude !== undefined ? { exclude: new RegExp(spec.exclude) } : {}),
  });
  if (layers.length === 0) {
    throw new Error(`${spec.path}: no layer matrices found (tensors of rank >= 2 with N, M > 1)${layers.warnings.length ? `; ${layers.warnings.join('; ')}` : ''}`);
  }
  return { spec, format: source.format, layers: [...layers], warnings: layers.warnings };
}

export interface CpseNetworkResult {
  name: string;
  path: string;
  format: string;
  layers: { index: number; name: string; shape: number[]; n: number; m: number; cached: boolean }[];
  /** depth = number of layers in the larger prefix ensemble (l + 1 for D_l). */
  dLayers: { depth: number; layer: string; n: number; d: number; log10D: number }[];
  cpse: number;
  nMax: number;
  cachedLayers: number;
  computedLayers: number;
  warnings: string[];
}

export interface CpseReport {
  tool: 'ergo';
  version: string;
  experiment: 'cpse';
  semantics: Semantics;
  vanilla: boolean;
  bins: number;
  networks: CpseNetworkResult[];
}

export function cpseOfNetwork(net: OpenedNetwork, spectra: LayerSpectrum[], semantics: Semantics, bins: number): CpseNetworkResult {
  const r = cpseFromEigenvalues(
    spectra.map((s) => s.eigenvalues),
    { semantics, bins },
  );
  return {
    name: net.spec.name,
    path: net.spec.path,
    format: net.format,
    layers: net.layers.map((l, i) => ({ index: l.index, name: l.name, shape: l.shape, n: l.n, m: l.m, cached: spectra[i]!.cached })),
    dLayers: r.dLayers.map((d, i) => ({ depth: i + 2, layer: net.layers[i + 1]!.name, n: net.layers[i + 1]!.n, d, log10D: Math.log10(d) })),
    cpse: r.cpse,
    nMax: r.nMax,
    cachedLayers: spectra.filter((s) => s.cached).length,
    computedLayers: spectra.filter((s) => !s.cached).length,
    warnings: [...net.warnings, ...zeroDistanceWarnings(r.dLayers, semantics, bins)],
  };
}

/** Why a cPSE is -Infinity: some d_layers are exactly 0 (log10 0), and what to try. */
function zeroDistanceWarnings(dLayers: readonly number[], semantics: Semantics, bins: number): string[] {
  const depths = dLayers.flatMap((d, i) => (d === 0 ? [i + 2] : []));
  if (depths.length === 0) return [];
  const why = semantics === 'definition'
    ? `with ${bins} bins shared by all layers their eigenvalues fall into the same bins (a few layers with far larger eigenvalues stretch the range); more bins (--bins) may separate them`
    : 'their binned densities are identical';
  return [`cPSE = -Infinity: d_layers is exactly 0 at ${depths.length} depth(s) (${depths.join(', ')}): adding those layers leaves Omega unchanged, because ${why}`];
}

export async function cpseReport(
  specs: NetworkSpec[],
  ctx: SpectraContext,
  opts: { bins: number; format?: WeightsFormat },
): Promise<CpseReport> {
  const networks: CpseNetworkResult[] = [];
  for (const spec of specs) {
    const net = await openNetwork(spec, opts.format);
    const spectra = await layerSpectra(spec.name, net.layers, ctx);
    networks.push(cpseOfNetwork(net, spectra, ctx.semantics, opts.bins));
  }
  return { tool: 'ergo', version: TOOL_VERSION, experiment: 'cpse', semantics: ctx.semantics, vanilla: !!ctx.vanilla, bins: opts.bins, networks };
}

export function cpseTable(r: CpseReport): string {
  const lines: string[] = [];
  for (const n of r.networks) {
    lines.push(`${n.name} (${n.format}, ${n.layers.length} layers, N_max = ${n.nMax}; ${n.cachedLayers} cached, ${n.computedLayers} computed)`);
    const rows = [['depth', 'layer', 'N', 'd_layer', 'log10 d'], ...n.dLayers.map((d) => [String(d.depth), d.layer, String(d.n), d.d.toExponential(6), d.log10D.toFixed(4)])];
    const w = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
    for (const row of rows) lines.push('  ' + row.map((c, i) => (i === 1 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  '));
    lines.push(`  cPSE = ${Number.isNaN(n.cpse) ? 'NaN (fewer than 3 layers)' : n.cpse.toFixed(6)}`);
    for (const warn of n.warnings) lines.push(`  warning: ${warn}`);
  }
  return lines.join('\n') + '\n';
}

export function cpseCsv(r: CpseReport): string {
  const rows = ['network,depth,layer,n,d_layer,log10_d_layer,cpse'];
  for (const n of r.networks) for (const d of n.dLayers) rows.push([n.name, d.depth, JSON.stringify(d.layer), d.n, d.d, d.log10D, n.cpse].join(','));
  return rows.join('\n') + '\n';
}

/** Write cpse.json, cpse.csv and the depth plot into `dir`; return the paths. */
export async function writeCpseReport(dir: string, r: CpseReport): Promise<string[]> {
  const { put, files } = resultWriter(dir);
  put('results/cpse.json', resultJson(r));
  put('results/cpse.csv', cpseCsv(r));
  const series = r.networks.flatMap((n) => n.dLayers.filter((d) => Number.isFinite(d.log10D)).map((d) => ({ network: n.name, depth: d.depth, log10D: d.log10D })));
  if (series.length) {
    put(
      'plots/cpse-depth.svg',
      await depthCurves(series, {
        title: 'Cascading periodic spectral ergodicity',
        subtitle: `log10 d_layers against depth (${r.semantics} semantics${r.vanilla ? ', vanilla' : ''}); saturation = where more depth stops helping`,
      }),
    );
  }
  return files;
}
