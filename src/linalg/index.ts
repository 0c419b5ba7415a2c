export * from './types.js';
export { tridiagonalEigenvalues } from './tridiagonal.js';
export { symmetricTridiagonalize, symmetricEigenvalues, type Tridiagonal } from './symmetric.js';
export { gram, gramT } from './gram.js';
export {
  complexMatmul,
  complexTransposeMatmul,
  conjugateTranspose,
  complexQR,
  multiplyColumnPhases,
  type ComplexQR,
} from './complex.js';
export {
  hermitianTridiagonalize,
  hermitianEigenvalues,
  hermitianEigen,
  type HermitianEigen,
} from './hermitian.js';
export { unitaryEigenphases, unitarityError } from './unitary.js';
export { complexEigenvalues } from './general.js';
export { hypot } from './hypot.js';
export { activeBackend, availableBackends, backendUnavailableReason, deterministicBackend, withBackend, BackendError, BACKENDS, type Backend } from './backend.js';
