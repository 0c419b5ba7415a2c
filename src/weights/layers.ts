// Tensor list -> layer matrices A (N x M, output units first), SPEC section 5.
// The reader supplies each tensor's layout hint; this module only applies it:
// every tensor of rank >= 2 whose N > 1 and M > 1 after the rule is a layer.
import { WeightsError } from './errors.js';
import { product } from './decode.js';
import type { LayerInfo, LayerList, LayoutHint, TensorEntry, WeightSource } from './types.js';

export interface LayerOptions {
  /** Keep only tensors whose name matches. */
  include?: RegExp;
  /** Drop tensors whose name matches (e.g. fixed, non-trained buffers). */
  exclude?: RegExp;
}

// Axis move: A[i, p*post + q] = W[p, i, q] for W viewed as (pre, a, post); a
// plain gather, O(size).
export function moveAxisFirst(data: Float64Array, shape: readonly number[], axis: number): Float64Array {
  const a = shape[axis]!;
  const pre = product(shape.slice(0, axis));
  const post = product(shape.slice(axis + 1));
  if (pre === 1) return data;
  const out = new Float64Array(data.length);
  let o = 0;
  for (let i = 0; i < a; i++) {
    for (let p = 0; p < pre; p++) {
      const base = p * a * post + i * post;
      for (let q = 0; q < post; q++) out[o++] = data[base + q]!;
    }
  }
  return out;
}

// ONNX ConvTranspose W [Cin, Cout/g, K] -> A [Cout, (Cin/g)*K], the same
// arrangement as a regular grouped convolution's [out, in/g, K].
export function convTransposeToRows(data: Float64Array, shape: readonly number[], groups: number): Float64Array {
  const cin = shape[0]!;
  const og = shape[1]!;
  const k = product(shape.slice(2));
  const ig = cin / groups;
  const out = new Float64Array(data.length);
  let o = 0;
  for (let g = 0; g < groups; g++) {
    for (let oc = 0; oc < og; oc++) {
      for (let ic = 0; ic < ig; ic++) {
        const base = ((g * ig + ic) * og + oc) * k;
        for (let t = 0; t < k; t++) out[o++] = data[base + t]!;
      }
    }
  }
  return out;
}

interface Plan {
  name: string;
  n: number;
  m: number;
  rule: string;
  load: () => Promise<Float64Array>;
}

function plan(t: TensorEntry, file: string): Plan[] | { unknown: string } | null {
  const shape = t.shape;
  const r = shape.length;
  if (r < 2) return null;
  const h: LayoutHint = t.layout;
  switch (h.kind) {
    case 'skip':
      return null;
    case 'unknown':
      return { unknown: h.rule };
    case 'axis': {
      const axis = h.axis < 0 ? r + h.axis : h.axis;
      if (axis < 0 || axis >= r) return { unknown: `${h.rule}: axis ${h.axis} does not exist for rank ${r}` };
      return [{
        name: t.name, n: shape[axis]!, m: product(shape) / shape[axis]!, rule: h.rule,
        load: async () => moveAxisFirst(await t.load(), shape, axis),
      }];
    }
    case 'depthwise': {
      if (r < 3) return { unknown: `${h.rule}: depthwise kernel of rank ${r}` };
      const merged = [...shape.slice(0, r - 2), shape[r - 2]! * shape[r - 1]!];
      return [{
        name: t.name, n: merged[r - 2]!, m: product(shape.slice(0, r - 2)), rule: h.rule,
        load: async () => moveAxisFirst(await t.load(), merged, r - 2),
      }];
    }
    case 'convTranspose': {
      const g = h.groups;
      if (r < 3 || !Number.isInteger(g) || g < 1 || shape[0]! % g !== 0) {
        return { unknown: `${h.rule}: shape ${JSON.stringify(shape)} does not fit group=${g}` };
      }
      return [{
        name: t.name, n: g * shape[1]!, m: (shape[0]! / g) * product(shape.slice(2)), rule: h.rule,
        load: async () => convTransposeToRows(await t.load(), shape, g),
      }];
    }
    case 'recurrent': {
      if (r !== 3) return { unknown: `${h.rule}: expected rank 3, got ${r}` };
      const [dirs, gh, x] = shape as [number, number, number];
      const size = gh * x;
      return Array.from({ length: dirs }, (_, d) => ({
        name: dirs > 1 ? `${t.name}[direction ${d}]` : t.name,
        n: gh, m: x, rule: `${h.rule}, direction ${d} of ${dirs}`,
        load: async () => (await t.load()).slice(d * size, (d + 1) * size),
      }));
    }
    default:
      throw new WeightsError(file, t.name, `internal: unhandled layout ${(h as { kind: string }).kind}`);
  }
}

