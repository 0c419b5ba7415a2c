// The ergo command line with test hooks, for tests that must slow chunks down (to kill or
// interrupt a run mid-sweep on any machine speed) or make chunks fail. The hooks are
// runExperiment options; this launcher (test code only) builds them from its environment:
//   ERGO_TEST_CHUNK_DELAY_MS=<ms>          wait this long before each chunk attempt;
//   ERGO_TEST_FAIL_CHUNK=<id>[:<k>][,...]  chunk <id> throws on its first k attempts (every attempt without :k).
import { runCli } from '../../src/cli/main.js';
import type { SweepHooks } from '../../src/pipeline/runtime/schedule.js';

function hooksFromEnv(env: NodeJS.ProcessEnv): SweepHooks {
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

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, hooks: hooksFromEnv(process.env) });
