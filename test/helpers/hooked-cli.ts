// The ergo command line with test hooks (helpers/hooks.ts: ERGO_TEST_CHUNK_DELAY_MS,
// ERGO_TEST_FAIL_CHUNK), for end-to-end tests that launch it as a process and kill it.
import { runCli } from '../../src/cli/main.js';
import { hooksFromEnv } from './hooks.js';

const hooks = hooksFromEnv(process.env);
process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, interrupt: 'process', ...(hooks ? { hooks } : {}) });
