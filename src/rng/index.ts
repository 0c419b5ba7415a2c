export * from './stream.js';
export * from './seeds.js';
