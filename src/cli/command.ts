// What a command's `register` receives: the program to add itself to, the invocation's io,
// and `done(code)` to set the exit code.
import type { Command as Program } from 'commander';
import type { Io } from './io.js';
import { COMMANDS } from './commands/table.js';
import { QUIET_HELP } from './parsers.js';

/** The output flags every command has (docs/cli.md); a command's Flags extend them. */
export interface OutputFlags {
  json?: boolean;
  quiet?: boolean;
  out?: string;
}

export interface Command {
  program: Program;
  io: Io;
  done: (code: number) => void;
}

/** Wrap a command action: its return value becomes the exit code; errors go to runCli. */
export function action<A extends unknown[]>(cmd: Command, fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    cmd.done((await fn(...args)) ?? 0);
  };
}

/**
 * Add the command `name` to the program with its description from commands/table.ts (the one
 * place it is written, also what `ergo --help` lists without loading the module); with `json`,
 * also --json (that help text) and -q/--quiet, which every command has (docs/cli.md).
 */
export function define(program: Program, name: string, json?: string, quiet = QUIET_HELP): Program {
  const row = COMMANDS.find((r) => r.name === name);
  if (!row) throw new Error(`command '${name}' has no row in src/cli/commands/table.ts`);
  const c = program.command(name).description(row.summary);
  return json === undefined ? c : c.option('--json', json).option('-q, --quiet', quiet);
}
