// The vocabulary of the ensembles layer: ensemble and method names, defined once here (the
// config schema, the CLI choices and the samplers take them from this file).
import type { DenseMethod } from './dense.js';

export type EnsembleName = 'CUE' | 'COE' | 'CSE';
export type Method = 'qr' | 'eigvec' | 'spectral' | 'bristol';

export const ENSEMBLES: readonly EnsembleName[] = ['CUE', 'COE', 'CSE'];
export const METHODS: readonly Method[] = ['qr', 'eigvec', 'spectral', 'bristol'];
/** Methods that give matrices (not only eigenphases): what an MME member needs. */
export const DENSE_METHODS: readonly DenseMethod[] = ['qr', 'eigvec'];
/** Methods kept only to reproduce the reference package; their COE/CSE are not circular ensembles. */
export const REPRODUCTION_ONLY_METHODS: readonly Method[] = ['bristol'];
