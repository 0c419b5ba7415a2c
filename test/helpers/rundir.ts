// Test helper: the files of a run directory's sub-folder (chunks/, results/, plots/) by name,
// for byte-for-byte comparisons between runs. Dot-files (temporaries, locks) and
// results/report.html are left out: the page states the run's own dates (provenance).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function runFiles(dir: string, sub: string): Map<string, Buffer> {
  const d = join(dir, sub);
  return new Map(readdirSync(d).filter((f) => !f.startsWith('.') && f !== 'report.html').sort().map((f) => [f, readFileSync(join(d, f))]));
}
