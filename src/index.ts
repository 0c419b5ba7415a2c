// Public library entry: the numerical layers. The pipeline and CLI are reached through `ergo`.
export * from './rng/index.js';
export * from './linalg/index.js';
