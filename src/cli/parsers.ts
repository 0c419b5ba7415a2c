// Argument parsers shared by every command (commander argParser callbacks): each returns
// the typed value or throws a UsageError naming the flag, what was expected and what it got.
// Also the guards every command gets: option values that look like flags (`--out -q` would
// otherwise create a folder named "-q" and swallow the -q flag), and a ceiling on --workers
// (each worker thread holds a V8 heap and a chunk's matrices).
import { availableParallelism } from 'node:os';
import { UsageError } from './errors.js';

export type Parser<T> = (value: string) => T;

export function wholeNumber(flag: string, min: number): Parser<number> {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < min) throw new UsageError(`${flag}: expected a whole number >= ${min}, got "${v}"`);
    return n;
  };
}

/** A finite number accepted by `ok`; `what` says what was expected ("a number > 0"). */
export function number(flag: string, ok: (x: number) => boolean, what: string): Parser<number> {
  return (v) => {
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x) || !ok(x)) throw new UsageError(`${flag}: expected ${what}, got "${v}"`);
    return x;
  };
}

/** One of `choices`; `fold` maps the input first (e.g. to upper case). */
export function choice<T extends string>(flag: string, choices: readonly T[], fold: (s: string) => string = (s) => s): Parser<T> {
  return (v) => {
    const f = fold(v);
    if (!(choices as readonly string[]).includes(f)) throw new UsageError(`${flag}: expected ${choices.length === 2 ? choices.join(' or ') : `one of ${choices.join(', ')}`}, got "${v}"`);
    return f as T;
  };
}

/** A regular expression, kept as its source text (it goes into configs). */
export function regex(flag: string): Parser<string> {
  return (v) => {
    try {
      new RegExp(v);
    } catch (e) {
      throw new UsageError(`${flag}: not a valid regular expression: ${(e as Error).message}`);
    }
    return v;
  };
}

/** At most this many worker threads per core. */
export const WORKERS_PER_CORE = 4;

/** A --workers count against the machine: above WORKERS_PER_CORE x cores an error, above the cores a warning. */
export function workersCheck(n: number, cores: number): { error?: string; warning?: string } {
  const limit = WORKERS_PER_CORE * Math.max(1, cores);
  const of = `${cores} core${cores === 1 ? '' : 's'} of this machine`;
  if (n > limit) return { error: `--workers: ${n} is more than ${WORKERS_PER_CORE} x the ${of}; use at most ${limit} (default: ${cores})` };
  if (n > cores) return { warning: `--workers ${n} is more than the ${of}: threads will share cores (no faster, more memory)` };
  return {};
}

/** --workers: refused above the ceiling (the warning above the core count is runSession's). */
export const workers: Parser<number> = (v) => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < 0) throw new UsageError(`--workers: expected a whole number >= 0 (0 = main thread), got "${v}"`);
  const { error } = workersCheck(n, availableParallelism());
  if (error) throw new UsageError(error);
  return n;
};

/** The shape of a commander Option the flag-like guard needs. */
export interface OptionShape {
  long?: string | undefined;
  short?: string | undefined;
  required?: boolean;
  optional?: boolean;
}

/** A dash followed by a letter or a second dash: an option, not a value (-5 and -0.5 are values). */
const FLAG_LIKE = /^--?[A-Za-z-]/;

/** The first option given a separate value that looks like a flag, as a message; `--out=-q` is how to mean such a value. */
export function flagLikeValue(args: readonly string[], options: readonly OptionShape[]): string | undefined {
  for (let i = 0; i < args.length - 1; i++) {
    const a = args[i]!;
    if (a === '--') break; // everything after it is an operand
    const opt = options.find((o) => (o.required || o.optional) && (a === o.long || a === o.short));
    if (!opt) continue;
    const value = args[i + 1]!;
    if (FLAG_LIKE.test(value)) return `${a}: the value "${value}" looks like an option (was the value forgotten?); if you mean it, write ${opt.long ?? a}=${value}`;
    i++; // skip the value
  }
  return undefined;
}

/** A seed: whole numbers stay numbers, anything else is a string seed. */
export const seed: Parser<string | number> = (v) => (/^-?\d+$/.test(v) ? Number(v) : v);

/** Commander collector for repeatable options (--allow-path DIR --allow-path DIR2). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export const ALLOW_PATH_HELP = "also read files the model refers to (shards, external data) from DIR; repeatable (default: only the model's own folder)";

export const QUIET_HELP = 'no progress and no [ergo] lines (errors, warnings and results still show)';


/** A level or probability strictly between 0 and 1 (--level of intervals and verdicts). */
export const probability = (flag: string): Parser<number> => number(flag, (x) => x > 0 && x < 1, 'a number in (0, 1)');
