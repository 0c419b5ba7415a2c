// Experiment `mme`: periodic spectral ergodicity of a mixed matrix ensemble (SPEC sections 3
// and 6). Plan = the drawn orders, one member chunk each; aggregate = d_layers and cPSE.
//
// An MME is a set of M real square matrices of different orders. Here the orders are
// drawn from Binomial(N, p) (p = degree of mixture; an order below 2 is redrawn) and each
// member is sampled from a named circular ensemble. Circular matrices are complex
// unitary, while the MME of the papers is a set of REAL matrices; we use the same
// construction as the conjugate circular ensemble of the CSD paper: member i is
//   A_i = |U_i|  (elementwise modulus),  U_i from the ensemble at order N_i,
// and it enters PSE exactly like a network layer: eigenvalues of X_i = A_i A_i^T
// (definition) or of X_i X_i^T (bristol), periodic padding to the largest order, d_layers
// per depth in draw order and cPSE = mean log10 d_layers (spectral/pse.ts). The member sampler is ensembles/mixed.ts mmeMember.
// CSE(n) is a 2n x 2n matrix (n Kramers pairs), so a CSE member of order n has 2n rows.
// Note the real part of U would be another choice; the modulus keeps the construction of
// the papers and gives a non-negative matrix with unit-norm rows (trace X_i = rows).
//
// Orders: mixedOrders (ensembles/mixed.ts), Binomial conditioned on >= 2 by redrawing.
// Reproducibility: the orders come from one stream seeded by (seed, 'mme-orders', ...),
// member i from its own stream seeded by (seed, 'mme', ensemble, method, N_i, i), so a
// member does not depend on how many others were drawn.
import { createStream, deriveSeed } from '../../rng/index.js';
import { mixedOrders, ENSEMBLES, DENSE_METHODS } from '../../ensembles/index.js';
import { cpseFromEigenvalues } from '../../spectral/pse.js';
import { percentileInterval } from '../../spectral/bootstrap.js';
import { uncertaintyOf } from '../config/load.js';
import { ConfigError } from '../config/schema.js';
import { DEFAULT_MME_DRAWS, type MmeConfig } from '../config/types.js';
import { TOOL_VERSION } from '../version.js';
import type { ChunkValues } from './types.js';
import type { MemberChunk } from '../runtime/chunk.js';
import { computeChunkValues } from '../runtime/tasks.js';
import type { EnsembleName, DenseMethod } from '../../ensembles/index.js';
import type { Semantics } from '../../spectral/semantics.js';
import { DEFAULT_SEMANTICS } from '../../spectral/semantics.js';
import { DEFAULT_REAL_BINS } from '../../spectral/density.js';
import type { MmeReport } from '../report/mme.js';

export type { MmeReport } from '../report/mme.js';

/** Library callers get the same checks as the YAML schema. */
function check(m: MmeConfig['mme']): void {
  if (!ENSEMBLES.includes(m.ensemble)) throw new ConfigError(`mme.ensemble: expected one of ${ENSEMBLES.join(', ')}, got "${m.ensemble}"`);
  if (!DENSE_METHODS.includes(m.method)) throw new ConfigError(`mme.method: expected ${DENSE_METHODS.join(" or ")} (an MME needs matrices), got "${m.method}"`);
  if (!Number.isInteger(m.order) || m.order < 2) throw new ConfigError(`mme.order: expected a whole number >= 2, got ${m.order}`);
  if (!(m.p > 0 && m.p <= 1)) throw new ConfigError(`mme.p: expected a number in (0, 1], got ${m.p}`);
  if (!Number.isInteger(m.count) || m.count < 1) throw new ConfigError(`mme.count: expected a whole number >= 1, got ${m.count}`);
}


export interface MmePlan {
  /** Orders of draw 0 (the MME the report's d_layers describe). */
  orders: number[];
  /** Every member chunk of every draw. */
  chunks: MemberChunk[];
  /** Orders and member chunks per draw; draw 0 is the run's MME as before draws existed. */
  draws: { orders: number[]; chunks: MemberChunk[] }[];
}

// Draw 0 keeps the seeds and chunk ids of single-draw runs; draw d >= 1 adds d to every seed.
function planDraw(cfg: MmeConfig, d: number): { orders: number[]; chunks: MemberChunk[] } {
  const m = cfg.mme;
  const extra = d === 0 ? [] : ['draw', d];
  const orders = mixedOrders(m.order, m.p, m.count, createStream(deriveSeed(cfg.seed, 'mme-orders', m.ensemble, m.order, m.p, m.count, ...extra)));
  const chunks = orders.map((n, i): MemberChunk => ({
    kind: 'member',
    id: `${m.ensemble}-${m.method}-${d === 0 ? '' : `d${d}-`}m${String(i).padStart(4, '0')}`,
    ensemble: m.ensemble,
    method: m.method,
    n,
    seed: deriveSeed(cfg.seed, 'mme', m.ensemble, m.method, n, i, ...extra),
    semantics: cfg.semantics,
  }));
  return { orders, chunks };
}

