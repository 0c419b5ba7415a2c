// Where the TypeScript compiler's command is: typescript's bin/tsc (TypeScript 7 does not export
// that path, so it is found beside the package's package.json). For build.mjs and mutants.mjs.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const tscPath = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
