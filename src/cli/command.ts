// What a command's `register` receives: the program to add itself to, the invocation's io,
// and `done(code)` to set the exit code.
import type { Command as Program } from 'commander';
import type { Io } from './io.js';

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
