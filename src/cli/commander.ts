// commander, loaded with require: Node 20 imports a CommonJS package into ESM through its CJS
// translator (a lexer pass over the source plus the ESM loader), which cost about 15-30 ms of
// every `ergo` start-up; require loads the same module directly. Types come from the package.
import { createRequire } from 'node:module';

type Commander = typeof import('commander');
const lib = createRequire(import.meta.url)('commander') as Commander;

export const { Command, CommanderError, Help, Option } = lib;
