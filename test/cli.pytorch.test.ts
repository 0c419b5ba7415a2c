// `ergo layers` and `ergo cpse` on PyTorch checkpoints (.pth, .ckpt, .bin) and Hugging Face
// folders (fixtures from scripts/make-torch-fixtures.py): the same layers and the same cPSE as
// the safetensors twin of the same weights; a corrupt checkpoint is one line on stderr, exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers/cli.js';
import { cli, cpseJson, layersJson, relClose, type Json } from './helpers/cpsecli.js';
import { FIXTURES, PT_FIXTURES } from './helpers/torchfiles.js';

const pt = (f: string) => join(PT_FIXTURES, f);
const shapes = (j: Json) => (j.layers as Json[]).map((l) => [l.name, l.n, l.m]);

/** Each network's D per depth equals the first network's (the safetensors twin). */
function sameCpse(j: Json, what: string[]): void {
  const nets = j.networks as Json[];
  assert.equal(nets.length, what.length);
  const b = nets[0].dLayers as Json[];
  for (let k = 1; k < nets.length; k++) {
    const a = nets[k].dLayers as Json[];
    assert.deepEqual(a.map((x) => [x.depth, x.n]), b.map((x) => [x.depth, x.n]), `${what[k]}: depths`);
    a.forEach((x, i) => relClose(x.d, b[i].d, 1e-12, `${what[k]}: D at depth ${x.depth}`));
  }
}

test('ergo layers / cpse on .pth, .ckpt, a Hugging Face folder of .bin shards = on the safetensors twins', async () => {
  const nets = await cpseJson([pt('net.safetensors'), pt('state_dict.pth'), pt('lightning.ckpt')]);
  sameCpse(nets, ['net.safetensors', 'state_dict.pth', 'lightning.ckpt']);
  const j = await layersJson(pt('state_dict.pth'));
  assert.equal(j.format, 'pytorch');
  assert.deepEqual(shapes(j), shapes(nets.networks[0]));
  const hf = await cpseJson([join(FIXTURES, 'hf.safetensors'), join(FIXTURES, 'hf-bin'), join(FIXTURES, 'hf-safetensors')]);
  sameCpse(hf, ['hf.safetensors', 'hf-bin', 'hf-safetensors']);
  const h = await layersJson(join(FIXTURES, 'hf-bin'));
  assert.equal(h.format, 'huggingface');
  assert.deepEqual(shapes(h), shapes(hf.networks[0]));
  assert.ok((h.warnings as string[]).some((w) => w.includes('natural order')), 'the order rule is reported');
});

test('ergo cpse on a truncated .bin: one line naming the file, exit 2', async () => {
  const dir = tempDir('ergo-torch-cli-');
  const bad = join(dir, 'pytorch_model.bin');
  const bytes = readFileSync(join(FIXTURES, 'hf-single-bin', 'pytorch_model.bin'));
  writeFileSync(bad, bytes.subarray(0, bytes.length - 200));
  const r = await cli(['cpse', bad, '--cache', join(dir, 'c'), '--out', join(dir, 'o')]);
  assert.equal(r.status, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.ok(lines[0]!.includes(bad), r.stderr);
});
