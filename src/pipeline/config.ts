// Run configuration: YAML -> validated, normalised RunConfig.
// Every error names the file, the line, the key path and what was expected, so a
// user fixing an overnight config does not have to guess.
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { createHash } from 'node:crypto';
import { LineCounter, parseDocument, isMap, type Document } from 'yaml';
import { Ajv, type ErrorObject } from 'ajv';

export const ENSEMBLES = ['CUE', 'COE', 'CSE'] as const;
export const METHODS = ['qr', 'eigvec', 'spectral', 'bristol'] as const;
export const EXPERIMENTS = ['spectral-ergodicity', 'cpse', 'csd'] as const;
export type EnsembleName = (typeof ENSEMBLES)[number];
export type MethodName = (typeof METHODS)[number];
export type Experiment = (typeof EXPERIMENTS)[number];
export type Semantics = 'definition' | 'bristol';

export interface EnsembleSpec {
  ensemble: EnsembleName;
  method: MethodName;
}

export interface NetworkSpec {
  path: string;
  name: string;
  include?: string;
  exclude?: string;
  /** Folders outside the model's own folder its files may refer to (--allow-path). */
  allowPaths?: string[];
}

export interface RunConfig {
  name: string;
  experiment: Experiment;
  seed: string | number;
  semantics: Semantics;
  retries: number;
  reuse: string[];
  /** spectral-ergodicity */
  ensembles: EnsembleSpec[];
  sizes: number[];
  matrices: number;
  chunk: number;
  seeds?: (string | number)[];
  delta: number;
  bins: number;
  plot: { eigenphaseSize?: number; maxPoints: number };
  /** cpse and csd */
  networks: NetworkSpec[];
  /** cpse: the network files hold matrices M given directly (eigenvalues of M M^T). */
  vanilla: boolean;
  /** against: 'circular' (default), 'gaussian', or a model path. */
  csd: { eMax: number; bins: number; tolerance: number; delta: number; draws: number; against: string; gaussianInit: boolean; normalise: 'none' | 'trace' };
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const seedValue = { type: ['integer', 'string'] };
const ensembleName = { enum: [...ENSEMBLES] };
const methodName = { enum: [...METHODS] };

// JSON Schema of the YAML file (draft-07, checked by ajv).
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    experiment: { enum: [...EXPERIMENTS] },
    seed: seedValue,
    semantics: { enum: ['definition', 'bristol'] },
    retries: { type: 'integer', minimum: 0, maximum: 100 },
    reuse: { type: 'array', items: { type: 'string', minLength: 1 } },
    method: methodName,
    ensembles: {
      type: 'array',
      minItems: 1,
      items: {
        anyOf: [
          ensembleName,
          {
            type: 'object',
            additionalProperties: false,
            required: ['ensemble'],
            properties: { ensemble: ensembleName, method: methodName },
          },
        ],
      },
    },
    sizes: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 2, maximum: 1_000_000 } },
    matrices: { type: 'integer', minimum: 2 },
    chunk: { type: 'integer', minimum: 1 },
    seeds: { type: 'array', items: seedValue },
    delta: { type: 'number', exclusiveMinimum: 0, maximum: 6.283185307179586 },
    bins: { type: 'integer', minimum: 1 },
    plot: {
      type: 'object',
      additionalProperties: false,
      properties: {
        eigenphaseSize: { type: 'integer', minimum: 2 },
        maxPoints: { type: 'integer', minimum: 1 },
      },
    },
    vanilla: { type: 'boolean' },
    networks: {
      type: 'array',
      minItems: 1,
      items: {
        anyOf: [
          { type: 'string', minLength: 1 },
          {
            type: 'object',
            additionalProperties: false,
            required: ['path'],
            properties: {
              path: { type: 'string', minLength: 1 },
              name: { type: 'string', minLength: 1 },
              include: { type: 'string' },
              exclude: { type: 'string' },
              allowPaths: { type: 'array', items: { type: 'string', minLength: 1 } },
            },
          },
        ],
      },
    },
    csd: {
      type: 'object',
      additionalProperties: false,
      properties: {
        eMax: { type: 'number', exclusiveMinimum: 0 },
        bins: { type: 'integer', minimum: 1 },
        tolerance: { type: 'number', exclusiveMinimum: 0 },
        delta: { type: 'number', minimum: 0 },
        draws: { type: 'integer', minimum: 1 },
        against: { type: 'string', minLength: 1 },
        gaussianInit: { type: 'boolean' },
        normalise: { enum: ['none', 'trace'] },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(configSchema);

interface Located {
  doc: Document;
  lines: LineCounter;
  file: string;
}

function lineOf(loc: Located, path: (string | number)[], key = false): number | undefined {
  // Walk down as far as the path exists; report the deepest existing node's line.
  for (let depth = path.length; depth >= 0; depth--) {
    const sub = path.slice(0, depth);
    let node: unknown = sub.length ? loc.doc.getIn(sub, true) : loc.doc.contents;
    if (key && depth === path.length && depth > 0) {
      const parent = depth > 1 ? loc.doc.getIn(sub.slice(0, -1), true) : loc.doc.contents;
      if (isMap(parent)) {
        const pair = parent.items.find((p) => (p.key as { value?: unknown })?.value === sub[sub.length - 1]);
        if (pair) node = pair.key;
      }
    }
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return loc.lines.linePos(range[0]).line;
  }
  return undefined;
}

function pathOf(instancePath: string): (string | number)[] {
  return instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function showPath(path: (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out || '(top level)';
}

function describe(err: ErrorObject, value: unknown): string {
  const got = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
  switch (err.keyword) {
    case 'additionalProperties':
      return `unknown key "${(err.params as { additionalProperty: string }).additionalProperty}"`;
    case 'enum':
      return `expected one of ${(err.params as { allowedValues: unknown[] }).allowedValues.join(', ')}${got}`;
    case 'type':
      return `expected ${(err.params as { type: string | string[] }).type}${got}`;
    case 'required':
      return `missing required key "${(err.params as { missingProperty: string }).missingProperty}"`;
    default:
      return `${err.message ?? 'invalid'}${got}`;
  }
}

function getAt(root: unknown, path: (string | number)[]): unknown {
  let cur: unknown = root;
  for (const p of path) cur = (cur as Record<string | number, unknown> | undefined)?.[p];
  return cur;
}

// Pick the most useful error per location: anyOf branches produce noise, so prefer the
// branch whose errors go deepest (the object form when the user wrote an object).
function pickErrors(errors: ErrorObject[]): ErrorObject[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    if (e.keyword === 'anyOf') continue;
    const list = byPath.get(e.instancePath) ?? [];
    list.push(e);
    byPath.set(e.instancePath, list);
  }
  const out: ErrorObject[] = [];
  for (const [path, list] of byPath) {
    // Drop errors at a path that has deeper errors (the object branch explained it better).
    const isBranchMismatch = (e: ErrorObject): boolean => e.keyword === 'type' || e.keyword === 'enum';
    const deeper = [...byPath.keys()].some((p) => p !== path && p.startsWith(path + '/'));
    if (deeper && list.every(isBranchMismatch)) continue;
    if (list.some((e) => !isBranchMismatch(e))) list.splice(0, list.length, ...list.filter((e) => !isBranchMismatch(e)));
    // A value of the right type but a wrong choice ("GUE"): the enum says it; the other branch's type error is noise.
    if (list.some((e) => e.keyword === 'enum')) list.splice(0, list.length, ...list.filter((e) => e.keyword !== 'type'));
    // For a union like "CUE or {ensemble, method}", report type errors only once.
    const seen = new Set<string>();
    for (const e of list) {
      const k = e.keyword + JSON.stringify(e.params);
      if (!seen.has(k)) out.push(e), seen.add(k);
    }
  }
  return out;
}

/** Parse and validate YAML text; `file` is used in messages only. */
export function parseConfig(text: string, file: string): RunConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const line = lines.linePos(e.pos[0]).line;
    const msg = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(`${file}${line ? `:${line}` : ''}: malformed YAML: ${msg}`);
  }
  const raw: unknown = doc.toJS() ?? {};
  const loc: Located = { doc, lines, file };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`${file}:1: expected a mapping of keys (name, sizes, ensembles, ...) at the top level`);
  }
  if (!validate(raw)) {
    const msgs = pickErrors(validate.errors ?? []).map((err) => {
      const path = pathOf(err.instancePath);
      const isKey = err.keyword === 'additionalProperties';
      const fullPath = isKey ? [...path, (err.params as { additionalProperty: string }).additionalProperty] : path;
      const line = lineOf(loc, fullPath, isKey);
      return `${file}${line ? `:${line}` : ''}: ${showPath(fullPath)}: ${describe(err, isKey ? undefined : getAt(raw, path))}`;
    });
    throw new ConfigError(msgs.join('\n'));
  }
  return normalise(raw as Record<string, unknown>, loc);
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

