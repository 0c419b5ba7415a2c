#!/usr/bin/env node
// `npm run build`: the TypeScript build (tsc -b, then the config validator written from its
// output) and the WebAssembly kernels (then the vendor bundles: vega, yaml, cli-progress) as two
// concurrent chains; neither needs the other's output. From scratch on two cores: tsc
// (TypeScript 7, native code) about 2.5 s, the WebAssembly build about 4.5 s, the bundles about
// 1.5 s; about 7 s in all (a third chain for the bundles measured no faster: the build is
// CPU-bound). The steps are the commands of the build:* scripts, which still work alone. Exits
// with the first failing step's status; the other chain is left to finish (its output stays
// valid).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tscPath as tsc } from './tsc.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

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
