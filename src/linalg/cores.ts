// How many dense layer computations (gram, symmetric eigenvalues) are running in this
// process right now, over all threads: a counter in a SharedArrayBuffer handed to worker
// threads through their environment data (cloned by reference when a worker starts), so
// pool workers see each other. Used to share the cores without oversubscribing them: the
// native backend's BLAS thread count (./native.ts) and the two-thread Gram (./gramsplit.ts).
import { getEnvironmentData, setEnvironmentData } from 'node:worker_threads';

/**
 * One Int32 shared by every thread of the process under `key`: the buffer a worker inherits
 * through its environment data, or a new one published there (so workers started later see it).
 */
export function processSharedInt32(key: string): Int32Array {
  const inherited = getEnvironmentData(key);
  if (inherited instanceof SharedArrayBuffer) return new Int32Array(inherited);
  const sab = new SharedArrayBuffer(4);
  setEnvironmentData(key, sab);
  return new Int32Array(sab);
}

const counter: Int32Array = processSharedInt32('ergo.linalg.inflight');

/** Computations in flight in the process (the caller's own included once it is inside computing()). */
export function inFlight(): number {
  return Math.max(1, Atomics.load(counter, 0));
}

/** Runs fn counted as one computation in flight. */
export function computing<T>(fn: () => T): T {
  Atomics.add(counter, 0, 1);
  try {
    return fn();
  } finally {
    Atomics.sub(counter, 0, 1);
  }
}