function normalise(raw: Record<string, unknown>, loc: Located): RunConfig {
  const file = loc.file;
  const experiment = (raw.experiment as Experiment | undefined) ?? 'spectral-ergodicity';
  const defaultMethod = (raw.method as MethodName | undefined) ?? 'qr';
  const ensembles = ((raw.ensembles as unknown[] | undefined) ?? []).map((e): EnsembleSpec =>
    typeof e === 'string'
      ? { ensemble: e as EnsembleName, method: defaultMethod }
      : { ensemble: (e as EnsembleSpec).ensemble, method: (e as Partial<EnsembleSpec>).method ?? defaultMethod },
  );
  const need = (key: string): void => {
    if (raw[key] === undefined) {
      throw new ConfigError(`${file}:1: ${key}: missing required key for experiment "${experiment}"`);
    }
  };
  if (experiment === 'spectral-ergodicity') {
    need('ensembles');
    need('sizes');
  } else {
    need('networks');
  }
  const sizes = [...((raw.sizes as number[] | undefined) ?? [])];
  for (let i = 1; i < sizes.length; i++) {
    if (sizes[i]! <= sizes[i - 1]!) {
      const line = lineOf(loc, ['sizes', i]);
      throw new ConfigError(`${file}${line ? `:${line}` : ''}: sizes[${i}]: sizes must be strictly increasing (got ${sizes[i - 1]} then ${sizes[i]})`);
    }
  }
  const seen = new Set<string>();
  ensembles.forEach((e, i) => {
    const key = `${e.ensemble}/${e.method}`;
    if (seen.has(key)) {
      const line = lineOf(loc, ['ensembles', i]);
      throw new ConfigError(`${file}${line ? `:${line}` : ''}: ensembles[${i}]: ${key} is listed twice`);
    }
    seen.add(key);
  });
  const matrices = (raw.matrices as number | undefined) ?? 40;
  const chunk = Math.min((raw.chunk as number | undefined) ?? 10, matrices);
  const networks = ((raw.networks as unknown[] | undefined) ?? []).map((n): NetworkSpec => {
    const spec = typeof n === 'string' ? { path: n } : (n as Omit<NetworkSpec, 'name'> & { name?: string });
    return { ...spec, name: spec.name ?? basename(spec.path, extname(spec.path)) };
  });
  for (const [i, n] of networks.entries()) {
    for (const key of ['include', 'exclude'] as const) {
      const pattern = n[key];
      if (pattern === undefined) continue;
      try {
        new RegExp(pattern);
      } catch (e) {
        const line = lineOf(loc, ['networks', i, key]);
        throw new ConfigError(`${file}${line ? `:${line}` : ''}: networks[${i}].${key}: not a valid regular expression (${(e as Error).message})`);
      }
    }
  }
  const plot = (raw.plot as { eigenphaseSize?: number; maxPoints?: number } | undefined) ?? {};
  const csd = (raw.csd as Partial<RunConfig['csd']> | undefined) ?? {};
  const cfg: RunConfig = {
    name: (raw.name as string | undefined) ?? basename(file, extname(file)),
    experiment,
    seed: (raw.seed as string | number | undefined) ?? 0,
    semantics: (raw.semantics as Semantics | undefined) ?? 'definition',
    retries: (raw.retries as number | undefined) ?? 1,
    reuse: (raw.reuse as string[] | undefined) ?? [],
    ensembles,
    sizes,
    matrices,
    chunk,
    delta: (raw.delta as number | undefined) ?? 0.2,
    bins: (raw.bins as number | undefined) ?? 10,
    plot: { maxPoints: plot.maxPoints ?? 4096, ...(plot.eigenphaseSize ? { eigenphaseSize: plot.eigenphaseSize } : {}) },
    networks,
    vanilla: (raw.vanilla as boolean | undefined) ?? false,
    csd: {
      eMax: csd.eMax ?? 6.0,
      bins: csd.bins ?? 1000,
      tolerance: csd.tolerance ?? 0.05,
      delta: csd.delta ?? 0.1,
      draws: csd.draws ?? 5,
      against: csd.against ?? 'circular',
      gaussianInit: csd.gaussianInit ?? false,
      normalise: csd.normalise ?? 'none',
    },
  };
  if (raw.seeds !== undefined) cfg.seeds = raw.seeds as (string | number)[];
  if (cfg.plot.eigenphaseSize !== undefined && !sizes.includes(cfg.plot.eigenphaseSize)) {
    const line = lineOf(loc, ['plot', 'eigenphaseSize']);
    throw new ConfigError(`${file}${line ? `:${line}` : ''}: plot.eigenphaseSize: must be one of sizes (${sizes.join(', ')}), got ${cfg.plot.eigenphaseSize}`);
  }
  return cfg;
}

export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export function configHash(cfg: RunConfig): string {
  return createHash('sha256').update(stableStringify(cfg)).digest('hex');
}

/** Dotted key paths whose values differ between two configs (for the resume refusal). */
export function changedKeys(a: unknown, b: unknown, prefix = ''): string[] {
  if (stableStringify(a) === stableStringify(b)) return [];
  const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedKeys(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return [prefix || '(whole config)'];
}
