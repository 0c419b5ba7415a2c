// Experiment `csd` (SPEC section 7): plan = each network's layer chunks (networks.ts) and,
// per draw, one reference chunk per layer shape (circular mixed or Gaussian, seeded by
// (seed, family, shape, draw, occurrence), so equal shapes share chunks across networks);
// aggregate = CSD per draw, the spread of Var(CSD) over draws and the equivalence classes.
// Results JSON shape: docs/results.md.
import { deriveSeed } from '../../rng/index.js';
import { csdOverCircularDraws, pooledDensity } from '../../spectral/csd.js';
import { equivalenceTable } from '../../spectral/equivalence.js';
import { percentileInterval } from '../../spectral/bootstrap.js';
import { uncertaintyOf } from '../config/load.js';
import type { CsdConfig } from '../config/types.js';
import { TOOL_VERSION } from '../version.js';
import type { ChunkValues } from './types.js';
import { chunkIdentity, fileSafe, type ReferenceChunk, type ReferenceFamily } from '../runtime/chunk.js';
import { identityKey } from '../runtime/manifest.js';
import type { CsdReport, CsdNetworkResult } from '../report/csd.js';
import { planLayers, type LayerPlan, type PlannedNetwork } from './networks.js';

export type { CsdReport, CsdNetworkResult } from '../report/csd.js';

/** Divide each matrix's eigenvalues by their mean (tr X / N); all-zero matrices stay zero. */
export function traceNormalised(eigs: readonly Float64Array[]): Float64Array[] {
  return eigs.map((e) => {
    let s = 0;
    for (const v of e) s += v;
    const mean = s / e.length;
    return mean > 0 ? e.map((v) => v / mean) : e;
  });
}

/** Seeds of a reference ensemble for a list of layer shapes (equal shapes share chunks across networks). */
export function referenceSeeds(runSeed: string | number, family: ReferenceFamily, shapes: readonly { n: number; m: number }[], draw: number): string[] {
  const seen = new Map<string, number>();
  return shapes.map(({ n, m }) => {
    const shape = family === 'gaussian' ? `${n}x${m}` : `${n}`;
    const k = seen.get(shape) ?? 0;
    seen.set(shape, k + 1);
    return deriveSeed(runSeed, family, shape, draw, k);
  });
}

export interface CsdPlan extends LayerPlan {
  /** The network compared against, when `against` is a network. */
  against?: PlannedNetwork;
  references: ReferenceChunk[];
  /** Per network name: reference chunk ids [draw][layer]; twins under "<name> (gaussian init)". */
  refs: Map<string, string[][]>;
}

function addReferences(plan: CsdPlan, family: ReferenceFamily, shapes: { n: number; m: number }[], draws: number, seed: string | number): string[][] {
  const known = new Map(plan.references.map((c) => [identityKey(chunkIdentity(c)), c.id]));
  const out: string[][] = [];
  for (let d = 0; d < draws; d++) {
    out.push(
      referenceSeeds(seed, family, shapes, d).map((s, l) => {
        const n = shapes[l]!.n;
        const m = family === 'gaussian' ? shapes[l]!.m : n;
        const chunk: ReferenceChunk = { kind: 'reference', id: fileSafe(`${family}-${n}x${m}-${s}`), family, n, m, seed: s };
        const key = identityKey(chunkIdentity(chunk));
        if (!known.has(key)) {
          known.set(key, chunk.id);
          plan.references.push(chunk);
          plan.groups.set(chunk.id, `${family} reference N=${n}`);
        }
        return known.get(key)!;
      }),
    );
  }
  return out;
}

export async function planCsd(cfg: CsdConfig): Promise<CsdPlan> {
  const o = cfg.csd;
  const plan: CsdPlan = { ...(await planLayers(cfg.networks, 'definition', false)), references: [], refs: new Map() };
  if (typeof o.against === 'object') {
    const withRef = await planLayers([o.against.network], 'definition', false, { chunks: plan.chunks, groups: plan.groups, networks: [] });
    plan.against = withRef.networks[0]!;
  }
  for (const net of plan.networks) {
    const shapes = net.layers.map((l) => ({ n: l.n, m: l.m }));
    if (typeof o.against !== 'object') plan.refs.set(net.spec.name, addReferences(plan, o.against, shapes, o.draws, cfg.seed));
    // The twin's own weights are one Gaussian draw (seeded apart from the references).
    if (o.gaussianInit) plan.refs.set(`${net.spec.name} (gaussian init)`, addReferences(plan, 'gaussian', shapes, 1, `${cfg.seed}:gaussian-twin:${net.spec.name}`));
  }
  return plan;
}

