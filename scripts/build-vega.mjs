#!/usr/bin/env node
// Bundles vega and vega-lite into one ES module, dist/vendor/vega.js, which the plot renderer
// (src/pipeline/report/plot/render.ts) loads instead of the packages. The two packages are
// about 270 modules (most of them d3); Node imports them in about 0.30 s, the bundle of the
// same installed code in about 0.15 s, in every process that draws a figure. Run by
// `npm run build:vega` (part of `build`). Without esbuild (an install without
// devDependencies) this prints a note and exits 0: the renderer then imports the packages.
// A stamp beside the output (the installed versions of esbuild and of every bundled package)
// skips the build when nothing changed.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { upToDate, writeStamp } from './stamp.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outFile = join(root, 'dist/vendor/vega.js');
const modules = join(root, 'node_modules');

// Every installed package the bundle can contain, with its version: any upgrade rebuilds it.
const hash = createHash('sha256');
for (const name of readdirSync(modules).filter((n) => /^(vega|d3|esbuild$)/.test(n)).sort()) {
  try {
    hash.update(`${name}@${JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8')).version}\n`);
  } catch {
    // not a package folder
  }
}
const digest = hash.digest('hex');
if (upToDate(outFile, digest)) process.exit(0);

let esbuild;
try {
  esbuild = await import('esbuild');
} catch (err) {
  console.warn(`build-vega: esbuild not available (${err.message}); figures will import vega and vega-lite directly`);
  process.exit(0);
}
mkdirSync(dirname(outFile), { recursive: true });
await esbuild.build({
  stdin: { contents: "export * as vega from 'vega';\nexport * as vegaLite from 'vega-lite';\n", resolveDir: root, loader: 'js' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // vega-canvas tries the optional `canvas` package; ergo renders SVG without it.
  external: ['canvas'],
  legalComments: 'eof',
  logLevel: 'warning',
  outfile: outFile,
});
writeStamp(outFile, digest);
