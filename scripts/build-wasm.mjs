#!/usr/bin/env node
// Compiles the AssemblyScript kernels (src/linalg/wasm/assembly/index.ts and
// cmv.ts, both entry files: their exports are the module's) to
// dist/wasm/ergo-kernels.wasm. Run by `npm run build:wasm` (part of `build`).
// If the AssemblyScript compiler is not installed (e.g. production install
// without devDependencies) this prints a note and exits 0: the library then
// falls back to its TypeScript kernels at run time.
// A stamp beside the output (SHA-256 of the kernel sources, the compiler's version and the
// options) skips the compilation when nothing changed: `npm test` builds before every run.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { upToDate, writeStamp } from './stamp.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entries = ['index.ts', 'cmv.ts'].map((f) => join(root, 'src/linalg/wasm/assembly', f));
const outDir = join(root, 'dist/wasm');
const outFile = join(outDir, 'ergo-kernels.wasm');

const options = [
  '--outFile', outFile,
  '--enable', 'simd',
  '--runtime', 'stub',
  '--optimizeLevel', '3',
  '--shrinkLevel', '0',
  '--noAssert',
  // no imports at all: abort() would otherwise be imported from the host
  '--use', 'abort=',
];
const assemblyDir = join(root, 'src/linalg/wasm/assembly');
const hash = createHash('sha256');
let compiler = 'none';
try {
  compiler = readFileSync(join(root, 'node_modules/assemblyscript/package.json'), 'utf8');
} catch {
  // not installed: the import below says so
}
hash.update(JSON.stringify({ compiler, options }));
for (const f of readdirSync(assemblyDir).sort()) hash.update(f).update(readFileSync(join(assemblyDir, f)));
const digest = hash.digest('hex');
if (upToDate(outFile, digest)) process.exit(0);

let asc;
try {
  asc = (await import('assemblyscript/asc')).default;
} catch (err) {
  console.warn(`build-wasm: AssemblyScript compiler not available (${err.message}); skipping the WebAssembly kernels`);
  process.exit(0);
}

mkdirSync(outDir, { recursive: true });
const { error, stderr } = await asc.main(
  [...entries, ...options],
  { readFile: (name, baseDir) => { try { return readFileSync(join(baseDir, name), 'utf8'); } catch { return null; } } },
);
if (error) {
  console.error(stderr.toString());
  console.error(`build-wasm: compilation failed: ${error.message}`);
  process.exit(1);
}
writeStamp(outFile, digest);
console.log(`build-wasm: wrote ${outFile}`);
