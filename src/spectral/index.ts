// Spectral measures (SPEC sections 4, 6, 7). Each file's header documents its
// choices for the 'definition' and 'bristol' semantics.
export * from './semantics.js';
export * from './density.js';
export * from './ergodicity.js';
export * from './kl.js';
export * from './dse.js';
export * from './pse.js';
export * from './csd.js';
export * from './equivalence.js';
export * from './bootstrap.js';
export * from './significance.js';
export * from './circular-checks.js';
