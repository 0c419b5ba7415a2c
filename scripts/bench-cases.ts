// Case descriptions shared by the bench driver (bench.ts) and its child process (bench-child.ts).
// Each case runs in its own child process so that its peak RSS is its own.

/** ts / wasm / native: the kernels called directly; wasm-split: gram() on the wasm backend (big products on two threads). */
export type Impl = 'ts' | 'wasm' | 'native' | 'wasm-split';

export type ErgoCase =
  /** Eigenvalues of a random symmetric n x n matrix. */
  | { kind: 'symeig'; impl: Impl; n: number; reps: number; warm: number }
  /** X = A A^T for a Gaussian n x m matrix A. */
  | { kind: 'gram'; impl: Impl; n: number; m: number; reps: number; warm: number }
  /** `count` Haar unitaries and their eigenphases by the qr route (sampleEigenphases('CUE', 'qr', ...)). */
  | { kind: 'haar'; n: number; count: number; reps: number; warm: number }
  /**
   * `count` CUE eigenphase sets by the exact `spectral` (CMV) sampler. With `budget` (seconds):
   * one matrix per call, stopping once the budget is spent, and the time scaled to `count`.
   */
  | { kind: 'spectral'; n: number; count: number; reps: number; warm: number; budget?: number }
  /** `problems` independent layer chunks (eigenvalues of A A^T, A n x n) on a PoolExecutor of `workers`. */
  | { kind: 'throughput'; n: number; problems: number; workers: number; reps: number; warm: number }
  /** One Gaussian n x m layer through a one-worker PoolExecutor, as `ergo cpse` runs a layer. */
  | { kind: 'vgg'; n: number; m: number; reps: number; warm: number };

/** What the child prints on stdout, on one line after RESULT_MARKER. */
export interface ChildResult {
  times?: number[];
  error?: string;
  /** process.resourceUsage().maxRSS at the end, kB. */
  maxRssKB: number;
  note?: string;
}

export const RESULT_MARKER = 'BENCH_RESULT ';
