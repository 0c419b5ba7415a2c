// `ergo cpse --spectra FILE.npz`: cPSE from per-layer eigenvalue lists made elsewhere (another
// tool, or the reference package's own eigenvalue order). Each member of the .npz is one
// layer's eigenvalues (a 1-D float array, or one row of shape (1, N) as `ergo export` writes),
// in the archive's order (numpy.savez keeps the order of its arguments). The numbers are the
// same cpseFromEigenvalues the network experiment uses (spectral/pse.ts, SPEC section 6), so
// a network's exported spectra fed back give its cPSE.
import { resolve } from 'node:path';
import { readNpz } from '../../weights/npy.js';
import { cpseFromEigenvalues } from '../../spectral/pse.js';
import type { Semantics } from '../../spectral/semantics.js';
import { UserError } from '../../errors.js';
import { TOOL_VERSION } from '../version.js';
import { CPSE_DETERMINISTIC, type CpseReport } from '../report/cpse.js';
import { zeroDistanceWarnings } from './cpse.js';

/** A spectra file that cannot be used as given (names the file and the member). */
export class SpectraError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'SpectraError';
  }
}

export interface SpectraOptions {
  semantics: Semantics;
  bins: number;
}

/** Read the layer spectra of an .npz: [name, eigenvalues] in archive order. */
export async function readSpectra(file: string): Promise<[string, Float64Array][]> {
  const members = await readNpz(file);
  if (members.length === 0) throw new SpectraError(`${file}: no arrays in the archive (expected one 1-D array of eigenvalues per layer)`);
  return members.map(({ name, array }) => {
    const { shape, data, imag } = array;
    const flat = shape.length === 1 || (shape.length === 2 && shape[0] === 1);
    if (!flat) throw new SpectraError(`${file}: ${name}: expected a 1-D array of eigenvalues (one layer), got shape (${shape.join(', ')})`);
    if (imag) throw new SpectraError(`${file}: ${name}: expected real eigenvalues (float), got complex dtype ${array.dtype}`);
    if (data.length < 1) throw new SpectraError(`${file}: ${name}: empty array`);
    const bad = data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new SpectraError(`${file}: ${name}: value ${data[bad]} at index ${bad} is not finite`);
    return [name, data];
  });
}

/** The cpse report of one "network" whose layers are the spectra of `file`. */
export async function cpseFromSpectra(file: string, o: SpectraOptions): Promise<CpseReport> {
  const layers = await readSpectra(file);
  if (layers.length < 2) throw new SpectraError(`${file}: ${layers.length} layer spectrum; cPSE needs at least 2 (3 for a finite mean)`);
  let r;
  try {
    r = cpseFromEigenvalues(layers.map(([, v]) => v), { semantics: o.semantics, bins: o.bins });
  } catch (e) {
    if (e instanceof RangeError) throw new SpectraError(`${file}: ${e.message}`);
    throw e;
  }
  const name = layers.map(([n]) => n);
  return {
    tool: 'ergo',
    version: TOOL_VERSION,
    experiment: 'cpse',
    semantics: o.semantics,
    vanilla: false,
    uncertainty: { method: 'none', reason: CPSE_DETERMINISTIC },
    bins: o.bins,
    networks: [
      {
        name: file.replace(/^.*[\\/]/, '').replace(/\.npz$/i, ''),
        path: resolve(file),
        format: 'spectra',
        // A spectrum has no weight shape: shape [N] and m = N (the list's length).
        layers: layers.map(([n, v], i) => ({ index: i, name: n, shape: [v.length], n: v.length, m: v.length, cached: false, backend: 'none' })),
        dLayers: r.dLayers.map((d, i) => ({ depth: i + 2, layer: name[i + 1]!, n: layers[i + 1]![1].length, d, log10D: Math.log10(d) })),
        cpse: r.cpse,
        nMax: r.nMax,
        cachedLayers: 0,
        computedLayers: 0,
        warnings: zeroDistanceWarnings(r.dLayers, o.semantics, o.bins),
      },
    ],
  };
}
