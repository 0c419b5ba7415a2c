// Bench rows for an LLM-shaped network (bench.ts job `llm-shaped`; run alone with
// `npm run bench -- --only llm`): scripts/make-llm-shaped.mjs writes 4 transformer blocks with
// Llama-7B shapes (float32 safetensors, about 3.2 GB) into the bench's scratch folder, `ergo cpse`
// runs on it with 1 and then 2 workers (fresh cache each), and the folder is deleted afterwards.
// Target: peak RSS of the whole process within 3x the largest layer in float64 per worker plus
// 300 MiB for Node, the pool and the reader (docs/performance.md).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

export interface LlmMeasure {
  times?: number[];
  median?: number;
  error?: string;
  rssKB?: number;
}

export interface LlmContext {
  root: string;
  scratch: string;
  ergo: string;
  blocks: number;
  timeoutMs: number;
  ergoCli: (reps: number, timeoutMs: number, args: (rep: number) => string[]) => Promise<LlmMeasure>;
}

/** Largest layer of the network: 11008 x 4096 (gate/up) = 4096 x 11008 (down), float64 bytes. */
export const LLM_LARGEST_LAYER_BYTES = 8 * 11008 * 4096;

export function llmRssBoundKB(workers: number): number {
  return Math.ceil((3 * workers * LLM_LARGEST_LAYER_BYTES + 300 * 2 ** 20) / 1024);
}

function fmtGiB(kb: number): string {
  return `${(kb / 2 ** 20).toFixed(2)} GiB`;
}

export async function llmShapedRows(ctx: LlmContext): Promise<object[]> {
  const dir = join(ctx.scratch, 'llm-shaped');
  const make = (extra: string[]) =>
    spawnSync(process.execPath, [join(ctx.root, 'scripts/make-llm-shaped.mjs'), dir, '--blocks', String(ctx.blocks), ...extra], { stdio: 'ignore', timeout: ctx.timeoutMs });
  try {
    let layout = 'sharded folder with model.safetensors.index.json';
    if (make([]).status !== 0) throw new Error('scripts/make-llm-shaped.mjs failed');
    // A build that cannot read Hugging Face folders yet gets the same tensors as one file.
    if (spawnSync(process.execPath, [ctx.ergo, 'layers', dir], { stdio: 'ignore' }).status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      if (make(['--single']).status !== 0) throw new Error('scripts/make-llm-shaped.mjs --single failed');
      layout = 'one model.safetensors (this build reads no sharded folders)';
    }
    const rows: object[] = [];
    for (const workers of [1, 2]) {
      const model = layout.startsWith('one') ? join(dir, 'model.safetensors') : dir;
      const ergo = await ctx.ergoCli(1, ctx.timeoutMs, () => [
        'cpse', model, '--workers', String(workers), '--cache', join(ctx.scratch, `llm-cache-${workers}`), '--out', join(ctx.scratch, `llm-out-${workers}`), '--json',
      ]);
      const bound = llmRssBoundKB(workers);
      rows.push({
        section: `LLM-shaped network: ${ctx.blocks} transformer block(s) with Llama-7B shapes (${7 * ctx.blocks} layers, float32 safetensors, ${layout}); ergo cpse, fresh cache`,
        what: `${ctx.blocks} x (4 x 4096x4096, 2 x 11008x4096, 4096x11008); largest layer ${fmtGiB(LLM_LARGEST_LAYER_BYTES / 1024)} in float64`,
        impl: `ergo cpse, ${workers} worker${workers > 1 ? 's' : ''}`,
        runs: '1 rep',
        ergo,
        target: {
          label: `peak RSS <= ${fmtGiB(bound)} (3 x largest layer x workers + 300 MiB)`,
          check: () => (ergo.rssKB === undefined ? undefined : ergo.rssKB <= bound),
        },
      });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
