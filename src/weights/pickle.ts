// A pickle reader that builds data and never runs code (Python `pickle` protocols 0-5, as
// described by CPython's Lib/pickletools.py opcode table and PEP 307 / 3154 / 574).
//
// Why not a library: a pickle is a program for a stack machine whose GLOBAL + REDUCE opcodes
// import and call any Python callable (`os.system`, `builtins.exec`, ...). Every general
// unpickler (Python's own, and the npm ports) resolves those names and calls them, which is
// exactly what a file from a stranger must never do. This interpreter instead:
// - builds plain values (None, bool, int, float, str, bytes, tuple, list, dict, set);
// - turns GLOBAL into an inert `PyGlobal` name (nothing is imported);
// - turns REDUCE / NEWOBJ / INST / OBJ into inert placeholders (`PyCall`, `PyObject`) unless the
//   callable is in the caller's whitelist of reconstructors (plain JS functions that only build
//   data, e.g. PyTorch's `_rebuild_tensor_v2` or `collections.OrderedDict`);
// - hands persistent ids to a caller-supplied function (PyTorch storages);
// - checks every length against the bytes that remain before allocating, and caps the memo and
//   the stack. Pickles have no jumps, so a run is linear in the input size: it cannot hang.
// Malformed input throws `PickleError`; running out of bytes throws `PickleTruncated` (a
// subclass) so that a caller reading a file by prefix can retry with more bytes.

export class PickleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PickleError';
  }
}

export class PickleTruncated extends PickleError {
  constructor(at: number) {
    super(`pickle ends early (at byte ${at})`);
    this.name = 'PickleTruncated';
  }
}

/** A Python global name (module + qualified name); never imported. */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

export class PyTuple {
  constructor(readonly items: unknown[]) {}
}

/** dict / OrderedDict: insertion order kept; keys may be any value (str, int, tuple). */
export class PyDict {
  readonly keys: unknown[] = [];
  readonly values: unknown[] = [];
  private readonly index = new Map<unknown, number>();
  /** Attributes set by BUILD (e.g. a state_dict's `_metadata`); never items. */
  attrs: unknown = undefined;

  set(key: unknown, value: unknown): void {
    const k = PyDict.hashKey(key);
    const at = k === undefined ? undefined : this.index.get(k);
    if (at !== undefined) {
      this.values[at] = value;
      return;
    }
    if (k !== undefined) this.index.set(k, this.keys.length);
    this.keys.push(key);
    this.values.push(value);
  }

  get(key: string | number): unknown {
    const at = this.index.get(PyDict.hashKey(key));
    return at === undefined ? undefined : this.values[at];
  }

  get size(): number {
    return this.keys.length;
  }

  /** Key identity for str/int/bool keys (other keys are kept but not indexed). */
  private static hashKey(key: unknown): unknown {
    if (typeof key === 'string') return `s:${key}`;
    if (typeof key === 'number' || typeof key === 'bigint') return `n:${String(key)}`;
    if (typeof key === 'boolean') return `n:${key ? 1 : 0}`;
    return undefined;
  }
}

/** A call the interpreter refused to make: callable(args). Inert data. */
export class PyCall {
  constructor(readonly callable: unknown, readonly args: unknown) {}
}

/** An object of class `cls` (NEWOBJ / INST / OBJ), never constructed; BUILD stores its state. */
export class PyObject {
  state: unknown = undefined;
  /** Items added by SETITEM(S) / APPEND(S) to dict- or list-like objects. */
  readonly dictItems = new PyDict();
  readonly listItems: unknown[] = [];
  constructor(readonly cls: unknown, readonly args: unknown) {}
}

export type Reconstructor = (args: unknown[]) => unknown;

export interface PickleOptions {
  /** Reconstructors by qualified name (`module.name`); anything else becomes a PyCall. */
  reconstructors?: Readonly<Record<string, Reconstructor>>;
  /** Resolves a persistent id (PERSID / BINPERSID); without it, persistent ids are an error. */
  persistentLoad?: (pid: unknown) => unknown;
  /** Upper bounds; defaults suit checkpoints of any size (the pickle holds no tensor data). */
  maxMemo?: number;
  maxStack?: number;
}

