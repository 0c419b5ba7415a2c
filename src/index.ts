// Public library entry: what a library user needs, named explicitly (docs/library.md shows
// each in use). Internals (kernels' helpers, the runtime's pieces) stay unexported.

// Errors: every mistake the user can fix is a UserError (bad file, flag, YAML, no layers).
export { UserError } from './errors.js';

// Random streams and seeds.
export { createStream, type RandomStream } from './rng/index.js';
export { deriveSeed, chunkSeed } from './rng/index.js';

// Dense kernels on Float64Array.
export { symmetricEigenvalues, hermitianEigenvalues, unitaryEigenphases, gram, complexQR, NonFiniteInputError } from './linalg/index.js';
export type { ComplexMatrix } from './linalg/types.js';

// Circular ensembles and samplers.
export {
  sampleEigenphases,
  sampleCUE,
  sampleCOE,
  sampleCSE,
  circularBetaEigenphases,
  circularMixedLayer,
  gaussianLayerMatrix,
  mixedOrders,
  ENSEMBLES,
  METHODS,
  type EnsembleName,
  type Method,
  type DenseMethod,
} from './ensembles/index.js';

// Spectral measures.
export { SEMANTICS, type Semantics } from './spectral/semantics.js';
export { thirumalaiMountain, type ErgodicityOptions } from './spectral/ergodicity.js';
export { klSymmetric } from './spectral/kl.js';
export { approachSE, approachSEFromSpectra } from './spectral/dse.js';
export { cpseFromEigenvalues, cpseFromWeights, cpseVanilla, layerEigenvalues, type RealMatrix, type CpseOptions, type CpseResult } from './spectral/pse.js';
export { circularSpectralDifference, pooledDensity, csdOverCircularDraws } from './spectral/csd.js';
export { equivalenceTable } from './spectral/equivalence.js';

// Weight readers.
export { openWeights, layerMatrices, WeightsError } from './weights/index.js';
export { WEIGHTS_FORMATS, type WeightsFormat } from './weights/formats.js';
export type { WeightSource, LayerInfo } from './weights/types.js';

// Experiments: configs, runs and their reports.
export { parseConfig, loadConfig, ConfigError, type RunConfig, type ErgodicityConfig, type CpseConfig, type CsdConfig, type MmeConfig } from './pipeline/config/index.js';
export { runExperiment, type ExperimentOptions, type ExperimentResult, type ExperimentReport } from './pipeline/experiments/index.js';
export { mmeReport, type MmeOptions } from './pipeline/experiments/mme.js';
export { createExecutor, InlineExecutor, PoolExecutor, type Executor } from './pipeline/runtime/executor.js';
export { openDataset, readChunk, type Dataset } from './pipeline/runtime/dataset.js';
export type { RunEvent, RunSummary } from './pipeline/runtime/events.js';