export function planMme(cfg: MmeConfig): MmePlan {
  check(cfg.mme);
  const draws = Array.from({ length: cfg.mme.draws ?? DEFAULT_MME_DRAWS }, (_, d) => planDraw(cfg, d));
  return { orders: draws[0]!.orders, chunks: draws.flatMap((d) => d.chunks), draws };
}

/** cPSE interval over the draws (SPEC section 10), or why there is none. */
function drawInterval(cpses: number[], level: number): { low: number | null; high: number | null; why?: string } {
  if (cpses.length < 2) return { low: null, high: null, why: 'one draw of the ensemble: set mme.draws (--draws) >= 2 for an interval' };
  if (cpses.some(Number.isNaN)) return { low: null, high: null, why: 'a draw has an undefined cPSE (NaN: fewer than 3 matrices)' };
  const iv = percentileInterval(cpses, level);
  return { low: iv.low, high: iv.high };
}

export function aggregateMme(values: ChunkValues, cfg: MmeConfig, plan: MmePlan): MmeReport {
  const m = cfg.mme;
  const rows = plan.orders.map((n) => (m.ensemble === 'CSE' ? 2 * n : n));
  const cpseOf = (chunks: MemberChunk[]) => cpseFromEigenvalues(chunks.map((c) => values(c.id)), { semantics: cfg.semantics, bins: cfg.bins });
  const r = cpseOf(plan.draws[0]!.chunks);
  const cpseDraws = [r.cpse, ...plan.draws.slice(1).map((d) => cpseOf(d.chunks).cpse)];
  const { level } = uncertaintyOf(cfg);
  const iv = drawInterval(cpseDraws, level);
  return {
    tool: 'ergo',
    version: TOOL_VERSION,
    experiment: 'mme',
    ensemble: m.ensemble,
    method: m.method,
    member: 'elementwise modulus |U|',
    order: m.order,
    p: m.p,
    count: m.count,
    seed: cfg.seed,
    semantics: cfg.semantics,
    bins: cfg.bins,
    orders: plan.orders,
    rows,
    dLayers: r.dLayers.map((d, i) => ({ depth: i + 2, n: rows[i + 1]!, d, log10D: Math.log10(d) })),
    cpse: r.cpse,
    nMax: r.nMax,
    draws: cpseDraws.length,
    cpseDraws,
    cpseLow: iv.low,
    cpseHigh: iv.high,
    uncertainty: iv.why ? { method: 'none', reason: iv.why } : { method: 'draws', draws: cpseDraws.length, level, seed: cfg.seed },
  };
}

export interface MmeOptions {
  ensemble: EnsembleName;
  /** Sampler of the unitary matrices: qr (default) or eigvec (`spectral` has no matrices). */
  method?: DenseMethod;
  /** N of Binomial(N, p): the largest possible order. */
  order: number;
  /** p of Binomial(N, p), in (0, 1]. */
  p: number;
  /** M, the number of matrices. */
  count: number;
  seed: string | number;
  semantics?: Semantics;
  /** Omega bins (definition semantics). */
  bins?: number;
  /** Independent MMEs for the cPSE interval (default 1: no interval). */
  draws?: number;
  /** Level of the cPSE interval over draws (default 0.95). */
  level?: number;
}

/** The config of an MME run from plain options (defaults filled in). */
export function mmeConfig(o: MmeOptions, name = 'mme'): MmeConfig {
  return {
    experiment: 'mme',
    name,
    seed: o.seed,
    semantics: o.semantics ?? DEFAULT_SEMANTICS,
    retries: 0,
    reuse: [],
    plot: { maxPoints: 4096 },
    bins: o.bins ?? DEFAULT_REAL_BINS,
    mme: { ensemble: o.ensemble, method: o.method ?? 'qr', order: o.order, p: o.p, count: o.count, ...(o.draws !== undefined && o.draws !== DEFAULT_MME_DRAWS ? { draws: o.draws } : {}) },
    ...(o.level !== undefined ? { uncertainty: uncertaintyOf({ seed: o.seed, uncertainty: { level: o.level } }) } : {}),
  };
}

/** Draw the MME on this thread, in memory, and compute its d_layers and cPSE (no run directory). */
export function mmeReport(o: MmeOptions): MmeReport {
  const cfg = mmeConfig(o);
  const plan = planMme(cfg);
  const byId = new Map(plan.chunks.map((c) => [c.id, c]));
  return aggregateMme((id) => computeChunkValues(byId.get(id)!), cfg, plan);
}
