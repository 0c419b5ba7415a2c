// Test helpers for PyTorch checkpoints written by hand (independent of src/weights): pickle
// opcodes emitted from the opcode table of CPython's Lib/pickletools.py, and a stored ZIP
// (PKWARE APPNOTE 4.3: local headers, central directory, end record; CRCs left 0, which no
// reader here checks). Used to build checkpoints the fixture script cannot (bad views,
// missing members, big-endian archives).
import { join } from 'node:path';
import { repoRoot } from './cli.js';
import { zipStore } from './weightfiles.js';

export const FIXTURES = join(repoRoot, 'test', 'fixtures', 'weights');
export const PT_FIXTURES = join(FIXTURES, 'pytorch');

const enc = new TextEncoder();

/** Bytes of a protocol-2 pickle built from small pieces. */
export class PickleWriter {
  private readonly parts: number[] = [0x80, 2];
  op(...bytes: number[]): this {
    this.parts.push(...bytes);
    return this;
  }
  str(s: string): this {
    const b = enc.encode(s);
    this.parts.push(0x58, b.length & 0xff, (b.length >> 8) & 0xff, 0, 0, ...b); // BINUNICODE
    return this;
  }
  int(n: number): this {
    if (n >= 0 && n < 256) return this.op(0x4b, n); // BININT1
    return this.op(0x4a, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff); // BININT
  }
  global(module: string, name: string): this {
    this.parts.push(0x63, ...enc.encode(`${module}\n${name}\n`));
    return this;
  }
  tuple(items: number[]): this {
    this.op(0x28); // MARK
    for (const i of items) this.int(i);
    return this.op(0x74); // TUPLE
  }
  bytes(): Uint8Array {
    return Uint8Array.from([...this.parts, 0x2e]); // STOP
  }
}

export interface TensorSpec {
  name: string;
  storageType: string; // e.g. FloatStorage
  key: string;
  numel: number;
  offset: number;
  size: number[];
  stride: number[];
}

/** data.pkl of a state_dict {name: _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())}. */
export function stateDictPickle(tensors: TensorSpec[]): Uint8Array {
  const w = new PickleWriter().op(0x7d, 0x28); // EMPTY_DICT, MARK
  for (const t of tensors) {
    w.str(t.name).global('torch._utils', '_rebuild_tensor_v2').op(0x28); // MARK (args)
    w.op(0x28).str('storage').global('torch', t.storageType).str(t.key).str('cpu').int(t.numel).op(0x74, 0x51); // pid, BINPERSID
    w.int(t.offset).tuple(t.size).tuple(t.stride).op(0x89).global('collections', 'OrderedDict').op(0x29, 0x52); // False, OrderedDict()
    w.op(0x74, 0x52); // TUPLE, REDUCE
  }
  return w.op(0x75).bytes(); // SETITEMS
}

/** A stored (method 0) ZIP of the members, in order (the test-side writer of weightfiles.ts). */
export function zipBytes(members: { name: string; data: Uint8Array }[]): Uint8Array {
  return zipStore(members.map((m) => ({ name: m.name, bytes: m.data })));
}

export function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}
