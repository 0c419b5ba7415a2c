// Argument parsers shared by every command (commander argParser callbacks): each returns
// the typed value or throws a UsageError naming the flag, what was expected and what it got.
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

export const workers: Parser<number> = (v) => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < 0) throw new UsageError(`--workers: expected a whole number >= 0 (0 = main thread), got "${v}"`);
  return n;
};

/** A seed: whole numbers stay numbers, anything else is a string seed. */
export const seed: Parser<string | number> = (v) => (/^-?\d+$/.test(v) ? Number(v) : v);

/** Commander collector for repeatable options (--allow-path DIR --allow-path DIR2). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export const ALLOW_PATH_HELP = "also read files the model refers to (shards, external data) from DIR; repeatable (default: only the model's own folder)";