export interface PickleResult {
  value: unknown;
  /** Offset just past the STOP opcode. */
  end: number;
}

const MARK = Symbol('mark');

/** Textual name of a callable for messages and whitelist lookup. */
export function callableName(c: unknown): string {
  return c instanceof PyGlobal ? c.qualified : c instanceof PyCall ? `${callableName(c.callable)}(...)` : typeof c;
}

/** Run one pickle starting at `start` of `buf`. */
export function unpickle(buf: Uint8Array, start = 0, opts: PickleOptions = {}): PickleResult {
  const recon = opts.reconstructors ?? {};
  const maxMemo = opts.maxMemo ?? 1_000_000;
  const maxStack = opts.maxStack ?? 1_000_000;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let p = start;
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();
  const latin1 = new TextDecoder('latin1');
  const utf8 = new TextDecoder('utf-8', { fatal: true });

  const need = (n: number): number => {
    if (n < 0 || p + n > buf.length) throw new PickleTruncated(buf.length);
    const at = p;
    p += n;
    return at;
  };
  const bytes = (n: number): Uint8Array => {
    const at = need(n);
    return buf.subarray(at, at + n);
  };
  const line = (): string => {
    const nl = buf.indexOf(0x0a, p);
    if (nl < 0) throw new PickleTruncated(buf.length);
    const s = latin1.decode(buf.subarray(p, nl));
    p = nl + 1;
    return s.endsWith('\r') ? s.slice(0, -1) : s;
  };
  const push = (v: unknown): void => {
    if (stack.length >= maxStack) throw new PickleError('pickle stack too deep');
    stack.push(v);
  };
  const pop = (): unknown => {
    if (stack.length === 0) throw new PickleError(`stack underflow at byte ${p - 1}`);
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) throw new PickleError(`stack underflow at byte ${p - 1}`);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = marks.pop();
    if (prev === undefined) throw new PickleError(`no MARK before byte ${p - 1}`);
    stack = prev;
    return items;
  };
  const str = (b: Uint8Array): string => {
    try {
      return utf8.decode(b);
    } catch {
      throw new PickleError(`invalid UTF-8 string at byte ${p}`);
    }
  };
  const memoPut = (k: number, v: unknown): void => {
    if (!memo.has(k) && memo.size >= maxMemo) throw new PickleError('pickle memo too large');
    memo.set(k, v);
  };
  const memoGet = (k: number): unknown => {
    if (!memo.has(k)) throw new PickleError(`memo key ${k} not defined (byte ${p})`);
    return memo.get(k);
  };
  const int = (v: bigint): number | bigint => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
  const longLE = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0;
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
    return int(v);
  };
  const decimal = (s: string, what: string): number | bigint => {
    const t = s.endsWith('L') ? s.slice(0, -1) : s;
    if (!/^[+-]?\d+$/.test(t)) throw new PickleError(`bad ${what} literal '${s.slice(0, 40)}'`);
    return int(BigInt(t));
  };
  const u32len = (): number => {
    const at = need(4);
    return dv.getUint32(at, true);
  };
  const u64len = (): number => {
    const at = need(8);
    const v = dv.getBigUint64(at, true);
    if (v > BigInt(buf.length)) throw new PickleTruncated(buf.length);
    return Number(v);
  };
  const call = (callable: unknown, args: unknown): unknown => {
    const name = callable instanceof PyGlobal ? callable.qualified : undefined;
    const fn = name !== undefined && Object.prototype.hasOwnProperty.call(recon, name) ? recon[name] : undefined;
    if (fn !== undefined && args instanceof PyTuple) return fn(args.items);
    return new PyCall(callable, args);
  };
  const setItem = (target: unknown, k: unknown, v: unknown): void => {
    if (target instanceof PyDict) target.set(k, v);
    else if (target instanceof PyObject) target.dictItems.set(k, v);
    else throw new PickleError(`SETITEM on a non-dict at byte ${p - 1}`);
  };
  const append = (target: unknown, v: unknown): void => {
    if (Array.isArray(target)) target.push(v);
    else if (target instanceof PyObject) target.listItems.push(v);
    else throw new PickleError(`APPEND on a non-list at byte ${p - 1}`);
  };
  const persistent = (pid: unknown): unknown => {
    if (!opts.persistentLoad) throw new PickleError('persistent id without a persistent loader');
    return opts.persistentLoad(pid);
  };

  for (;;) {
    const op = buf[need(1)]!;
    switch (op) {
      case 0x80: { // PROTO
        const v = buf[need(1)]!;
        if (v > 5) throw new PickleError(`unsupported pickle protocol ${v}`);
        break;
      }
      case 0x95: need(8); break; // FRAME: length of the next frame, only a read hint
      case 0x2e: { // STOP
        const value = pop();
        return { value, end: p };
      }
      case 0x28: marks.push(stack); stack = []; break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: push(top()); break; // DUP
      case 0x4e: push(null); break; // NONE
      case 0x88: push(true); break; // NEWTRUE
      case 0x89: push(false); break; // NEWFALSE
      case 0x4a: push(dv.getInt32(need(4), true)); break; // BININT
      case 0x4b: push(buf[need(1)]!); break; // BININT1
      case 0x4d: push(dv.getUint16(need(2), true)); break; // BININT2
      case 0x8a: push(longLE(bytes(buf[need(1)]!))); break; // LONG1
      case 0x8b: { // LONG4
        const n = dv.getInt32(need(4), true);
        if (n < 0) throw new PickleError('negative LONG4 length');
        push(longLE(bytes(n)));
        break;
      }
      case 0x49: { // INT (text); "00"/"01" are False/True
        const s = line();
        push(s === '00' ? false : s === '01' ? true : decimal(s, 'INT'));
        break;
      }
      case 0x4c: push(decimal(line(), 'LONG')); break; // LONG (text)
      case 0x46: { // FLOAT (text)
        const s = line().trim();
        const special: Record<string, number> = { inf: Infinity, '-inf': -Infinity, nan: NaN };
        const v = s.toLowerCase() in special ? special[s.toLowerCase()]! : Number(s);
        if (s === '' || (Number.isNaN(v) && s.toLowerCase() !== 'nan')) throw new PickleError(`bad FLOAT literal '${s.slice(0, 40)}'`);
        push(v);
        break;
      }
      case 0x47: push(dv.getFloat64(need(8), false)); break; // BINFLOAT (big-endian)
      case 0x53: { // STRING (quoted text, protocol 0)
        const s = line();
        const q = s[0];
        if (s.length < 2 || (q !== '"' && q !== "'") || s[s.length - 1] !== q) throw new PickleError('bad STRING literal');
        push(s.slice(1, -1));
        break;
      }
      case 0x54: push(latin1.decode(bytes(dv.getInt32(need(4), true)))); break; // BINSTRING
      case 0x55: push(latin1.decode(bytes(buf[need(1)]!))); break; // SHORT_BINSTRING
      case 0x56: push(line()); break; // UNICODE (raw-unicode-escape; kept as read)
      case 0x58: push(str(bytes(u32len()))); break; // BINUNICODE
      case 0x8c: push(str(bytes(buf[need(1)]!))); break; // SHORT_BINUNICODE
      case 0x8d: push(str(bytes(u64len()))); break; // BINUNICODE8
      case 0x42: push(bytes(u32len()).slice()); break; // BINBYTES
      case 0x43: push(bytes(buf[need(1)]!).slice()); break; // SHORT_BINBYTES
      case 0x8e: push(bytes(u64len()).slice()); break; // BINBYTES8
      case 0x96: push(bytes(u64len()).slice()); break; // BYTEARRAY8
      case 0x97: case 0x98: throw new PickleError('out-of-band buffers (pickle protocol 5) are not supported');
      case 0x29: push(new PyTuple([])); break; // EMPTY_TUPLE
      case 0x74: push(new PyTuple(popMark())); break; // TUPLE
      case 0x85: push(new PyTuple([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); push(new PyTuple([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); push(new PyTuple([a, b, c])); break; } // TUPLE3
      case 0x5d: push([]); break; // EMPTY_LIST
      case 0x6c: push(popMark()); break; // LIST
      case 0x61: { const v = pop(); append(top(), v); break; } // APPEND
      case 0x65: { const items = popMark(); const t = top(); for (const v of items) append(t, v); break; } // APPENDS
      case 0x7d: push(new PyDict()); break; // EMPTY_DICT
      case 0x64: { // DICT
        const items = popMark();
        if (items.length % 2 !== 0) throw new PickleError('DICT with an odd number of items');
        const d = new PyDict();
        for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
        push(d);
        break;
      }
      case 0x73: { const v = pop(); const k = pop(); setItem(top(), k, v); break; } // SETITEM
      case 0x75: { // SETITEMS
        const items = popMark();
        if (items.length % 2 !== 0) throw new PickleError('SETITEMS with an odd number of items');
        const t = top();
        for (let i = 0; i < items.length; i += 2) setItem(t, items[i], items[i + 1]);
        break;
      }
      case 0x8f: push([]); break; // EMPTY_SET (a list of its items)
      case 0x90: { const items = popMark(); const t = top(); for (const v of items) append(t, v); break; } // ADDITEMS
      case 0x91: push(popMark()); break; // FROZENSET
      case 0x67: push(memoGet(Number(decimal(line(), 'GET')))); break; // GET
      case 0x68: push(memoGet(buf[need(1)]!)); break; // BINGET
      case 0x6a: push(memoGet(dv.getUint32(need(4), true))); break; // LONG_BINGET
      case 0x70: memoPut(Number(decimal(line(), 'PUT')), top()); break; // PUT
      case 0x71: memoPut(buf[need(1)]!, top()); break; // BINPUT
      case 0x72: memoPut(dv.getUint32(need(4), true), top()); break; // LONG_BINPUT
      case 0x94: memoPut(memo.size, top()); break; // MEMOIZE
      case 0x63: { // GLOBAL "module\nname\n": a name only, nothing is imported
        const module = line();
        push(new PyGlobal(module, line()));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw new PickleError('STACK_GLOBAL needs two strings');
        push(new PyGlobal(module, name));
        break;
      }
      case 0x82: case 0x83: case 0x84: { // EXT1/2/4: the copyreg extension registry is not consulted
        need(op === 0x82 ? 1 : op === 0x83 ? 2 : 4);
        push(new PyCall(new PyGlobal('copyreg', 'extension'), new PyTuple([])));
        break;
      }
      case 0x52: { const args = pop(); const fn = pop(); push(call(fn, args)); break; } // REDUCE
      case 0x81: { const args = pop(); const cls = pop(); push(new PyObject(cls, args)); break; } // NEWOBJ
      case 0x92: { pop(); const args = pop(); const cls = pop(); push(new PyObject(cls, args)); break; } // NEWOBJ_EX
      case 0x69: { // INST "module\nname\n" + marked args
        const module = line();
        const name = line();
        push(new PyObject(new PyGlobal(module, name), new PyTuple(popMark())));
        break;
      }
      case 0x6f: { // OBJ: marked [cls, *args]
        const items = popMark();
        if (items.length === 0) throw new PickleError('OBJ without a class');
        push(new PyObject(items[0], new PyTuple(items.slice(1))));
        break;
      }
      case 0x62: { // BUILD: store the state, never call __setstate__
        const state = pop();
        const t = top();
        if (t instanceof PyObject) t.state = state;
        else if (t instanceof PyDict) t.attrs = state;
        // state on anything else (a reconstructed tensor, a placeholder) is dropped
        break;
      }
      case 0x50: push(persistent(line())); break; // PERSID
      case 0x51: push(persistent(pop())); break; // BINPERSID
      default:
        throw new PickleError(`unknown pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${p - 1}`);
    }
  }
}
