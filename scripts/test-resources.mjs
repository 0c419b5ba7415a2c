#!/usr/bin/env node
// Checks, before a strict test run (ERGO_STRICT=1, .ci/run), that everything the
// resource-gated tests need is here, and fetches the models once:
//   - python3 on PATH with a working numpy (numpy cross-checks, committed fixture scripts);
//   - util-linux `script` (the pseudo-terminal progress-bar test);
//   - strace (the security test that watches which files the ergo process opens);
//   - chromium (the headless browser test of the HTML report, test/report.browser.test.ts);
//   - redis-server (the distributed-run tests start their own, on free loopback ports);
//   - the real networks of scripts/fetch-models.mjs (one attempt, no retries).
// Prints `ok: ...` per resource; on the first one missing, prints one line saying what is
// missing and how to get it, and exits 1.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function fail(what) {
  process.stderr.write(`test resources: ${what}\n`);
  process.exit(1);
}

const py = spawnSync('python3', ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' });
if (py.error) fail(`python3 is not on PATH (${py.error.code ?? py.error.message}); install python3 and numpy`);
if (py.status !== 0) fail(`python3 has no working numpy (${py.stderr.trim().split('\n').at(-1)}); pip install numpy`);
process.stdout.write(`ok: python3 with numpy ${py.stdout.trim()}\n`);

const sc = spawnSync('script', ['--version'], { encoding: 'utf8' });
if (sc.error || sc.status !== 0) fail('util-linux `script` is not installed (apt-get install util-linux)');
process.stdout.write('ok: util-linux script\n');

const st = spawnSync('strace', ['-V'], { encoding: 'utf8' });
if (st.error || st.status !== 0) fail('strace is not installed (apt-get install strace)');
process.stdout.write('ok: strace\n');

const chromium = process.env.ERGO_CHROMIUM ?? '/usr/bin/chromium';
const cr = spawnSync(chromium, ['--version'], { encoding: 'utf8', timeout: 60_000 });
if (cr.error || cr.status !== 0) fail(`chromium is not usable at ${chromium} (apt-get install chromium, or set ERGO_CHROMIUM); the report's browser test needs it`);
process.stdout.write(`ok: ${cr.stdout.trim()}\n`);

const rs = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
if (rs.error || rs.status !== 0) fail('redis-server is not installed (apt-get install redis-server)');
process.stdout.write('ok: redis-server\n');

const fm = spawnSync(process.execPath, [join(root, 'scripts', 'fetch-models.mjs'), '--quiet'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
if (fm.status !== 0) fail(`models not available: ${fm.stderr.trim().split('\n').at(-1) || `fetch-models exited with ${fm.status ?? fm.signal}`}`);
process.stdout.write('ok: models fetched and verified\n');
