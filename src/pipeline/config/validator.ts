// The JSON Schema of a run file (draft-07) and its validator. The value lists come from the
// layers that own them (ensembles/, spectral/), never retyped here; schema.ts turns the
// validator's findings into file:line messages.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Ajv as AjvClass, ValidateFunction } from 'ajv';
import { ENSEMBLES, METHODS, DENSE_METHODS } from '../../ensembles/index.js';
import { SEMANTICS } from '../../spectral/semantics.js';
import { EXPERIMENTS, NORMALISE } from './types.js';
import { LIMITS, MAX_CHUNKS, PLAIN_NAME } from './limits.js';

const seedValue = { type: ['integer', 'string'], maxLength: LIMITS.text };
const text = { type: 'string', minLength: 1, maxLength: LIMITS.text };
const ensembleName = { enum: [...ENSEMBLES] };
const methodName = { enum: [...METHODS] };
const semanticsName = { enum: [...SEMANTICS] };

// JSON Schema of the YAML file (draft-07, checked by ajv).
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: PLAIN_NAME },
    experiment: { enum: [...EXPERIMENTS] },
    seed: seedValue,
    semantics: semanticsName,
    retries: { type: 'integer', minimum: 0, maximum: 100 },
    reuse: { type: 'array', maxItems: LIMITS.reuse, items: text },
    method: methodName,
    ensembles: {
      type: 'array',
      minItems: 1,
      maxItems: ENSEMBLES.length * METHODS.length,
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
    sizes: { type: 'array', minItems: 1, maxItems: LIMITS.sizes, items: { type: 'integer', minimum: 2, maximum: LIMITS.size } },
    matrices: { type: 'integer', minimum: 2, maximum: LIMITS.matrices },
    chunk: { type: 'integer', minimum: 1, maximum: LIMITS.matrices },
    seeds: { type: 'array', maxItems: MAX_CHUNKS, items: seedValue },
    delta: { type: 'number', exclusiveMinimum: 0, maximum: 6.283185307179586 },
    bins: { type: 'integer', minimum: 1, maximum: LIMITS.bins },
    plot: {
      type: 'object',
      additionalProperties: false,
      properties: {
        eigenphaseSize: { type: 'integer', minimum: 2, maximum: LIMITS.size },
        maxPoints: { type: 'integer', minimum: 1, maximum: LIMITS.plotPoints },
        smooth: { type: 'integer', minimum: 1, maximum: 101 },
      },
    },
    uncertainty: {
      type: 'object',
      additionalProperties: false,
      properties: {
        resamples: { type: 'integer', minimum: 2, maximum: LIMITS.resamples },
        level: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
        seed: seedValue,
      },
    },
    vanilla: { type: 'boolean' },
    networks: {
      type: 'array',
      minItems: 1,
      maxItems: LIMITS.networks,
      items: {
        anyOf: [
          text,
          {
            type: 'object',
            additionalProperties: false,
            required: ['path'],
            properties: {
              path: text,
              name: text,
              include: { type: 'string', maxLength: LIMITS.text },
              exclude: { type: 'string', maxLength: LIMITS.text },
              allowPaths: { type: 'array', maxItems: LIMITS.reuse, items: text },
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
        bins: { type: 'integer', minimum: 1, maximum: LIMITS.csdBins },
        tolerance: { type: 'number', exclusiveMinimum: 0 },
        delta: { type: 'number', minimum: 0 },
        draws: { type: 'integer', minimum: 1, maximum: LIMITS.draws },
        against: text,
        gaussianInit: { type: 'boolean' },
        normalise: { enum: [...NORMALISE] },
      },
    },
    mme: {
      type: 'object',
      additionalProperties: false,
      required: ['ensemble', 'order', 'p', 'count'],
      properties: {
        ensemble: ensembleName,
        method: { enum: [...DENSE_METHODS] },
        order: { type: 'integer', minimum: 2, maximum: LIMITS.size },
        p: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        count: { type: 'integer', minimum: 1, maximum: LIMITS.mmeCount },
        draws: { type: 'integer', minimum: 1, maximum: LIMITS.draws },
      },
    },
  },
} as const;

// The validator is made on the first config checked, not at import: every run imports the
// config modules (schema.ts's ConfigError), and most read no config. The build writes it as
// code (scripts/build-schema.mjs, ajv's standalone output, about 5 ms to load); without that
// file, or when it was made from another schema, ajv compiles it here (about 0.1 s with
// loading ajv). ajv is CommonJS; require skips Node's ESM translator for it.
export const AJV_OPTIONS = { allErrors: true, strict: true, allowUnionTypes: true } as const;
const require = createRequire(import.meta.url);
export const PRECOMPILED_VALIDATOR = './config-validator.cjs';

/** What identifies the validator: the schema and the options, hashed. */
export function validatorHash(): string {
  return createHash('sha256').update(JSON.stringify({ configSchema, AJV_OPTIONS })).digest('hex');
}

/** The schema compiled by ajv now (also what the build writes out as code). */
export function compileValidator(extra: { code?: { source: boolean } } = {}): { ajv: AjvClass; validate: ValidateFunction } {
  const { Ajv } = require('ajv') as { Ajv: typeof AjvClass };
  const ajv = new Ajv({ ...AJV_OPTIONS, ...extra });
  return { ajv, validate: ajv.compile(configSchema) };
}

let compiled: ValidateFunction | undefined;
export function validator(): ValidateFunction {
  if (!compiled) {
    let built: (ValidateFunction & { schemaHash?: string }) | undefined;
    try {
      built = require(PRECOMPILED_VALIDATOR) as ValidateFunction & { schemaHash?: string };
    } catch {
      // not built (running from the sources, or a build without it)
    }
    compiled = built && built.schemaHash === validatorHash() ? built : compileValidator().validate;
  }
  return compiled;
}
