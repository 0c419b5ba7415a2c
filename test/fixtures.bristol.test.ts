// Every case of test/fixtures/bristol (groups a-g) recomputed in 'bristol'
// semantics and compared with the reference's numbers under each case's own
// tolerance: |got - exp| <= atol + rtol*|exp| elementwise, lengths/shapes equal,
// "NaN"/"Infinity"/"-Infinity" strings matched exactly. Where a case carries
// `intermediate` bin edges / counts / Omegas they are checked too (edges bit for
// bit, since they come from numpy.arange / numpy.linspace).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bristolFixtures } from './helpers/cli.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpyFile, readNpz, sortNpzMembers, type NpyArray } from '../src/weights/npy.js';
import {
  anglesOf, angleDensity, realDensity, thirumalaiMountain, klSymmetric, approachSEFromSpectra, cpseVanilla, cpseFromEigenvalues,
  type SpectrumKind, type RealMatrix,
} from '../src/spectral/index.js';
import { unitSymplectic } from '../src/ensembles/index.js';

const DIR = bristolFixtures + '/';

interface Tol { rtol: number; atol: number }
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function num(v: unknown): number {
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (typeof v !== 'number') throw new Error(`not a number: ${JSON.stringify(v)}`);
  return v;
}

function flatten(v: unknown): number[] {
  return Array.isArray(v) ? v.flatMap(flatten) : [num(v)];
}

/** An encoded array {dtype, shape, data} or a plain (nested) list -> flat numbers and shape. */
function decode(e: Json): { shape: number[]; values: number[] } {
  if (Array.isArray(e)) return { shape: [e.length], values: flatten(e) };
  if (e && typeof e === 'object' && 'data' in e) return { shape: e.shape, values: flatten(e.data) };
  return { shape: [], values: [num(e)] };
}

function close(got: ArrayLike<number>, exp: Json, tol: Tol, what: string, gotShape?: number[]): void {
  const d = decode(exp);
  if (gotShape) assert.deepEqual(gotShape, d.shape, `${what}: shape`);
  assert.equal(got.length, d.values.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!, x = d.values[i]!;
    if (Number.isNaN(x) || !Number.isFinite(x)) { assert.ok(Object.is(g, x) || (Number.isNaN(g) && Number.isNaN(x)), `${what}[${i}]: got ${g}, expected ${x}`); continue; }
    assert.ok(Math.abs(g - x) <= tol.atol + tol.rtol * Math.abs(x), `${what}[${i}]: got ${g}, expected ${x}`);
  }
}

function load(file: string): NpyArray { return readNpyFile(join(DIR, file)); }

/** The reference decides complex vs real by sum|imag| < 1e-9 (spectral_density's is_C test). */
function spectrumOf(a: NpyArray): { kind: SpectrumKind; values: Float64Array } {
  if (a.imag) {
    let s = 0;
    for (const v of a.imag) s += Math.abs(v);
    if (s >= 1e-9) return { kind: 'angle', values: anglesOf(a.data, a.imag) };
  }
  return { kind: 'real', values: a.data };
}

function arg(c: Json, name: string): Json {
  const a = c.args.find((x: Json) => x.name === name);
  assert.ok(a, `case ${c.name}: no argument ${name}`);
  return a.value;
}

async function listArg(v: Json): Promise<NpyArray[]> {
  const m = sortNpzMembers(await readNpz(join(DIR, v.file)));
  assert.equal(m.length, v.count);
  return m.map((x) => x.array);
}

