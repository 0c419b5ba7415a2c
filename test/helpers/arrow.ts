// apache-arrow for the tests, from the single-file build its package ships (the build
// src/pipeline/runtime/arrow.ts loads; same release, same code): the package's ESM entry is
// about 150 modules and costs about 0.2 CPU-s to import in every test process that reads a chunk
// file. Types come from the package's declarations (import type ... from 'apache-arrow').
import { createRequire } from 'node:module';

const arrow = createRequire(import.meta.url)('apache-arrow/Arrow.esnext.min') as typeof import('apache-arrow');

export const { Table, Schema, makeVector, tableFromIPC, tableToIPC } = arrow;
