// Preloaded (node --import) into the `ergo` CLI processes the bench times when
// /usr/bin/time is not available: at exit, the main thread writes the process's
// peak RSS in kB (all threads) to $ERGO_BENCH_RSS_FILE. Plain JavaScript so
// that worker threads, which inherit the --import, load it without a TS loader.
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env.ERGO_BENCH_RSS_FILE;
if (file && isMainThread) {
  process.on('exit', () => {
    try {
      writeFileSync(file, String(process.resourceUsage().maxRSS));
    } catch {
      // best effort: the row then shows no RSS
    }
  });
}
