#!/usr/bin/env node
// `npm run build`: the TypeScript build (tsc -b, then the config validator written from its
// output) and the WebAssembly kernels (then the vendor bundles: vega, yaml, cli-progress) as two concurrent chains. tsc
// runs on one core for about 12 s from scratch; the WebAssembly build (about 4 s) and the
// bundle need nothing from it, so on two cores they finish in its shadow. The steps are the
// commands of the build:* scripts, which still work alone. Exits with the first failing
// step's status; the other chain is left to finish (its output stays valid).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** One step as a child process with inherited output; resolves to its exit status. */
function step(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
    child.on('error', (e) => {
      console.error(`build: ${args.join(' ')}: ${e.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** Steps one after another; stops at the first failure. */
async function chain(steps) {
  for (const args of steps) {
    const status = await step(args);
    if (status !== 0) return status;
  }
  return 0;
}

const statuses = await Promise.all([
  chain([[tsc, '-b', 'tsconfig.json'], ['scripts/build-schema.mjs']]),
  chain([['scripts/build-wasm.mjs'], ['scripts/build-vendor.mjs']]),
]);
process.exitCode = statuses.find((s) => s !== 0) ?? 0;
