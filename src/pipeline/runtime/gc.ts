// A full garbage collection after each layer matrix (hundreds of MB for an LLM layer): the
// matrix lives in external memory, which V8's heuristics keep, dead, while the next layer is
// loaded. Collecting after each one keeps a network run at one layer per thread (the planner
// hashing layers on the main thread, each worker computing them; docs/performance.md).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (() => void) | undefined;

export function collectGarbage(): void {
  gc?.();
}
