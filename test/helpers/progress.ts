// Test helper for the progress-display tests (in-process and on a terminal): a tiny sweep
// of 1 ensemble x 2 sizes x 4 chunks = 8 chunks, and what a drawn bar looks like.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './cli.js';

export const CONFIG = `name: progress
seed: 3
method: spectral
ensembles: [CUE]
sizes: [16, 24]
matrices: 8
chunk: 2
`;
export const TOTAL = 8;
// The characters of cli-progress' shades_classic preset (complete / incomplete).
export const BAR = /[\u2588\u2591]{10,}/;
export const ANSI = /\x1b\[/;

/** The config written to a fresh folder, and a run directory beside it. */
export function setup(): { cfg: string; out: string } {
  const dir = tempDir();
  const cfg = join(dir, 'p.yaml');
  writeFileSync(cfg, CONFIG);
  return { cfg, out: join(dir, 'out') };
}
