// Aggregation: eigenvalues -> Omega per size -> D_se per size transition -> results
// (JSON, CSV) and plots (SVG). The same report serves `ergo run` (from chunk files)
// and `ergo analyze` (from the user's own files). JSON shape: docs/results.md.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { approachSEFromSpectra, type SweepEntry } from '../spectral/kl.js';
import { angleEdges, realEdges, realRange } from '../spectral/density.js';
import type { Semantics } from '../spectral/semantics.js';
import type { Manifest, ChunkRecord } from './manifest.js';
import { decodeChunk, TOOL_VERSION, resultJson , resultWriter } from './store.js';
import { dseBarChart, eigenphasePlot } from './plot.js';

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
}

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
}

/** One series (an ensemble, or a set of user files) with its eigenvalues per size. */
export interface SeriesInput {
  label: string;
  ensemble?: string;
  method?: string;
  files?: string[];
  /** Sizes in sweep order; members = one eigenvalue array per matrix. */
  sizes: { n: number; members: Float64Array[] }[];
}

export interface ReportOptions {
  name: string;
  experiment: ErgodicityReport['experiment'];
  semantics: Semantics;
  kind: 'angle' | 'real';
  delta: number;
  bins: number;
}

export function ergodicityReport(series: SeriesInput[], o: ReportOptions): ErgodicityReport {
  let edges: number[] | null;
  let range: [number, number] | undefined;
  if (o.kind === 'angle') edges = Array.from(angleEdges({ semantics: o.semantics, delta: o.delta }));
  else if (o.semantics === 'definition') {
    // One set of real edges for every member, ensemble and Omega the distance compares.
    range = realRange(series.flatMap((s) => s.sizes.flatMap((z) => z.members)));
    edges = Array.from(realEdges(range[0], range[1], o.bins));
  } else edges = null; // bristol real: each member has its own 10 bins
  const out: SeriesResult[] = series.map((s) => {
    const sweep: SweepEntry[] = s.sizes.map((z) => ({ n: z.n, values: z.members }));
    const r = approachSEFromSpectra(sweep, {
      kind: o.kind,
      semantics: o.semantics,
      delta: o.delta,
      bins: o.bins,
      ...(range ? { range } : {}),
    });
    return {
      label: s.label,
      ...(s.ensemble ? { ensemble: s.ensemble } : {}),
      ...(s.method ? { method: s.method } : {}),
      ...(s.files ? { files: s.files } : {}),
      sizes: s.sizes.map((z, i) => {
        const omega = Array.from(r.omegas[i]!);
        return { n: z.n, matrices: z.members.length, omega, omegaMean: omega.reduce((a, b) => a + b, 0) / omega.length };
      }),
      dse: r.dse.map((d, i) => ({ from: r.sizes[i]!, to: r.sizes[i + 1]!, dse: d, log10Dse: Math.log10(d) })),
    };
  });
  return {
    tool: 'ergo',
    version: TOOL_VERSION,
    experiment: o.experiment,
    name: o.name,
    semantics: o.semantics,
    kind: o.kind,
    ...(o.kind === 'angle' ? { delta: o.delta } : { bins: o.bins }),
    edges,
    series: out,
  };
}

export function dseCsv(r: ErgodicityReport): string {
  const rows = ['series,ensemble,method,from,to,dse,log10_dse'];
  for (const s of r.series) for (const d of s.dse) rows.push([s.label, s.ensemble ?? '', s.method ?? '', d.from, d.to, d.dse, d.log10Dse].join(','));
  return rows.join('\n') + '\n';
}

export function omegaCsv(r: ErgodicityReport): string {
  const rows = ['series,ensemble,method,n,matrices,bin,bin_left,bin_right,omega'];
  for (const s of r.series)
    for (const z of s.sizes)
      z.omega.forEach((w, k) =>
        rows.push([s.label, s.ensemble ?? '', s.method ?? '', z.n, z.matrices, k, r.edges?.[k] ?? '', r.edges?.[k + 1] ?? '', w].join(',')),
      );
  return rows.join('\n') + '\n';
}

/** Group a run's chunk records by (ensemble, method), then size, in plan order. */
function seriesFromRun(dir: string, manifest: Manifest): SeriesInput[] {
  const cfg = manifest.config;
  const byId = new Map<string, ChunkRecord[]>();
  for (const rec of manifest.chunks) {
    const key = `${rec.identity.ensemble}/${rec.identity.method}/${rec.identity.n}`;
    const list = byId.get(key) ?? [];
    list.push(rec);
    byId.set(key, list);
  }
  return cfg.ensembles.map(({ ensemble, method }) => ({
    label: `${ensemble} (${method})`,
    ensemble,
    method,
    sizes: cfg.sizes.map((n) => {
      const recs = (byId.get(`${ensemble}/${method}/${n}`) ?? []).slice().sort((a, b) => Number(a.identity.chunk) - Number(b.identity.chunk));
      const members: Float64Array[] = [];
      for (const rec of recs) {
        const path = join(dir, rec.file);
        const chunk = decodeChunk(readFileSync(path), path);
        const per = chunk.values.length / Number(rec.identity.count);
        for (let i = 0; i < Number(rec.identity.count); i++) members.push(chunk.values.subarray(i * per, (i + 1) * per));
      }
      return { n, members };
    }),
  }));
}

/** Aggregate a finished spectral-ergodicity run; write results and plots; return the paths. */
export async function aggregateAndReport(dir: string, manifest: Manifest): Promise<string[]> {
  const cfg = manifest.config;
  const series = seriesFromRun(dir, manifest);
  const report = ergodicityReport(series, {
    name: cfg.name,
    experiment: 'spectral-ergodicity',
    semantics: cfg.semantics,
    kind: 'angle',
    delta: cfg.delta,
    bins: cfg.bins,
  });
  const { put, files } = resultWriter(dir);
  put('results/results.json', resultJson(report));
  put('results/dse.csv', dseCsv(report));
  put('results/omega.csv', omegaCsv(report));
  const rows = report.series.flatMap((s) =>
    s.dse.map((d) => ({ ensemble: s.label, transition: `${d.from}→${d.to}`, log10Dse: d.log10Dse })),
  );
  if (rows.length) {
    put(
      'plots/dse.svg',
      await dseBarChart(rows, {
        title: `Approach to spectral ergodicity: ${cfg.name}`,
        subtitle: `log10 D_se between consecutive sizes, M = ${cfg.matrices}, delta = ${cfg.delta} rad, ${cfg.semantics} semantics`,
      }),
    );
  }
  const n = cfg.plot.eigenphaseSize ?? cfg.sizes[Math.min(cfg.sizes.length - 1, Math.floor(cfg.sizes.length / 2))]!;
  // One matrix per ensemble: the spacing (level repulsion) stays visible, unlike a ring of M*N dots.
  const points = series.flatMap((s) => {
    const first = s.sizes.find((z) => z.n === n)!.members[0]!;
    return Array.from(first, (t) => ({ ensemble: s.label, re: Math.cos(t), im: Math.sin(t) }));
  });
  put(
    'plots/eigenphases.svg',
    await eigenphasePlot(points, {
      title: `Eigenvalues on the unit circle, N = ${n}`,
      subtitle: 'first matrix of each ensemble; grey circle: |z| = 1',
      maxPoints: cfg.plot.maxPoints,
    }),
  );
  return files;
}