/**
 * Layers of a network in its order (see each reader for what order means).
 * The result is an array of LayerInfo with a `warnings` property listing every
 * tensor of rank >= 2 that was left out because its layout cannot be told.
 */
export function layerMatrices(source: WeightSource, opts: LayerOptions = {}): LayerList {
  const layers: LayerInfo[] = [];
  const warnings: string[] = [...source.warnings];
  for (const t of source.tensors) {
    if (opts.include && !opts.include.test(t.name)) continue;
    if (opts.exclude && opts.exclude.test(t.name)) continue;
    const p = plan(t, source.path);
    if (p === null) continue;
    if ('unknown' in p) {
      warnings.push(`${t.name} ${JSON.stringify(t.shape)}: layout unknown (${p.unknown}); left out`);
      continue;
    }
    for (const q of p) {
      if (q.n > 1 && q.m > 1) {
        layers.push({
          index: layers.length, name: q.name, shape: t.shape.slice(), rows: q.n, cols: q.m,
          dtype: t.dtype, format: source.format, layout: q.rule, load: q.load,
          matrix: async () => ({ rows: q.n, cols: q.m, data: await q.load() }),
        });
      }
    }
  }
  warnings.push(...alternativeWarnings(source, layers), ...fixedTensorWarnings(layers));
  return Object.assign(layers, { warnings });
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function commonPrefix(names: readonly string[]): string {
  if (names.length === 0) return '';
  let p = names[0]!;
  for (const n of names) while (!n.startsWith(p)) p = p.slice(0, -1);
  return p;
}

/**
 * One warning per group of alternative sub-networks (e.g. ONNX If branches) whose selected
 * layers come from more than one branch: the list then mixes networks that never run together.
 * It names each branch, its layer count and a regex that keeps only that branch.
 */
function alternativeWarnings(source: WeightSource, layers: readonly LayerInfo[]): string[] {
  const out: string[] = [];
  for (const g of source.alternatives ?? []) {
    const parts = g.branches.map((b) => {
      const own = new Set(b.tensors);
      const names = layers.filter((l) => own.has(l.name.replace(/\[direction \d+\]$/, ''))).map((l) => l.name);
      return { name: b.name, names };
    });
    const used = parts.filter((p) => p.names.length > 0);
    if (used.length < 2) continue;
    const text = used.map((p) => {
      const prefix = commonPrefix(p.names);
      const hint = prefix.length >= 3 ? `; keep it alone with --include '^${escapeRegex(prefix)}'` : '';
      return `${p.name}: ${p.names.length} layer(s)${hint}`;
    });
    out.push(`${g.where} holds ${parts.length} alternative sub-networks, only one of which runs per call, and the selected layers mix ${used.length} of them (${text.join('; ')}); analyse one branch at a time (docs/weights.md, "Sub-networks and fixed tensors")`);
  }
  return out;
}

/**
 * Tensors whose name says they are fixed rather than learned: registered buffers and signal
 * transforms (STFT/DFT bases, mel filterbanks, windows). A name rule, so a warning only: the
 * layer stays in the list and --exclude drops it.
 */
export const FIXED_TENSOR_NAME = /buffer|stft|\bdft|_dft|fft|filterbank|fbank|mel_?basis|mel_?filter|hann_?window|hamming_?window/i;

function fixedTensorWarnings(layers: readonly LayerInfo[]): string[] {
  const fixed = layers.filter((l) => FIXED_TENSOR_NAME.test(l.name)).map((l) => l.name);
  if (fixed.length === 0) return [];
  const words = [...new Set(fixed.map((n) => n.match(FIXED_TENSOR_NAME)![0].toLowerCase()))];
  return [`${fixed.length} layer(s) look like fixed tensors, not trained weights (the name says buffer / STFT / DFT / filterbank / window): ${fixed.join(', ')}; they are analysed as layers unless dropped, e.g. with --exclude '${words.map(escapeRegex).join('|')}'`];
}
