// `ergo validate`: check that eigenphases come from the circular ensemble they claim
// (spectral/circular-checks.ts), for a run directory (its ensemble chunks, grouped by
// ensemble, method and N; the ensemble is the run's own) or for eigenvalue files from any
// tool (the user names the ensemble):
//  - .npy complex128/complex64 (eigenvalues: moduli are checked too) or float64/float32
//    (eigenphases in radians); shape (M, N), or flat with an ensemble size M;
//  - .npz: every member array is one group, as above;
//  - Arrow files (ergo chunks or any file with matrix + theta columns).
// Verdict: Bonferroni over every statistical check of every group at a family-wise level
// (default 0.01); exact checks (moduli) pass or fail outright.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { circularChecks, unfoldedSpacings, wignerSurmise, DYSON_BETA, type CircularEnsemble } from '../../spectral/circular-checks.js';
import { twoSidedNormalQuantile } from '../../spectral/significance.js';
import { readNpyFile, readNpz, type NpyArray } from '../../weights/npy.js';
import { ENSEMBLES } from '../../ensembles/names.js';
import { TOOL_VERSION } from '../version.js';
import { decodeChunk } from '../runtime/arrow.js';
import { openDataset, readChunk } from '../runtime/dataset.js';
import { InputError } from './analyze.js';
import type { SpacingPanel } from '../report/plot/index.js';
import type { ValidateGroup, ValidateReport } from '../report/validate.js';

export type { ValidateReport } from '../report/validate.js';

export const DEFAULT_VALIDATE_LEVEL = 0.01;

export interface ValidateOptions {
  /** The ensemble the files claim (required for files; a run names its own). */
  ensemble?: CircularEnsemble;
  /** Matrices per flat array. */
  ensembleSize?: number;
  /** Family-wise level (default 0.01). */
  level?: number;
}

interface Group {
  label: string;
  ensemble: CircularEnsemble;
  method?: string;
  members: Float64Array[];
  moduli?: Float64Array[];
}

function split(file: string, values: Float64Array, shape: number[], m: number | undefined): Float64Array[] {
  let rows: number;
  if (shape.length === 2) rows = shape[0]!;
  else if (shape.length === 1) {
    if (m === undefined) throw new InputError(`${file}: a flat array of ${values.length} eigenvalues needs --ensemble-size M (how many matrices it holds)`);
    rows = m;
  } else throw new InputError(`${file}: expected a 1-d (M*N) or 2-d (M, N) array, got shape (${shape.join(', ')})`);
  if (rows < 1 || values.length % rows !== 0) throw new InputError(`${file}: ${values.length} eigenvalues do not split into ${rows} matrices`);
  const n = values.length / rows;
  return Array.from({ length: rows }, (_, j) => values.subarray(j * n, (j + 1) * n));
}

function fromArray(label: string, arr: NpyArray, ensemble: CircularEnsemble, m: number | undefined): Group {
  for (const part of arr.imag ? [arr.data, arr.imag] : [arr.data]) {
    const i = part.findIndex((x) => !Number.isFinite(x));
    if (i >= 0) throw new InputError(`${label}: value ${i} is ${part[i]}; eigenvalues must be finite numbers`);
  }
  if (arr.imag) {
    const angles = new Float64Array(arr.data.length), moduli = new Float64Array(arr.data.length);
    for (let i = 0; i < angles.length; i++) { angles[i] = Math.atan2(arr.imag[i]!, arr.data[i]!); moduli[i] = Math.hypot(arr.data[i]!, arr.imag[i]!); }
    return { label, ensemble, members: split(label, angles, arr.shape, m), moduli: split(label, moduli, arr.shape, m) };
  }
  for (let i = 0; i < arr.data.length; i++) {
    const x = arr.data[i]!;
    if (!(x >= -Math.PI - 1e-9 && x <= Math.PI + 1e-9)) throw new InputError(`${label}: value ${x} at index ${i} is not an eigenphase in [-pi, pi]; give complex eigenvalues or angles in radians`);
  }
  return { label, ensemble, members: split(label, arr.data, arr.shape, m) };
}

function fromArrow(file: string, ensemble: CircularEnsemble): Group {
  const chunk = decodeChunk(readFileSync(file), file);
  if (chunk.metadata.get('ergo.kind') === 'eigenvalues') throw new InputError(`${file}: holds real eigenvalues (a layer), not eigenphases`);
  const byMatrix = new Map<number, number[]>();
  chunk.matrix.forEach((j, i) => byMatrix.set(j, [...(byMatrix.get(j) ?? []), chunk.values[i]!]));
  const members = [...byMatrix.keys()].sort((a, b) => a - b).map((j) => Float64Array.from(byMatrix.get(j)!));
  return { label: basename(file), ensemble, members };
}

