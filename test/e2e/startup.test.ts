// Start-up of the `ergo` process: what `ergo --help` and `ergo layers` load. A resolve hook
// (node:module register) logs every module the process loads; --help must load no command
// module and none of the heavy libraries, layers only its own command module and the one
// weight reader the file needs. (How long start-up takes is the benchmark's: bench/RESULTS.md, never a test.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, tempDir } from '../helpers/cli.js';

/** The module URLs `node bin/ergo.js <args>` loads (relative to the repository), its exit code and output. */
function loaded(args: string[]): { modules: string[]; status: number | null; stdout: string; stderr: string } {
  const dir = tempDir('ergo-startup-');
  const log = join(dir, 'modules.log');
  writeFileSync(join(dir, 'hook.mjs'), `import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }\n`);
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hook.mjs')).href)});\n`);
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, join(repoRoot, 'bin', 'ergo.js'), ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  const root = pathToFileURL(repoRoot).href + '/';
  const modules = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))].map((u) => (u.startsWith(root) ? u.slice(root.length) : u));
  return { modules, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const HEAVY = /node_modules\/(apache-arrow|vega|vega-lite|piscina|ajv|yaml|h5wasm|protobufjs|ml-matrix|yauzl)\/|dist\/src\/(pipeline\/(experiments|runtime|report\/plot)|linalg|ensembles)\//;

test('ergo --help loads no command module, no pipeline, no kernels and none of the heavy libraries', () => {
  const r = loaded(['--help']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\n {2}layers \[options\] <model>/);
  assert.ok(r.modules.includes('dist/src/cli/main.js'), `the hook saw the CLI load: ${r.modules.join(', ')}`);
  const commands = r.modules.filter((m) => m.startsWith('dist/src/cli/commands/'));
  assert.deepEqual(commands, ['dist/src/cli/commands/table.js']);
  assert.deepEqual(r.modules.filter((m) => HEAVY.test(m)), []);
});

test('ergo layers loads its own command module and the one reader the file needs, not the other readers, commands, the pipeline or the kernels', () => {
  const r = loaded(['layers', join(repoRoot, 'test', 'fixtures', 'bristol', 'inputs', 'f_gauss64_x10.npz')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /npz, 10 tensors, 10 layers/);
  const commands = r.modules.filter((m) => m.startsWith('dist/src/cli/commands/')).sort();
  assert.deepEqual(commands, ['dist/src/cli/commands/layers.js', 'dist/src/cli/commands/table.js']);
  assert.ok(r.modules.includes('dist/src/weights/npyfiles.js'), `the .npz reader: ${r.modules.join(', ')}`);
  const otherReaders = /dist\/src\/weights\/(safetensors|onnx|tfjs|pytorch|pickle|huggingface|gguf|keras|jsbundle|zipmembers|index)\.js$/;
  assert.deepEqual(r.modules.filter((m) => otherReaders.test(m)), []);
  assert.deepEqual(r.modules.filter((m) => HEAVY.test(m)), []);
});
