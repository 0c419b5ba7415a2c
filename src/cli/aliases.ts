// Deprecated flag spellings. When two commands used one flag name for different things
// (--bins, --delta, --format), one of them was renamed (docs/cli.md, "One vocabulary"); the
// old spelling keeps working as a hidden option of that command. Before the action runs,
// its value moves to the new option and one warning line goes to stderr.
import type { Command as Program } from 'commander';
import { Option } from './commander.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';

interface Alias {
  old: string;
  oldKey: string;
  now: string;
  nowKey: string;
}

const registry = new WeakMap<Program, Alias[]>();

/**
 * Add `oldFlags` (e.g. '--bins <K>') to `c` as a hidden, deprecated spelling of the option
 * `now` (its long name, already added to `c`); `parse` checks the value like the new option.
 */
export function deprecatedAlias(c: Program, oldFlags: string, now: string, parse?: (v: string) => unknown): Program {
  const target = c.options.find((o) => o.long === now);
  if (!target) throw new Error(`deprecatedAlias: ${c.name()} has no option ${now}`);
  const opt = new Option(oldFlags, `deprecated: use ${now}`).hideHelp();
  if (parse) opt.argParser(parse);
  c.addOption(opt);
  const list = registry.get(c) ?? [];
  list.push({ old: opt.long!, oldKey: opt.attributeName(), now, nowKey: target.attributeName() });
  registry.set(c, list);
  return c;
}

/** The old spellings `c` knows, as [old, new] pairs (for docs and tests). */
export function aliasesOf(c: Program): [string, string][] {
  return (registry.get(c) ?? []).map((a) => [a.old, a.now]);
}

/** Move values given under an old spelling to the new option, with one warning line each. */
export function applyAliases(c: Program, io: Io): void {
  for (const a of registry.get(c) ?? []) {
    const v: unknown = c.getOptionValue(a.oldKey);
    if (v === undefined) continue;
    if (c.getOptionValueSource(a.nowKey) === 'cli') throw new UsageError(`${a.old} is the old spelling of ${a.now}; give only ${a.now}`);
    io.stderr.write(`ergo: warning: ${c.name()} ${a.old} is deprecated; use ${a.now} (same meaning)\n`);
    c.setOptionValueWithSource(a.nowKey, v, 'cli');
    c.setOptionValue(a.oldKey, undefined);
  }
}
