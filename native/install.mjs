#!/usr/bin/env node
// Builds the addon with node-gyp at install time. Never fails the install: ergo runs
// without it (WebAssembly or TypeScript kernels). ERGO_NATIVE=0 skips the build.
// Needs a C compiler, make, python3 and the BLAS/LAPACK development files
// (Debian: build-essential python3 libopenblas-dev liblapacke-dev).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const note = (msg) => console.warn(`ergo-native: ${msg}; ergo will use its WebAssembly/TypeScript kernels`);

if (process.env.ERGO_NATIVE === '0') {
  note('build skipped (ERGO_NATIVE=0)');
  process.exit(0);
}

// node-gyp: the one npm runs scripts with, else npm's bundled copy, else one on the path.
function nodeGyp() {
  const env = process.env.npm_config_node_gyp;
  if (env && existsSync(env)) return [process.execPath, env];
  const npmDir = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (existsSync(npmDir)) return [process.execPath, npmDir];
  try {
    return [process.execPath, createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js')];
  } catch {
    return ['node-gyp'];
  }
}

// Use the headers installed with Node when present (no download from nodejs.org).
const args = ['rebuild'];
const prefix = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);

const [cmd, ...pre] = nodeGyp();
const r = spawnSync(cmd, [...pre, ...args], { cwd: here, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (r.status !== 0) {
  const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').filter((l) => /error|not found|No such/i.test(l)).slice(-3).join(' | ');
  note(`build failed (${r.error?.message ?? tail ?? `exit ${r.status}`})`);
  process.exit(0);
}
try {
  createRequire(import.meta.url)('./index.cjs');
  console.log('ergo-native: built and loaded');
} catch (err) {
  note(`built but does not load (${err.message.split('\n')[0]})`);
}
