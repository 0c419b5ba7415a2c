// Test hooks for CLI runs, from ERGO_TEST_* variables: for tests that must slow chunks down
// (to kill or interrupt a run mid-sweep on any machine speed) or make chunks fail. Used by
// helpers/hooked-cli.ts (a launched process) and by ergo() in helpers/cli.ts (in-process).
//   ERGO_TEST_CHUNK_DELAY_MS=<ms>          wait this long before each chunk attempt;
//   ERGO_TEST_FAIL_CHUNK=<id>[:<k>][,...]  chunk <id> throws on its first k attempts (every attempt without :k).
import type { SweepHooks } from '../../src/pipeline/runtime/schedule.js';

export function hooksFromEnv(env: NodeJS.ProcessEnv): SweepHooks | undefined {
  if (!Object.keys(env).some((k) => k.startsWith('ERGO_TEST_'))) return undefined;
  const delay = Number(env.ERGO_TEST_CHUNK_DELAY_MS ?? 0);
  const fails = (env.ERGO_TEST_FAIL_CHUNK ?? '').split(',').filter(Boolean).map((spec) => spec.trim().split(':'));
  return {
    beforeChunk: async (id, attempt) => {
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      for (const [failId, times] of fails) {
        if (failId === id && (times === undefined || attempt <= Number(times))) throw new Error(`injected failure (test hook) on attempt ${attempt}`);
      }
    },
  };
}
