import { parseConfig } from '/work/main/dist/src/pipeline/config/load.js';
import { runExperiment } from '/work/main/dist/src/pipeline/experiments/index.js';
import { mkdtempSync } from 'node:fs';
const yaml = 'name: t\nseed: 1\nensembles: [CUE]\nsizes: [8]\nmatrices: 4\nchunk: 2\n';
await runExperiment(parseConfig(yaml, 't.yaml'), { outDir: mkdtempSync('/tmp/pool-'), writeOutputs: false, workers: 1 });
