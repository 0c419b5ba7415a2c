// The design's layering: each folder of src/ imports only from the folders before it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { repoRoot } from './helpers/cli.js';

const ORDER = ['rng', 'linalg', 'ensembles', 'spectral', 'weights', 'pipeline', 'cli'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'assembly' ? [] : sources(p); // AssemblyScript: no imports of ours
    return p.endsWith('.ts') ? [p] : [];
  });
}

test('src/ layers import only from the layers before them', () => {
  const src = join(repoRoot, 'src');
  const violations: string[] = [];
  let checked = 0;
  for (const file of sources(src)) {
    const layer = relative(src, file).split('/')[0]!;
    if (!ORDER.includes(layer)) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
      const target = relative(src, normalize(join(dirname(file), m[1]!))).split('/')[0]!;
      checked++;
      if (ORDER.includes(target) && ORDER.indexOf(target) > ORDER.indexOf(layer)) violations.push(`${relative(repoRoot, file)} imports ${m[1]}`);
    }
  }
  assert.ok(checked > 100, `only ${checked} imports seen: is the scan broken?`);
  assert.deepEqual(violations, []);
});
