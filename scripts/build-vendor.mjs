#!/usr/bin/env node
// One-file bundles of dependencies that Node would otherwise load as dozens of small modules, in
// dist/vendor/. Loading many small files costs more than parsing one (a path resolution, stat
// calls and a compilation each); measured on the 2-core CI machine, CPU time to load:
//   vega.js         vega + vega-lite (about 270 modules, most of them d3): 0.30 s -> 0.15 s,
//                   in every process that draws a figure (src/pipeline/report/plot/render.ts);
//   yaml.cjs        yaml (72 modules): 80 ms -> 13 ms, in every process that reads a config or
//                   writes a report;
//   cli-progress.cjs  cli-progress and its string-width helpers (21 modules): 21 ms -> 4 ms, in
//                   every `ergo` command that draws a progress bar.
// (Both loaded by src/pipeline/vendor.ts.)
// Each bundle is the installed package's own code, unchanged. The loaders fall back to the
// packages when a bundle is missing (no esbuild: an install without devDependencies, or running
// from the sources). Run by `npm run build:vendor` (part of `build`). A stamp beside each output
// (the installed versions of esbuild and of every package it can contain) skips a bundle when
// nothing changed.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { upToDate, writeStamp } from './stamp.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modules = join(root, 'node_modules');

const BUNDLES = [
  {
    outFile: 'dist/vendor/vega.js',
    contents: "export * as vega from 'vega';\nexport * as vegaLite from 'vega-lite';\n",
    format: 'esm',
    packages: /^(vega|d3)/,
    // vega-canvas tries the optional `canvas` package; ergo renders SVG without it.
    external: ['canvas'],
  },
  { outFile: 'dist/vendor/yaml.cjs', contents: "module.exports = require('yaml');\n", format: 'cjs', packages: /^yaml$/ },
  {
    outFile: 'dist/vendor/cli-progress.cjs',
    contents: "module.exports = require('cli-progress');\n",
    format: 'cjs',
    packages: /^(cli-progress|string-width|strip-ansi|ansi-regex|is-fullwidth-code-point|emoji-regex)$/,
  },
];

/** The installed versions of esbuild and of every package matching `packages`: any upgrade rebuilds. */
function digestOf(packages) {
  const hash = createHash('sha256');
  for (const name of readdirSync(modules).filter((n) => packages.test(n) || n === 'esbuild').sort()) {
    try {
      hash.update(`${name}@${JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8')).version}\n`);
    } catch {
      // not a package folder
    }
  }
  return hash.digest('hex');
}

const todo = BUNDLES.map((b) => ({ ...b, digest: digestOf(b.packages) })).filter((b) => !upToDate(join(root, b.outFile), b.digest));
if (todo.length === 0) process.exit(0);

let esbuild;
try {
  esbuild = await import('esbuild');
} catch (err) {
  console.warn(`build-vendor: esbuild not available (${err.message}); the packages will be loaded directly`);
  process.exit(0);
}
await Promise.all(
  todo.map(async (b) => {
    const outFile = join(root, b.outFile);
    mkdirSync(dirname(outFile), { recursive: true });
    await esbuild.build({
      stdin: { contents: b.contents, resolveDir: root, loader: 'js' },
      bundle: true,
      format: b.format,
      platform: 'node',
      target: 'node20',
      external: b.external ?? [],
      legalComments: 'eof',
      logLevel: 'warning',
      outfile: outFile,
    });
    writeStamp(outFile, b.digest);
  }),
);
