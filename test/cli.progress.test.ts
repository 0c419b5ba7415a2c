// Progress output: a live bar (counts, rate, ETA) on a terminal, plain periodic log lines
// otherwise. Here in-process, with bar mode forced (ERGO_PROGRESS=bar); the CLI under a real
// pseudo-terminal (util-linux `script`) is test/e2e/progress-tty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ergo, NO_FIGURES } from './helpers/cli.js';
import { createProgress } from '../src/cli/progress.js';
import { TOTAL, BAR, ANSI, setup } from './helpers/progress.js';


test('ERGO_PROGRESS=bar forces the bar even when stderr is a pipe', async () => {
  const { cfg, out } = setup();
  const r = await ergo(['run', cfg, '--out', out, ...NO_FIGURES, '--workers', '1'], { env: { ERGO_PROGRESS: 'bar', ERGO_TEST_CHUNK_DELAY_MS: '150' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, BAR);
  assert.match(r.stderr, new RegExp(`\\| ${TOTAL}/${TOTAL} chunks \\| [\\d.]+ chunks/s \\| ETA \\S+`));
});

test('without a terminal: plain log lines with count, percentage, rate, elapsed and ETA; no bar, no escapes', async () => {
  const { cfg, out } = setup();
  const r = await ergo(['run', cfg, '--out', out, ...NO_FIGURES, '--workers', '1'], { env: { ERGO_PROGRESS: 'log', ERGO_LOG_INTERVAL: '0' } });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, BAR);
  assert.doesNotMatch(r.stderr, ANSI);
  assert.match(r.stderr, new RegExp(`^\\[ergo\\] progress: ${TOTAL} chunks, 0 already done, ${TOTAL} to compute$`, 'm'));
  const lines = r.stderr.split('\n').filter((l) => /chunks \(\d+%\)/.test(l));
  // Interval 0: one line per finished chunk, in order.
  assert.equal(lines.length, TOTAL, r.stderr);
  lines.forEach((l, i) => {
    const pct = Math.floor((100 * (i + 1)) / TOTAL);
    assert.match(l, new RegExp(`^\\[ergo\\] progress: ${i + 1}/${TOTAL} chunks \\(${pct}%\\), [\\d.]+ chunks/s, elapsed \\d+ s, ETA (\\d+ s|\\d+ min|[\\d.]+ h|\\?)$`));
  });
  assert.match(lines.at(-1)!, /ETA 0 s$/);
});

test('log lines are periodic: none between intervals, always the final one', async (t) => {
  const lines: string[] = [];
  let now = 1_000_000;
  t.mock.method(Date, 'now', () => now);
  const p = createProgress('job', { tty: false, intervalSeconds: 10, write: (l) => lines.push(l) });
  p.onEvent({ type: 'start', total: 100, done: 20, toCompute: 80 });
  for (let done = 21; done <= 100; done++) {
    now += 1000; // one chunk per second
    p.onEvent({ type: 'chunk', id: `c${done}`, done, total: 100 });
  }
  p.stop();
  assert.equal(lines[0], '[ergo] job: 100 chunks, 20 already done, 80 to compute');
  const progress = lines.slice(1);
  // 80 s of chunks, a line every 10 s: at 10, 20, ..., 80 s (the last is also the final one).
  assert.equal(progress.length, 8, progress.join('\n'));
  // After 10 s at 1 chunk/s: 30/100 done, 70 left -> ETA 70 s; the rate counts only this run's chunks.
  assert.equal(progress[0], '[ergo] job: 30/100 chunks (30%), 1.00 chunks/s, elapsed 10 s, ETA 70 s');
  assert.equal(progress.at(-1), '[ergo] job: 100/100 chunks (100%), 1.00 chunks/s, elapsed 80 s, ETA 0 s');
});

test('quiet: progress and retries are hidden; notes (recomputed, reused, stale lock) and failures are still reported', async () => {
  const lines: string[] = [];
  const p = createProgress('job', { tty: false, quiet: true, write: (l) => lines.push(l) });
  p.onEvent({ type: 'start', total: 2, done: 0, toCompute: 2 });
  p.onEvent({ type: 'chunk', id: 'a', done: 1, total: 2 });
  p.onEvent({ type: 'retry', id: 'b', attempt: 1, error: 'boom' });
  p.onEvent({ type: 'note', message: 'took over a stale lock of pid 1' });
  p.onEvent({ type: 'failed', id: 'b', error: 'boom' });
  p.stop();
  assert.deepEqual(lines, ['[ergo] took over a stale lock of pid 1', '[ergo] chunk b FAILED: boom']);
});
