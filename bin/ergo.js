#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `npm install`/`npm ci` via prepare).
import { existsSync } from 'node:fs';
import module from 'node:module';
// V8's code cache for the modules loaded at start-up, kept on disk across runs: Node >= 22.1
// only (Node 20 has no such switch, and runs without it).
module.enableCompileCache?.();
const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('ergo: not built yet; run `npm run build` (or `npm ci`) in the ergo folder first.');
  process.exit(2);
}
const { runCli } = await import(entry.href);
process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, interrupt: 'process' });
