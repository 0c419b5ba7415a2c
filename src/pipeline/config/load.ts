// Run configuration: YAML -> validated (schema.ts), defaults filled in -> a typed RunConfig
// with one member per experiment. Defaults are the lower layers' own constants.
import { readFileSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { DEFAULT_DELTA, DEFAULT_REAL_BINS } from '../../spectral/density.js';
import { DEFAULT_BINS as CSD_BINS, DEFAULT_E_MAX, DEFAULT_TOLERANCE, DEFAULT_DRAWS } from '../../spectral/csd.js';
import { DEFAULT_EQUIVALENCE_DELTA } from '../../spectral/equivalence.js';
import { DEFAULT_SEMANTICS, type Semantics } from '../../spectral/semantics.js';
import { DEFAULT_LEVEL, DEFAULT_RESAMPLES } from '../../spectral/bootstrap.js';
import type { EnsembleName, Method, DenseMethod } from '../../ensembles/index.js';
import { ConfigError, validateYaml, at, type Located } from './schema.js';
import { PLAIN_NAME, PLAIN_NAME_HELP } from './limits.js';
import type { RunConfig, ExperimentName, EnsembleSpec, NetworkSpec, CsdAgainst, CsdConfig, UncertaintyConfig } from './types.js';

export const DEFAULT_MATRICES = 40;
export const DEFAULT_CHUNK = 10;
export const DEFAULT_MAX_POINTS = 4096;

/**
 * Network specs from paths: named by file stem (a TF.js model.json by its folder), repeated
 * names get `#2`, `#3`, ... so every network has its own name.
 */
export function networkSpecs(paths: readonly (string | Omit<NetworkSpec, 'name'> & { name?: string })[], extra: { include?: string; exclude?: string; format?: string; allowPaths?: string[] } = {}): NetworkSpec[] {
  const names = new Map<string, number>();
  return paths.map((p) => {
    const spec = typeof p === 'string' ? { path: p } : p;
    let name = spec.name;
    if (name === undefined) {
      name = basename(spec.path, extname(spec.path));
      if (name === 'model') name = basename(resolve(spec.path, '..'));
      name = name.replace(/[-_]weights_manifest$/, '');
    }
    const k = names.get(name) ?? 0;
    names.set(name, k + 1);
    const out: NetworkSpec = { ...spec, name: k ? `${name}#${k + 1}` : name };
    for (const key of ['include', 'exclude', 'format'] as const) if (out[key] === undefined && extra[key] !== undefined) out[key] = extra[key];
    if (out.allowPaths === undefined && extra.allowPaths !== undefined) out.allowPaths = extra.allowPaths;
    return out;
  });
}

/** The YAML/CLI word for what CSD compares against: circular, gaussian, or a model path. */
export function parseAgainst(text: string, extra: { allowPaths?: string[] } = {}): CsdAgainst {
  if (text === 'circular' || text === 'circular-mixed') return 'circular-mixed';
  if (text === 'gaussian') return 'gaussian';
  return { network: networkSpecs([text], extra)[0]! };
}

/** The uncertainty settings of a run: given keys over the defaults; the seed defaults to the run's seed. */
export function uncertaintyOf(cfg: { seed: string | number; uncertainty?: Partial<UncertaintyConfig> }): UncertaintyConfig {
  const u = cfg.uncertainty ?? {};
  return { resamples: u.resamples ?? DEFAULT_RESAMPLES, level: u.level ?? DEFAULT_LEVEL, seed: u.seed ?? cfg.seed };
}

/** Parse and validate YAML text; `file` is used in messages only. */
export function parseConfig(text: string, file: string): RunConfig {
  const { raw, loc } = validateYaml(text, file);
  return normalise(raw, loc);
}

export function loadConfig(path: string): RunConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${path}: cannot read the config file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseConfig(text, path);
}

function checkRegexes(networks: NetworkSpec[], loc: Located): void {
  for (const [i, n] of networks.entries()) {
    for (const key of ['include', 'exclude'] as const) {
      const pattern = n[key];
      if (pattern === undefined) continue;
      try {
        new RegExp(pattern);
      } catch (e) {
        throw new ConfigError(`${at(loc, ['networks', i, key])}networks[${i}].${key}: not a valid regular expression (${(e as Error).message})`);
      }
    }
  }
}

function ensembleSpecs(raw: Record<string, unknown>, loc: Located): EnsembleSpec[] {
  const defaultMethod = (raw.method as Method | undefined) ?? 'qr';
  const ensembles = ((raw.ensembles as unknown[] | undefined) ?? []).map((e): EnsembleSpec =>
    typeof e === 'string'
      ? { ensemble: e as EnsembleName, method: defaultMethod }
      : { ensemble: (e as EnsembleSpec).ensemble, method: (e as Partial<EnsembleSpec>).method ?? defaultMethod },
  );
  const seen = new Set<string>();
  ensembles.forEach((e, i) => {
    const key = `${e.ensemble}/${e.method}`;
    if (seen.has(key)) throw new ConfigError(`${at(loc, ['ensembles', i])}ensembles[${i}]: ${key} is listed twice`);
    seen.add(key);
  });
  return ensembles;
}

