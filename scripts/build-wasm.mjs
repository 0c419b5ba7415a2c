#!/usr/bin/env node
// Compiles the AssemblyScript kernels (src/linalg/wasm/assembly/index.ts and
// cmv.ts, both entry files: their exports are the module's) to
// dist/wasm/ergo-kernels.wasm. Run by `npm run build:wasm` (part of `build`).
// If the AssemblyScript compiler is not installed (e.g. production install
// without devDependencies) this prints a note and exits 0: the library then
// falls back to its TypeScript kernels at run time.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entries = ['index.ts', 'cmv.ts'].map((f) => join(root, 'src/linalg/wasm/assembly', f));
const outDir = join(root, 'dist/wasm');
const outFile = join(outDir, 'ergo-kernels.wasm');

let asc;
try {
  asc = (await import('assemblyscript/asc')).default;
} catch (err) {
  console.warn(`build-wasm: AssemblyScript compiler not available (${err.message}); skipping the WebAssembly kernels`);
  process.exit(0);
}

mkdirSync(outDir, { recursive: true });
const { error, stderr } = await asc.main(
  [
    ...entries,
    '--outFile', outFile,
    '--enable', 'simd',
    '--runtime', 'stub',
    '--optimizeLevel', '3',
    '--shrinkLevel', '0',
    '--noAssert',
    // no imports at all: abort() would otherwise be imported from the host
    '--use', 'abort=',
  ],
  { readFile: (name, baseDir) => { try { return readFileSync(join(baseDir, name), 'utf8'); } catch { return null; } } },
);
if (error) {
  console.error(stderr.toString());
  console.error(`build-wasm: compilation failed: ${error.message}`);
  process.exit(1);
}
console.log(`build-wasm: wrote ${outFile}`);
