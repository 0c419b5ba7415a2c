// Test helper: the files of a run directory's sub-folder (chunks/, results/, plots/) by name,
// for byte-for-byte comparisons between runs. Dot-files (temporaries, locks) and
// results/report.html are left out: the page states the run's own dates (provenance).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export function runFiles(dir: string, sub: string): Map<string, Buffer> {
  const d = join(dir, sub);
  return new Map(readdirSync(d).filter((f) => !f.startsWith('.') && f !== 'report.html').sort().map((f) => [f, readFileSync(join(d, f))]));
}

/** Every .arrow file under dir (relative path -> inode and mtime), to see what a rerun rewrote. */
export function arrowFiles(dir: string): Map<string, { ino: number; mtimeMs: number }> {
  const out = new Map<string, { ino: number; mtimeMs: number }>();
  if (!existsSync(dir)) return out;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.arrow')) {
        const st = statSync(p);
        out.set(relative(dir, p), { ino: st.ino, mtimeMs: st.mtimeMs });
      }
    }
  };
  walk(dir);
  return out;
}