/** Every chunk of the plan, layers first. */
export function csdChunks(plan: CsdPlan): (CsdPlan['chunks'][number] | ReferenceChunk)[] {
  return [...plan.chunks, ...plan.references];
}

export function aggregateCsd(values: ChunkValues, cfg: CsdConfig, plan: CsdPlan): CsdReport {
  const o = cfg.csd;
  const fixed = plan.against ? [plan.against.layers.map((l) => values(l.chunkId))] : undefined;
  const againstLabel = plan.against
    ? `network ${plan.against.spec.name}`
    : o.against === 'gaussian'
      ? 'Gaussian-initialised layers of the same shapes'
      : 'conjugate circular mixed ensemble (|U|, U from CUE) of the same orders';
  // No cache statistics in the result: it must not depend on what the cache held (a resumed
  // run writes the same JSON as an uninterrupted one).
  const scale = (e: Float64Array[]): Float64Array[] => (o.normalise === 'trace' ? traceNormalised(e) : e);
  // Var(CSD) interval over the independent circular draws (SPEC section 10); none for one draw.
  const { level } = uncertaintyOf(cfg);
  const interval = (perDraw: number[]): { varLow: number | null; varHigh: number | null } => {
    if (perDraw.length < 2) return { varLow: null, varHigh: null };
    const iv = percentileInterval(perDraw, level);
    return { varLow: iv.low, varHigh: iv.high };
  };
  const compare = (name: string, path: string, format: string, shapes: { n: number }[], eigs: Float64Array[], refs: Float64Array[][], warnings: string[] = []): CsdNetworkResult => {
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
      ...interval(r.varCsds),
      cumulativeAtEMax: r.cumulativeAtEMax,
      conjugate: r.conjugate,
      conjugateDraws: r.conjugateDraws,
      class: -1,
      csd: Array.from(r.meanCsd),
      cumulative: Array.from(r.meanCumulative),
      warnings,
    };
  };
  const results: CsdNetworkResult[] = [];
  for (const net of plan.networks) {
    const name = net.spec.name;
    const refs = fixed ?? plan.refs.get(name)!.map((row) => row.map(values));
    results.push(compare(name, net.spec.path, net.format, net.layers, net.layers.map((l) => values(l.chunkId)), refs, net.warnings));
    const twin = plan.refs.get(`${name} (gaussian init)`);
    if (twin) results.push(compare(`${name} (gaussian init)`, net.spec.path, 'gaussian', net.layers, twin[0]!.map(values), refs));
  }
  const eq = equivalenceTable(results.map((r) => ({ name: r.name, varCsd: r.varCsd.mean, conjugate: r.conjugate })), o.delta);
  results.forEach((r, i) => (r.class = eq.classOf[i]!));
  return {
    tool: 'ergo',
    version: TOOL_VERSION,
    experiment: 'csd',
    against: againstLabel,
    normalise: o.normalise,
    eMax: o.eMax,
    bins: o.bins,
    tolerance: o.tolerance,
    delta: o.delta,
    draws: fixed ? 1 : o.draws,
    seed: cfg.seed,
    uncertainty: fixed
      ? { method: 'none', reason: 'compared against one fixed network: there are no independent draws to spread over' }
      : o.draws < 2
        ? { method: 'none', reason: 'one circular draw: set csd.draws (--draws) >= 2 for an interval' }
        : { method: 'draws', draws: o.draws, level, seed: cfg.seed },
    networks: results,
    equivalence: { names: eq.names, diff: eq.diff, equivalent: eq.equivalent, classes: eq.classes, flags: eq.flags },
    ...(plan.skipped?.length ? { skipped: plan.skipped } : {}),
  };
}
