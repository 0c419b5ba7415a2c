// Public library entry: the numerical layers and the weight readers. The pipeline and the
// command line are reached through the `ergo` command.
export * from './rng/index.js';
export * from './linalg/index.js';
export * from './ensembles/index.js';
export * from './spectral/index.js';
export * from './weights/index.js';
