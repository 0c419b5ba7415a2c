#!/usr/bin/env node
// Writes an LLM-shaped network for the memory bench: `blocks` transformer blocks with the shapes
// of Llama-7B (hidden 4096, MLP 11008): q/k/v/o projections 4096 x 4096, gate/up 11008 x 4096,
// down 4096 x 11008 (PyTorch [out, in]), plus the two RMSNorm vectors per block. float32,
// uniform in [-1/sqrt(in), 1/sqrt(in)) from a seeded generator (mulberry32), so every run
// writes the same bytes. About 0.81 GB per block (3.2 GB for 4).
//
//   node scripts/make-llm-shaped.mjs DIR [--blocks 4] [--seed 7] [--single]
//
// Default: a Hugging Face style folder, one shard per block (model-0000i-of-0000n.safetensors)
// and model.safetensors.index.json (weight_map). --single: one model.safetensors instead (for
// builds that read single files only). Tensors are generated and written in pieces of 4M
// values: the script itself needs little memory.
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

function parse(argv) {
  const o = { dir: '', blocks: 4, seed: 7, single: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--blocks') o.blocks = Number(argv[++i]);
    else if (a === '--seed') o.seed = Number(argv[++i]);
    else if (a === '--single') o.single = true;
    else if (!a.startsWith('--') && !o.dir) o.dir = a;
    else throw new Error(`make-llm-shaped: unknown argument ${a}`);
  }
  if (!o.dir || !Number.isInteger(o.blocks) || o.blocks < 1) {
    throw new Error('usage: node scripts/make-llm-shaped.mjs DIR [--blocks N] [--seed S] [--single]');
  }
  return o;
}

const HIDDEN = 4096;
const MLP = 11008;

/** Tensors of block b in the order a Llama state_dict lists them (registration order). */
function blockTensors(b) {
  const p = `model.layers.${b}`;
  return [
    [`${p}.self_attn.q_proj.weight`, [HIDDEN, HIDDEN]],
    [`${p}.self_attn.k_proj.weight`, [HIDDEN, HIDDEN]],
    [`${p}.self_attn.v_proj.weight`, [HIDDEN, HIDDEN]],
    [`${p}.self_attn.o_proj.weight`, [HIDDEN, HIDDEN]],
    [`${p}.mlp.gate_proj.weight`, [MLP, HIDDEN]],
    [`${p}.mlp.up_proj.weight`, [MLP, HIDDEN]],
    [`${p}.mlp.down_proj.weight`, [HIDDEN, MLP]],
    [`${p}.input_layernorm.weight`, [HIDDEN]],
    [`${p}.post_attention_layernorm.weight`, [HIDDEN]],
  ];
}

// mulberry32 (Tommy Ettinger's 32-bit mixing generator): uniform 32-bit words from a 32-bit state.
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECE = 1 << 22;

function writeShard(path, tensors, rand) {
  const header = {};
  let off = 0;
  for (const [name, shape] of tensors) {
    const bytes = 4 * shape.reduce((x, y) => x * y, 1);
    header[name] = { dtype: 'F32', shape, data_offsets: [off, off + bytes] };
    off += bytes;
  }
  let text = JSON.stringify(header);
  text += ' '.repeat((8 - (Buffer.byteLength(text) % 8)) % 8);
  const h = Buffer.from(text);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, len);
    writeSync(fd, h);
    const piece = new Float32Array(PIECE);
    for (const [, shape] of tensors) {
      const count = shape.reduce((x, y) => x * y, 1);
      const scale = shape.length === 2 ? 2 / Math.sqrt(shape[1]) : 0;
      for (let done = 0; done < count; done += PIECE) {
        const n = Math.min(PIECE, count - done);
        for (let i = 0; i < n; i++) piece[i] = shape.length === 2 ? (rand() - 0.5) * scale : 1;
        writeSync(fd, new Uint8Array(piece.buffer, 0, 4 * n));
      }
    }
  } finally {
    closeSync(fd);
  }
  return off;
}

function main() {
  const o = parse(process.argv.slice(2));
  mkdirSync(o.dir, { recursive: true });
  const rand = mulberry32(o.seed);
  if (o.single) {
    const all = Array.from({ length: o.blocks }, (_, b) => blockTensors(b)).flat();
    writeShard(join(o.dir, 'model.safetensors'), all, rand);
    return;
  }
  const weightMap = {};
  let total = 0;
  for (let b = 0; b < o.blocks; b++) {
    const file = `model-${String(b + 1).padStart(5, '0')}-of-${String(o.blocks).padStart(5, '0')}.safetensors`;
    const tensors = blockTensors(b);
    total += writeShard(join(o.dir, file), tensors, rand);
    for (const [name] of tensors) weightMap[name] = file;
  }
  // the index lists names alphabetically, as Hugging Face writes it
  const sorted = Object.fromEntries(Object.keys(weightMap).sort().map((k) => [k, weightMap[k]]));
  writeFileSync(join(o.dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: total }, weight_map: sorted }, null, 2));
}

main();
