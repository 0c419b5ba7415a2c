// The run configuration after validation and defaults: one member per experiment, keyed on
// `experiment`. The vocabulary (ensembles, methods, semantics) is the lower layers' own.
import type { EnsembleName, Method } from '../../ensembles/index.js';
import type { DenseMethod } from '../../ensembles/index.js';
import type { Semantics } from '../../spectral/semantics.js';

export const EXPERIMENTS = ['spectral-ergodicity', 'cpse', 'csd', 'mme'] as const;
export type ExperimentName = (typeof EXPERIMENTS)[number];

/** How CSD scales layer spectra before comparing (see experiments/csd.ts). */
export const NORMALISE = ['none', 'trace'] as const;

export interface EnsembleSpec {
  ensemble: EnsembleName;
  method: Method;
}

export interface NetworkSpec {
  path: string;
  name: string;
  include?: string;
  exclude?: string;
  /** Skip format detection (a name from the weights layer's list). */
  format?: string;
  /** Folders outside the model's own folder its files may refer to (--allow-path). */
  allowPaths?: string[];
}

/**
 * Uncertainty of the aggregates (SPEC section 10): bootstrap replicates, interval level and
 * the seed of the resampling stream. Decides no chunk data, so it is not in DATA_KEYS.
 */
export interface UncertaintyConfig {
  resamples: number;
  level: number;
  seed: string | number;
}

/** Keys every experiment has; `retries`, `reuse`, `name`, `plot` and `uncertainty` never decide the data. */
interface Common {
  name: string;
  seed: string | number;
  semantics: Semantics;
  retries: number;
  reuse: string[];
  /** smooth: CSD plot moving-average window in display bins (1 = none; default 3). */
  plot: { eigenphaseSize?: number; maxPoints: number; smooth?: number };
  /** Absent: the defaults (config/load.ts uncertaintyOf). */
  uncertainty?: UncertaintyConfig;
}

export interface ErgodicityConfig extends Common {
  experiment: 'spectral-ergodicity';
  ensembles: EnsembleSpec[];
  sizes: number[];
  matrices: number;
  chunk: number;
  seeds?: (string | number)[];
  delta: number;
  bins: number;
}

export interface CpseConfig extends Common {
  experiment: 'cpse';
  networks: NetworkSpec[];
  bins: number;
  /** The network files hold matrices M given directly (eigenvalues of M M^T). */
  vanilla: boolean;
}

/** What each network is compared against: a reference family, or another network. */
export type CsdAgainst = 'circular-mixed' | 'gaussian' | { network: NetworkSpec };

export interface CsdConfig extends Common {
  experiment: 'csd';
  networks: NetworkSpec[];
  csd: {
    eMax: number;
    bins: number;
    tolerance: number;
    delta: number;
    draws: number;
    against: CsdAgainst;
    gaussianInit: boolean;
    normalise: (typeof NORMALISE)[number];
  };
}

export interface MmeConfig extends Common {
  experiment: 'mme';
  /** draws: independent MMEs (cPSE interval over draws); absent = 1 (keeps old runs' data hash). */
  mme: { ensemble: EnsembleName; method: DenseMethod; order: number; p: number; count: number; draws?: number };
  bins: number;
}

/** Independent MMEs of an mme run when mme.draws is absent (one: no cPSE interval). */
export const DEFAULT_MME_DRAWS = 1;

export type RunConfig = ErgodicityConfig | CpseConfig | CsdConfig | MmeConfig;

/**
 * The keys of each experiment that decide its chunk data. The manifest hashes only these, so
 * changing anything else (plot.*, name, retries, reuse, delta or bins of the aggregate)
 * resumes a run instead of refusing it.
 */
export const DATA_KEYS: { readonly [E in ExperimentName]: readonly string[] } = {
  'spectral-ergodicity': ['experiment', 'seed', 'seeds', 'semantics', 'ensembles', 'sizes', 'matrices', 'chunk'],
  cpse: ['experiment', 'semantics', 'vanilla', 'networks'],
  csd: ['experiment', 'seed', 'networks', 'csd.draws', 'csd.against', 'csd.gaussianInit'],
  mme: ['experiment', 'seed', 'semantics', 'mme'],
};