async function fileGroups(files: readonly string[], o: ValidateOptions): Promise<Group[]> {
  const ensemble = o.ensemble;
  if (!ensemble) throw new InputError('eigenvalue files do not say their ensemble: give --ensemble cue, coe or cse');
  const out: Group[] = [];
  for (const f of files) {
    let head: Buffer;
    try {
      head = readFileSync(f).subarray(0, 6);
    } catch (e) {
      throw new InputError(`${f}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (head.toString('latin1') === 'ARROW1') out.push(fromArrow(f, ensemble));
    else if (head[0] === 0x50 && head[1] === 0x4b) for (const m of await readNpz(f)) out.push(fromArray(`${basename(f)}:${m.name}`, m.array, ensemble, o.ensembleSize));
    else out.push(fromArray(basename(f), readNpyFile(f), ensemble, o.ensembleSize));
  }
  return out;
}

function runGroups(dir: string): Group[] {
  const ds = openDataset(dir);
  const byKey = new Map<string, Group>();
  // Ensemble chunks are the ones without a `kind` in their identity (runtime/chunk.ts).
  const recs = ds.manifest.chunks.filter((r) => r.identity.kind === undefined && r.identity.ensemble !== undefined && r.identity.count !== undefined);
  if (!recs.length) throw new InputError(`${dir}: this run has no circular-ensemble chunks to validate (only sweeps have)`);
  recs.sort((a, b) => Number(a.identity.n) - Number(b.identity.n) || Number(a.identity.chunk) - Number(b.identity.chunk));
  for (const rec of recs) {
    const ensemble = rec.identity.ensemble as CircularEnsemble;
    if (!(ENSEMBLES as readonly string[]).includes(ensemble)) continue;
    const key = `${ensemble}/${rec.identity.method}/${rec.identity.n}`;
    let g = byKey.get(key);
    if (!g) byKey.set(key, (g = { label: `${ensemble} (${rec.identity.method})`, ensemble, method: rec.identity.method!, members: [] }));
    const chunk = readChunk(ds, rec);
    const count = Number(rec.identity.count);
    const per = chunk.values.length / count;
    for (let i = 0; i < count; i++) g.members.push(chunk.values.subarray(i * per, (i + 1) * per));
  }
  return [...byKey.values()];
}

const isRunDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory() && existsSync(join(p, 'manifest.json'));

/** Spacing histogram on [0, 4) (bins of 0.1) and the surmise curve, for the figure. */
function spacingPanel(g: Group, n: number): SpacingPanel {
  const s = unfoldedSpacings(g.members);
  const width = 0.1, K = 40;
  const counts = new Array<number>(K).fill(0);
  for (const x of s) { const k = Math.floor(x / width); if (k < K) counts[k]!++; }
  const beta = DYSON_BETA[g.ensemble];
  const grid = Array.from({ length: 161 }, (_, i) => i * 0.025);
  return { panel: `${g.label} N=${n}`, left: counts.map((_, k) => k * width), width, density: counts.map((c) => c / (s.length * width)), s: grid, surmise: grid.map((x) => wignerSurmise(x, beta)) };
}

/** Validate a run directory or eigenvalue files; the report and the figure's panels. */
export async function validateInputs(paths: readonly string[], o: ValidateOptions = {}): Promise<{ report: ValidateReport; panels: SpacingPanel[]; runDir?: string }> {
  if (!paths.length) throw new InputError('nothing to validate: give a run directory or eigenvalue files');
  const runDir = paths.length === 1 && isRunDir(paths[0]!) ? paths[0]! : undefined;
  const groups = runDir ? runGroups(runDir) : await fileGroups(paths, o);
  const level = o.level ?? DEFAULT_VALIDATE_LEVEL;
  if (!(level > 0 && level < 1)) throw new InputError(`level must be in (0, 1), got ${level}`);
  const raw = groups.map((g) => {
    if (g.members.length < 2) throw new InputError(`${g.label}: ${g.members.length} matrix; validation needs at least 2 per size`);
    const n = g.members[0]!.length;
    if (n < 3 || g.members.some((m) => m.length !== n)) throw new InputError(`${g.label}: every matrix needs the same number (>= 3) of eigenvalues`);
    return { g, n, checks: circularChecks({ ensemble: g.ensemble, members: g.members, ...(g.moduli ? { moduli: g.moduli } : {}) }) };
  });
  const tests = raw.reduce((a, r) => a + r.checks.filter((c) => !c.exact).length, 0);
  const zCritical = twoSidedNormalQuantile(level / tests);
  const out: ValidateGroup[] = raw.map(({ g, n, checks }) => {
    const rows = checks.map((c) => ({ ...c, pass: c.exact ? c.p === 1 : c.p >= level / tests }));
    return { label: g.label, ensemble: g.ensemble, ...(g.method ? { method: g.method } : {}), n, matrices: g.members.length, checks: rows, pass: rows.every((c) => c.pass) };
  });
  const report: ValidateReport = { tool: 'ergo', version: TOOL_VERSION, command: 'validate', level, correction: 'bonferroni', tests, zCritical, groups: out, pass: out.every((g) => g.pass) };
  return { report, panels: raw.map(({ g, n }) => spacingPanel(g, n)), ...(runDir ? { runDir } : {}) };
}
