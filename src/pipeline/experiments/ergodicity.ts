// Experiment `spectral-ergodicity` (the 2017 sweep): plan = one chunk of `chunk` matrices
// per (ensemble, method, size, chunk index), each with its own seed; aggregate = eigenphases
// -> Omega per size -> D_se per size transition. `ergodicityReport` also serves `ergo
// analyze` (the user's own eigenvalues). JSON shape: docs/results.md.
// Plan order (also the order in which an explicit `seeds` list is consumed): ensembles in
// config order, then sizes ascending, then chunk index.
import { chunkSeed, createStream, deriveSeed } from '../../rng/index.js';
import { bootstrapDse, memberCounts, type Interval } from '../../spectral/bootstrap.js';
import { approachSEFromSpectra, type SweepEntry } from '../../spectral/dse.js';
import { angleEdges, realEdges, realRange } from '../../spectral/density.js';
import type { Semantics } from '../../spectral/semantics.js';
import { ConfigError } from '../config/schema.js';
import type { ErgodicityConfig, UncertaintyConfig } from '../config/types.js';
import { uncertaintyOf } from '../config/load.js';
import { TOOL_VERSION } from '../version.js';
import { ensembleChunkId, type EnsembleChunk } from '../runtime/chunk.js';
import { checkPlanSize } from '../runtime/bounds.js';
import { readChunk, type Dataset } from '../runtime/dataset.js';
import type { ErgodicityReport, SeriesResult } from '../report/ergodicity.js';

export type { ErgodicityReport } from '../report/ergodicity.js';

export function planErgodicity(cfg: ErgodicityConfig): EnsembleChunk[] {
  checkPlanSize(cfg); // before building it
  const perSize = Math.ceil(cfg.matrices / cfg.chunk);
  const total = cfg.ensembles.length * cfg.sizes.length * perSize;
  if (cfg.seeds && cfg.seeds.length !== total) {
    throw new ConfigError(
      `seeds: the list has ${cfg.seeds.length} entries but the plan has ${total} chunks ` +
        `(${cfg.ensembles.length} ensembles x ${cfg.sizes.length} sizes x ${perSize} chunks of up to ${cfg.chunk} matrices); ` +
        `give one seed per chunk or remove the list`,
    );
  }
  const chunks: EnsembleChunk[] = [];
  for (const { ensemble, method } of cfg.ensembles) {
    for (const n of cfg.sizes) {
      for (let c = 0; c < perSize; c++) {
        const firstMatrix = c * cfg.chunk;
        const count = Math.min(cfg.chunk, cfg.matrices - firstMatrix);
        const seed = cfg.seeds ? String(cfg.seeds[chunks.length]) : chunkSeed(cfg.seed, [ensemble, method, n, cfg.chunk], c);
        chunks.push({ kind: 'ensemble', id: ensembleChunkId(ensemble, method, n, c), ensemble, method, n, chunk: c, chunkSize: cfg.chunk, count, firstMatrix, seed, semantics: cfg.semantics });
      }
    }
  }
  return chunks;
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
  /** Bootstrap of D_se (SPEC section 10); absent: the defaults with seed 0. */
  uncertainty?: UncertaintyConfig;
}

/**
 * Percentile bootstrap intervals of a series' D_se per transition, or null where members have
 * no shared bins (bristol + real) or a size has a single matrix. The resampling stream of a
 * series is seeded by (uncertainty seed, 'bootstrap', series index), so series do not share
 * draws and `ergo analyze --resample-seed S` of a run's exported first series reproduces its intervals.
 */
function dseIntervals(s: SeriesInput, index: number, o: ReportOptions, u: UncertaintyConfig, range: [number, number] | undefined): (Interval | null)[] {
  const none = s.sizes.slice(1).map(() => null);
  if (s.sizes.some((z) => z.members.length < 2)) return none;
  const counted = [];
  for (const z of s.sizes) {
    const counts = memberCounts(z.members, { kind: o.kind, semantics: o.semantics, delta: o.delta, bins: o.bins, ...(range ? { range } : {}) });
    if (!counts) return none;
    counted.push({ n: z.n, counts });
  }
  return bootstrapDse(counted, { resamples: u.resamples, level: u.level, stream: createStream(deriveSeed(u.seed, 'bootstrap', index)) });
}

/** Why no interval can be given for this report, or undefined when every series gets one. */
function noIntervalReason(series: SeriesInput[], o: ReportOptions): string | undefined {
  if (o.kind === 'real' && o.semantics === 'bristol') return 'bristol semantics bins each matrix on its own range: matrices share no bins to resample';
  if (series.some((s) => s.sizes.some((z) => z.members.length < 2))) return 'a size with a single matrix cannot be resampled';
  return undefined;
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
  const u = o.uncertainty ?? uncertaintyOf({ seed: 0 });
  const out: SeriesResult[] = series.map((s, index) => {
    const intervals = dseIntervals(s, index, o, u, range);
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
      dse: r.dse.map((d, i) => ({ from: r.sizes[i]!, to: r.sizes[i + 1]!, dse: d, log10Dse: Math.log10(d), dseLow: intervals[i]?.low ?? null, dseHigh: intervals[i]?.high ?? null })),
    };
  });
  const why = noIntervalReason(series, o);
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
    uncertainty: why === undefined ? { method: 'bootstrap', resamples: u.resamples, level: u.level, seed: u.seed } : { method: 'none', reason: why },
  };
}

/** A finished sweep's eigenphases grouped by (ensemble, method), then size, in plan order. */
export function sweepSeries(ds: Dataset, cfg: ErgodicityConfig): SeriesInput[] {
  const byGroup = new Map<string, typeof ds.manifest.chunks>();
  for (const rec of ds.manifest.chunks) {
    const key = `${rec.identity.ensemble}/${rec.identity.method}/${rec.identity.n}`;
    byGroup.set(key, [...(byGroup.get(key) ?? []), rec]);
  }
  return cfg.ensembles.map(({ ensemble, method }) => ({
    label: `${ensemble} (${method})`,
    ensemble,
    method,
    sizes: cfg.sizes.map((n) => {
      const recs = (byGroup.get(`${ensemble}/${method}/${n}`) ?? []).slice().sort((a, b) => Number(a.identity.chunk) - Number(b.identity.chunk));
      const members: Float64Array[] = [];
      for (const rec of recs) {
        const chunk = readChunk(ds, rec);
        const count = Number(rec.identity.count);
        const per = chunk.values.length / count;
        for (let i = 0; i < count; i++) members.push(chunk.values.subarray(i * per, (i + 1) * per));
      }
      return { n, members };
    }),
  }));
}

/** Aggregate of a finished sweep: Omega per size and D_se per transition for every ensemble. */
export function aggregateErgodicity(ds: Dataset, cfg: ErgodicityConfig): { report: ErgodicityReport; series: SeriesInput[] } {
  const series = sweepSeries(ds, cfg);
  const report = ergodicityReport(series, { name: cfg.name, experiment: 'spectral-ergodicity', semantics: cfg.semantics, kind: 'angle', delta: cfg.delta, bins: cfg.bins, uncertainty: uncertaintyOf(cfg) });
  return { report, series };
}
