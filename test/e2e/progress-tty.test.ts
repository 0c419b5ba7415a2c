// Progress under a real pseudo-terminal (util-linux `script`): the CLI sees a terminal by
// itself and draws a live bar (counts, rate, ETA) that redraws in place, no log lines.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hookedCliPath, repoRoot } from '../helpers/cli.js';
import { testNeeding, scriptMissing } from '../helpers/resources.js';
import { TOTAL, BAR, ANSI, setup } from '../helpers/progress.js';


testNeeding(scriptMissing(), 'under a pseudo-terminal (util-linux script) the run draws a bar with counts, rate and ETA', {}, () => {
  const { cfg, out } = setup();
  const env: NodeJS.ProcessEnv = { ...process.env, ERGO_TEST_CHUNK_DELAY_MS: '150' };
  delete env.ERGO_PROGRESS; // let the CLI see the terminal by itself
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const cmd = [process.execPath, hookedCliPath, 'run', cfg, '--out', out, '--workers', '1'].map(quote).join(' ');
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: repoRoot, env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const tty = r.stdout; // script copies everything written to the terminal to its stdout
  assert.match(tty, BAR, `bar characters in:\n${tty}`);
  assert.match(tty, new RegExp(`progress \\|[\\u2588\\u2591]+\\| \\d+/${TOTAL} chunks \\| [\\d.]+ chunks/s \\| ETA \\S+`));
  assert.match(tty, new RegExp(`\\| ${TOTAL}/${TOTAL} chunks`), 'the bar reaches the end');
  assert.match(tty, ANSI, 'terminal control sequences (the bar redraws in place)');
  assert.doesNotMatch(tty, /\d+\/8 chunks \(\d+%\)/, 'no log lines on a terminal');
});

