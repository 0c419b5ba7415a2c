// Preloaded (node --import) into the `ergo` CLI processes the bench times: at exit,
// writes the process's peak RSS in kB (all threads) to $ERGO_BENCH_RSS_FILE.
// Used when /usr/bin/time is not available.
import { writeFileSync } from 'node:fs';

const file = process.env['ERGO_BENCH_RSS_FILE'];
if (file) {
  process.on('exit', () => {
    try {
      writeFileSync(file, String(process.resourceUsage().maxRSS));
    } catch {
      // best effort: the row then shows no RSS
    }
  });
}
