// The examples of docs/library.md, compiled with the tests and run by
// test/docs.library.test.ts (which also checks that the docs show exactly this code, with
// 'ergo' for the import path). Run from a scratch directory holding model.safetensors.

// docs:begin own-matrices
import { createStream, gaussianLayerMatrix, cpseFromWeights } from '../../src/index.js';

// Four layers A (n x m, row-major Float64Array), here Gaussian-initialised.
const stream = createStream(2024);
const layers = [64, 48, 32, 16].map((n) => ({ rows: n, cols: 100, data: gaussianLayerMatrix(n, 100, stream) }));
const own = cpseFromWeights(layers, { semantics: 'definition', bins: 10 });
console.log(own.cpse, own.dLayers); // cPSE and d_layers at depths 2 and 3
// docs:end

// docs:begin weights-file
import { openWeights, layerMatrices, cpseFromEigenvalues, layerEigenvalues } from '../../src/index.js';

const source = await openWeights('model.safetensors'); // format detected from the content
const found = layerMatrices(source, { exclude: /bias/ });
const spectra = [];
for (const layer of found) {
  spectra.push(layerEigenvalues(await layer.matrix())); // decoded to float64 only now, one layer at a time
}
const fromFile = cpseFromEigenvalues(spectra);
console.log(found.map((l) => `${l.name} ${l.rows}x${l.cols}`), fromFile.cpse);
// docs:end

// docs:begin sweep
import { parseConfig, runExperiment } from '../../src/index.js';

const config = parseConfig(
  ['name: demo', 'method: spectral', 'ensembles: [CUE, COE]', 'sizes: [16, 32]', 'matrices: 8', 'chunk: 4'].join('\n'),
  'demo.yaml', // used in error messages only
);
const run = await runExperiment(config, { outDir: 'runs/demo', workers: 0 });
console.log(run.summary.computed, 'chunks computed; results in', run.files);
if (run.report?.experiment === 'spectral-ergodicity') {
  for (const s of run.report.series) console.log(s.label, s.dse.map((d) => d.log10Dse));
}
// docs:end

export const results = { own, fromFile, run };