const runners: Record<string, (c: Json, tol: Tol) => Promise<void> | void> = {
  'Ergodicity.spectral_density': (c, tol) => {
    const { kind, values } = spectrumOf(load(arg(c, 'c_eigen').file));
    const M = arg(c, 'ensemble_size'), delta = arg(c, 'delta_rad');
    const d = kind === 'angle' ? angleDensity(values, M, { semantics: 'bristol', delta }) : realDensity(values, M, { semantics: 'bristol' });
    const rows: number[] = [];
    for (let k = 0; k < d.density.length; k++) rows.push(d.centres[k]!, d.density[k]!);
    close(rows, c.expected.den, tol, `${c.name} den`, [d.density.length, 2]);
    const im = c.intermediate ?? {};
    if (im.bin_edges) assert.deepEqual(Array.from(d.edges), decode(im.bin_edges).values, `${c.name}: bin edges bit for bit`);
    if (im.counts) assert.deepEqual(Array.from(d.counts), decode(im.counts).values, `${c.name}: counts`);
    if (im.n_counted !== undefined) assert.equal(d.counted, im.n_counted, `${c.name}: values counted`);
  },
  'Ergodicity.thirumalai_mountain': (c, tol) => {
    const { kind, values } = spectrumOf(load(arg(c, 'c_eigen_ensemble').file));
    const M = arg(c, 'ensemble_size'), N = arg(c, 'N'), delta = arg(c, 'delta_rad');
    const omega = thirumalaiMountain(values, { kind, semantics: 'bristol', delta }, M, N);
    close(omega, c.expected.omega, tol, `${c.name} omega`, [omega.length]);
    const im = c.intermediate ?? {};
    if (im.ensemble_density) {
      const d = kind === 'angle' ? angleDensity(values, M, { semantics: 'bristol', delta }) : realDensity(values, M, { semantics: 'bristol' });
      close(d.density, im.ensemble_density, tol, `${c.name} ensemble density`);
    }
  },
  'Ergodicity.kl_distance_symmetric': (c, tol) => {
    const a = load(arg(c, 'Nk').file).data, b = load(arg(c, 'Nk_minus').file).data;
    close([klSymmetric(a, b)], c.expected.value, tol, `${c.name} value`);
  },
  'Ergodicity.approach_se': (c, tol) => {
    const Ns: number[] = arg(c, 'Ns'), M = arg(c, 'ensemble_size'), data = arg(c, 'eigen_data'), delta = arg(c, 'delta_rad');
    const spectra = Ns.map((n) => spectrumOf(load(data[`N${n}`].c_eigen.file)));
    const kinds = new Set(spectra.map((s) => s.kind));
    assert.equal(kinds.size, 1);
    const r = approachSEFromSpectra(Ns.map((n, i) => ({ n, values: spectra[i]!.values, ensembleSize: M })), { kind: spectra[0]!.kind, semantics: 'bristol', delta });
    close(r.dse, c.expected.Dse, tol, `${c.name} Dse`);
    const tm = c.intermediate?.thirumalai_mountain;
    if (tm) Ns.forEach((n, i) => close(r.omegas[i]!, tm[`N${n}`], tol, `${c.name} Omega N${n}`));
  },
  'cPSE.cpse_measure_vanilla': async (c, tol) => {
    const mats: RealMatrix[] = (await listArg(arg(c, 'matrices'))).map((a) => {
      assert.equal(a.shape.length, 2);
      return { rows: a.shape[0]!, cols: a.shape[1]!, data: a.data };
    });
    const r = cpseVanilla(mats, { semantics: 'bristol' });
    close(r.dLayers, c.expected.d_layers, tol, `${c.name} d_layers`);
    close([r.cpse], c.expected.cpse, tol, `${c.name} cpse`);
    const ub = c.intermediate?.upper_bound;
    if (ub !== undefined) assert.equal(r.nMax, ub);
  },
  'Circular.unit_symplectic': (c) => {
    const n: number = arg(c, 'N'), adir: 'lower' | 'upper' = arg(c, 'adir');
    const z: number[][] = c.expected.z.data;
    const got = unitSymplectic(n, adir);
    assert.deepEqual(Array.from(got), z.flat(), `${c.name}: exact`);
  },
  'cPSE.eigenvals_set_to_periodic + cPSE.d_layers_pse (+ mean(log10))': async (c, tol) => {
    const layers = (await listArg(arg(c, 'layer_eigens'))).map((a) => a.data);
    const r = cpseFromEigenvalues(layers, { semantics: 'bristol' });
    close(r.dLayers, c.expected.d_layers, tol, `${c.name} d_layers`);
    close([r.cpse], c.expected.cpse, tol, `${c.name} cpse`);
  },
};

const index = JSON.parse(readFileSync(join(DIR, 'index.json'), 'utf8'));

test('fixture index lists cases of groups a-g', () => {
  const groups = new Set(index.cases.map((c: Json) => c.group));
  for (const g of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) assert.ok(groups.has(g), `group ${g} present`);
});

for (const entry of index.cases) {
  test(`bristol fixture ${entry.group}: ${entry.name} (${entry.function})`, async () => {
    const c = JSON.parse(readFileSync(join(DIR, entry.file), 'utf8'));
    assert.equal(c.function, entry.function);
    const run = runners[c.function];
    assert.ok(run, `no runner for ${c.function}: a new reference function needs a port and a runner`);
    await run(c, { rtol: c.tolerance.rtol, atol: c.tolerance.atol });
  });
}
