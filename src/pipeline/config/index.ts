// Run configuration: schema (schema.ts), typed config (types.ts), loading with defaults (load.ts).
export * from './types.js';
export { ConfigError, configSchema } from './schema.js';
export * from './load.js';
