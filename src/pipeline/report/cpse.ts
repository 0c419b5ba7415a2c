// Results of the cpse experiment: JSON (docs/results.md), text table, CSV and the depth figure.
import type { Semantics } from '../../spectral/semantics.js';
import { textTable, csv, quoted } from './table.js';
import { resultJson, resultWriter, type WriteOptions, type SkippedNetwork } from './json.js';
import { cpseFigure } from './figures.js';

export interface CpseNetworkResult {
  name: string;
  path: string;
  format: string;
  layers: { index: number; name: string; shape: number[]; n: number; m: number; cached: boolean; backend: string }[];
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
  /** A trained network's cPSE has no interval: it is a function of fixed weights. */
  uncertainty: { method: 'none'; reason: string };
  networks: CpseNetworkResult[];
  /** Networks of the batch that could not be read (absent when none). */
  skipped?: SkippedNetwork[];
}

/**
 * cpse.json: the report without what depends on this run's cache (which layers were computed
 * or found cached, and the backend that computed them), so a first and a cached run give the
 * same bytes; those go to cpse-provenance.json (cpseProvenance).
 */
export function cpseResult(r: CpseReport): unknown {
  return { ...r, networks: r.networks.map(({ cachedLayers: _c, computedLayers: _d, layers, ...n }) => ({ ...n, layers: layers.map(({ cached: _e, backend: _f, ...l }) => l) })) };
}

/** cpse-provenance.json: per network, which layers came from the cache and which backend computed each. */
export function cpseProvenance(r: CpseReport): unknown {
  return {
    tool: r.tool,
    version: r.version,
    experiment: 'cpse-provenance',
    networks: r.networks.map((n) => ({ name: n.name, cachedLayers: n.cachedLayers, computedLayers: n.computedLayers, layers: n.layers.map((l) => ({ index: l.index, name: l.name, cached: l.cached, backend: l.backend })) })),
  };
}

export const CPSE_DETERMINISTIC = 'deterministic: the cPSE of a trained network is a function of its fixed weights; nothing is sampled, so there is no interval';

export function cpseTable(r: CpseReport): string {
  const lines: string[] = [];
  for (const n of r.networks) {
    lines.push(`${n.name} (${n.format}, ${n.layers.length} layers, N_max = ${n.nMax}; ${n.cachedLayers} cached, ${n.computedLayers} computed)`);
    const rows = [['depth', 'layer', 'N', 'd_layer', 'log10 d'], ...n.dLayers.map((d) => [String(d.depth), d.layer, String(d.n), d.d.toExponential(6), d.log10D.toFixed(4)])];
    lines.push(...textTable(rows, { align: ['right', 'left', 'right', 'right', 'right'], indent: '  ' }));
    lines.push(`  cPSE = ${Number.isNaN(n.cpse) ? 'NaN (fewer than 3 layers)' : n.cpse.toFixed(6)}`);
    for (const warn of n.warnings) lines.push(`  warning: ${warn}`);
  }
  return lines.join('\n') + '\n';
}

export function cpseCsv(r: CpseReport): string {
  return csv(['network', 'depth', 'layer', 'n', 'd_layer', 'log10_d_layer', 'cpse'], r.networks.flatMap((n) => n.dLayers.map((d) => [n.name, d.depth, quoted(d.layer), d.n, d.d, d.log10D, n.cpse])));
}

/** Write cpse.json, cpse.csv and (unless plots: false) the depth plot into `dir`; return the paths. */
export async function writeCpseReport(dir: string, r: CpseReport, { plots = true }: WriteOptions = {}): Promise<string[]> {
  const { put, files } = resultWriter(dir);
  put('results/cpse.json', resultJson(cpseResult(r)));
  put('results/cpse-provenance.json', resultJson(cpseProvenance(r)));
  put('results/cpse.csv', cpseCsv(r));
  if (!plots) return files;
  // -Infinity depths are marked on the figure, cPSE values are in its legend.
  const fig = await cpseFigure(r);
  if (fig) put('plots/cpse-depth.svg', fig.svg);
  return files;
}
