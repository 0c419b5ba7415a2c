// Options and behaviours shared by several commands.
import { basename, extname, resolve } from 'node:path';
import type { NetworkSpec } from '../pipeline/config.js';
import { parseSemantics, type Semantics } from '../spectral/semantics.js';
import { EXIT, UsageError } from './errors.js';
import { createExecutor, type Executor } from '../pipeline/executor.js';

export function parseWorkers(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--workers: expected a whole number >= 0 (0 = main thread), got "${v}"`);
  return n;
}

/** SIGINT/SIGTERM: first one stops handing out chunks; a second one exits at once. */
export function interruptController(): { signal: AbortSignal; dispose: () => void } {
  const ac = new AbortController();
  const handler = (sig: NodeJS.Signals): void => {
    if (ac.signal.aborted) {
      process.stderr.write(`\nergo: second ${sig}: exiting now; finished chunks are kept, resume with the same command\n`);
      process.exit(EXIT.interrupted);
    }
    process.stderr.write(`\nergo: ${sig}: finishing the chunks in flight, then stopping (press again to stop at once)\n`);
    ac.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: ac.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

export function checkRegex(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    new RegExp(text);
  } catch (e) {
    throw new UsageError(`${flag}: not a valid regular expression: ${(e as Error).message}`);
  }
  return text;
}

export function semanticsOption(s: string): Semantics {
  try {
    return parseSemantics(s);
  } catch {
    throw new UsageError(`--semantics: expected definition or bristol, got "${s}"`);
  }
}

/** Commander collector for repeatable options (--allow-path DIR --allow-path DIR2). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export const ALLOW_PATH_HELP = "also read files the model refers to (shards, external data) from DIR; repeatable (default: only the model's own folder)";

export function networkSpecs(models: string[], o: { include?: string; exclude?: string; allowPath?: string[] }): NetworkSpec[] {
  const include = checkRegex('--include', o.include);
  const exclude = checkRegex('--exclude', o.exclude);
  const names = new Map<string, number>();
  return models.map((path) => {
    // model.json files are all called model: name them by their folder instead.
    let name = basename(path, extname(path));
    if (name === 'model') name = basename(resolve(path, '..'));
    name = name.replace(/[-_]weights_manifest$/, '');
    const k = names.get(name) ?? 0;
    names.set(name, k + 1);
    return {
      path,
      name: k ? `${name}#${k + 1}` : name,
      ...(include !== undefined ? { include } : {}),
      ...(exclude !== undefined ? { exclude } : {}),
      ...(o.allowPath?.length ? { allowPaths: o.allowPath } : {}),
    };
  });
}


/** Run `fn` with an executor of `workers` threads and Ctrl-C handling; always cleans both up. */
export async function withExecutor<T>(workers: number, fn: (executor: Executor, signal: AbortSignal) => Promise<T>): Promise<T> {
  const executor = createExecutor(workers);
  const interrupt = interruptController();
  try {
    return await fn(executor, interrupt.signal);
  } finally {
    interrupt.dispose();
    await executor.close();
  }
}