/** The run name: `name:` (the schema checked it) or the file stem, which must be plain too. */
function plainName(name: string | undefined, file: string): string {
  if (name !== undefined) return name;
  const stem = basename(file, extname(file));
  if (!new RegExp(PLAIN_NAME).test(stem)) {
    throw new ConfigError(`${file}:1: name: the run name "${stem}" comes from the file name and is not plain: ${PLAIN_NAME_HELP}; set name: in the file`);
  }
  return stem;
}

function normalise(raw: Record<string, unknown>, loc: Located): RunConfig {
  const file = loc.file;
  const experiment = (raw.experiment as ExperimentName | undefined) ?? 'spectral-ergodicity';
  const need = (key: string): void => {
    if (raw[key] === undefined) throw new ConfigError(`${file}:1: ${key}: missing required key for experiment "${experiment}"`);
  };
  const plot = (raw.plot as { eigenphaseSize?: number; maxPoints?: number; smooth?: number } | undefined) ?? {};
  const common = {
    name: plainName(raw.name as string | undefined, file),
    seed: (raw.seed as string | number | undefined) ?? 0,
    semantics: (raw.semantics as Semantics | undefined) ?? DEFAULT_SEMANTICS,
    retries: (raw.retries as number | undefined) ?? 1,
    reuse: (raw.reuse as string[] | undefined) ?? [],
    plot: { maxPoints: plot.maxPoints ?? DEFAULT_MAX_POINTS, ...(plot.eigenphaseSize ? { eigenphaseSize: plot.eigenphaseSize } : {}), ...(plot.smooth ? { smooth: plot.smooth } : {}) },
  };
  const uncertainty = uncertaintyOf({ seed: common.seed, ...(raw.uncertainty ? { uncertainty: raw.uncertainty as Partial<UncertaintyConfig> } : {}) });
  const bins = (raw.bins as number | undefined) ?? DEFAULT_REAL_BINS;
  if (experiment === 'spectral-ergodicity') {
    need('ensembles');
    need('sizes');
    const sizes = [...(raw.sizes as number[])];
    for (let i = 1; i < sizes.length; i++) {
      if (sizes[i]! <= sizes[i - 1]!) {
        throw new ConfigError(`${at(loc, ['sizes', i])}sizes[${i}]: sizes must be strictly increasing (got ${sizes[i - 1]} then ${sizes[i]})`);
      }
    }
    if (common.plot.eigenphaseSize !== undefined && !sizes.includes(common.plot.eigenphaseSize)) {
      throw new ConfigError(`${at(loc, ['plot', 'eigenphaseSize'])}plot.eigenphaseSize: must be one of sizes (${sizes.join(', ')}), got ${common.plot.eigenphaseSize}`);
    }
    const matrices = (raw.matrices as number | undefined) ?? DEFAULT_MATRICES;
    return {
      ...common,
      uncertainty,
      experiment,
      ensembles: ensembleSpecs(raw, loc),
      sizes,
      matrices,
      chunk: Math.min((raw.chunk as number | undefined) ?? DEFAULT_CHUNK, matrices),
      ...(raw.seeds !== undefined ? { seeds: raw.seeds as (string | number)[] } : {}),
      delta: (raw.delta as number | undefined) ?? DEFAULT_DELTA,
      bins,
    };
  }
  if (experiment === 'mme') {
    need('mme');
    const m = raw.mme as { ensemble: EnsembleName; method?: DenseMethod; order: number; p: number; count: number; draws?: number };
    return { ...common, uncertainty, experiment, mme: { ...m, method: m.method ?? 'qr' }, bins };
  }
  need('networks');
  const networks = networkSpecs(raw.networks as (string | NetworkSpec)[]);
  checkRegexes(networks, loc);
  if (experiment === 'cpse') return { ...common, experiment, networks, bins, vanilla: (raw.vanilla as boolean | undefined) ?? false };
  const csd = (raw.csd as Partial<Omit<CsdConfig['csd'], 'against'>> & { against?: string } | undefined) ?? {};
  return {
    ...common,
    uncertainty,
    experiment,
    networks,
    csd: {
      eMax: csd.eMax ?? DEFAULT_E_MAX,
      bins: csd.bins ?? CSD_BINS,
      tolerance: csd.tolerance ?? DEFAULT_TOLERANCE,
      delta: csd.delta ?? DEFAULT_EQUIVALENCE_DELTA,
      draws: csd.draws ?? DEFAULT_DRAWS,
      against: parseAgainst(csd.against ?? 'circular'),
      gaussianInit: csd.gaussianInit ?? false,
      normalise: csd.normalise ?? 'none',
    },
  };
}
