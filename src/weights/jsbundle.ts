// TF.js models shipped inside JavaScript bundles, as nsfwjs does: `model.min.js` and
// `group1-shardXofY.min.js` are browserify UMD files whose one module sets
// `module.exports = <literal>` (the model.json object, or a shard's bytes as a base64 string).
//
// A bundle is a program: it is never executed, imported or evaluated. The acorn parser turns
// the text into a syntax tree, and only this shape is accepted: exactly one assignment
// `<param>.exports = <literal>` inside a module function, where <literal> is built from object
// and array literals, strings, numbers, true/false/null and the minifier's `!0` / `!1` / `-n`.
// Any other expression (a call, an identifier, a getter, a spread, a computed key) is refused
// with the line it is on; a file without that shape is refused as "not a recognised bundle".
// Why a parser library and not JSON.parse or JSON5: the literal is JavaScript (unquoted keys,
// `.5`, `!0`), and finding it needs the program's structure, which a regex cannot give safely.
//
// The manifest's shard paths ("group1-shard1of1") name bundles next to the model file
// (`<path>.min.js`, `<path>.js` or `<path>`), each resolved inside the model's folder
// (contain.ts). The unwrapped model.json and shard bytes are written to a private temporary
// folder (removed when the process exits) and read by the TF.js reader, so every check and
// ordering rule of tfjs.ts applies unchanged; paths in errors name the bundle files.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type { Node } from 'acorn';
import { WeightsError } from './errors.js';
import { resolveInside, type ContainOptions } from './contain.js';
import { openTfjs } from './tfjs.js';
import type { WeightSource } from './types.js';

type AnyNode = Node & Record<string, unknown>;

const isNode = (x: unknown): x is AnyNode => typeof x === 'object' && x !== null && typeof (x as { type?: unknown }).type === 'string';

/** Every `<id>.exports = <rhs>` assignment whose <id> is a parameter of the enclosing function. */
function exportAssignments(program: AnyNode): AnyNode[] {
  const found: AnyNode[] = [];
  const stack: { node: AnyNode; params: Set<string> }[] = [{ node: program, params: new Set() }];
  while (stack.length) {
    const { node, params: outer } = stack.pop()!;
    let params = outer;
    if (node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration' || node.type === 'ArrowFunctionExpression') {
      params = new Set((node.params as AnyNode[]).filter((p) => p.type === 'Identifier').map((p) => p.name as string));
    }
    if (node.type === 'AssignmentExpression' && node.operator === '=') {
      const left = node.left as AnyNode;
      const obj = left.object as AnyNode | undefined;
      const prop = left.property as AnyNode | undefined;
      if (left.type === 'MemberExpression' && !left.computed && obj?.type === 'Identifier' && params.has(obj.name as string) && prop?.type === 'Identifier' && prop.name === 'exports') {
        found.push(node);
        continue; // the literal's inside holds no more modules
      }
    }
    for (const key of Object.keys(node)) {
      const v = node[key];
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) if (isNode(v[i])) stack.push({ node: v[i] as AnyNode, params });
      } else if (isNode(v)) stack.push({ node: v, params });
    }
  }
  return found;
}

/** The data a literal expression denotes; anything that is not plain data is refused. */
function literalValue(node: AnyNode, where: (n: AnyNode) => string): unknown {
  const refuse = (what: string): never => {
    throw new Error(`${where(node)}: ${what} is not plain data (only literals are read, nothing is run)`);
  };
  switch (node.type) {
    case 'Literal': {
      const v = node.value;
      if (node.regex !== undefined || node.bigint !== undefined) return refuse('a regular expression or BigInt');
      if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
      return refuse('this literal');
    }
    case 'TemplateLiteral': {
      const quasis = node.quasis as AnyNode[];
      if ((node.expressions as unknown[]).length) return refuse('a template with ${...}');
      return (quasis[0]!.value as { cooked: string }).cooked;
    }
    case 'UnaryExpression': {
      const arg = node.argument as AnyNode;
      if (arg.type === 'Literal' && typeof arg.value === 'number') {
        if (node.operator === '!') return !arg.value;
        if (node.operator === '-') return -arg.value;
        if (node.operator === '+') return arg.value;
      }
      return refuse(`'${String(node.operator)}' applied to a ${arg.type}`);
    }
    case 'ArrayExpression':
      return (node.elements as (AnyNode | null)[]).map((e) => (e === null ? refuse('an array hole') : e.type === 'SpreadElement' ? refuse('a spread') : literalValue(e, where)));
    case 'ObjectExpression': {
      const out: Record<string, unknown> = {};
      for (const p of node.properties as AnyNode[]) {
        if (p.type !== 'Property' || p.kind !== 'init' || p.method || p.shorthand || p.computed) return refuse(`a ${p.type === 'Property' ? `${String(p.kind)} property` : p.type}`);
        const k = p.key as AnyNode;
        const key = k.type === 'Identifier' ? (k.name as string) : k.type === 'Literal' && (typeof k.value === 'string' || typeof k.value === 'number') ? String(k.value) : refuse(`a ${k.type} key`);
        // defineProperty: a "__proto__" key stays an ordinary property, as with JSON.parse
        Object.defineProperty(out, key, { value: literalValue(p.value as AnyNode, where), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    default:
      return refuse(`a ${node.type}`);
  }
}

/** acorn, loaded on the first bundle (so commands that never read one start without it). */
let acornModule: typeof import('acorn') | undefined;
function acorn(): typeof import('acorn') {
  return (acornModule ??= createRequire(import.meta.url)('acorn') as typeof import('acorn'));
}

/** The literal a bundle file exports (parsed, never run). */
export function bundleExport(file: string, tensor?: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new WeightsError(file, tensor, `cannot read: ${(e as Error).message}`, { cause: e });
  }
  let program: AnyNode;
  try {
    program = acorn().parse(text, { ecmaVersion: 'latest', sourceType: 'script', locations: true }) as unknown as AnyNode;
  } catch (e) {
    throw new WeightsError(file, tensor, `not a readable JavaScript bundle: ${(e as Error).message}`, { cause: e });
  }
  const found = exportAssignments(program);
  if (found.length !== 1) {
    throw new WeightsError(file, tensor, `not a recognised model bundle: expected exactly one module setting 'module.exports = <literal>' (browserify UMD, as nsfwjs ships), found ${found.length}`);
  }
  const where = (n: AnyNode): string => {
    const loc = n.loc as { start: { line: number; column: number } } | undefined;
    return loc ? `line ${loc.start.line}, column ${loc.start.column + 1}` : 'bundle';
  };
  try {
    return literalValue(found[0]!.right as AnyNode, where);
  } catch (e) {
    throw new WeightsError(file, tensor, `not a recognised model bundle: ${(e as Error).message}`, { cause: e });
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Bytes of a shard bundle: its export must be one base64 string. */
function shardBytes(file: string, tensor: string | undefined): Buffer {
  const value = bundleExport(file, tensor);
  if (typeof value !== 'string') throw new WeightsError(file, tensor, `shard bundle exports a ${Array.isArray(value) ? 'list' : typeof value}, expected a base64 string`);
  if (value.length % 4 !== 0 || !BASE64.test(value)) throw new WeightsError(file, tensor, 'shard bundle string is not base64');
  return Buffer.from(value, 'base64');
}

const SHARD_SUFFIXES = ['.min.js', '.js', ''];

/** The bundle file holding shard `ref` of the manifest, inside the model's folder. */
function shardBundle(model: string, ref: unknown, tensor: string | undefined, opts: ContainOptions): string {
  const base = dirname(model);
  const name = typeof ref === 'string' ? ref : '';
  const hit = SHARD_SUFFIXES.map((s) => name + s).find((c) => c !== '' && existsSync(join(base, c)));
  return resolveInside(base, hit ?? ref, { file: model, tensor }, opts);
}

const temporary = new Set<string>();
function temporaryFolder(): string {
  if (temporary.size === 0) process.once('exit', () => temporary.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const dir = mkdtempSync(join(tmpdir(), 'ergo-bundle-'));
  temporary.add(dir);
  return dir;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Open a TF.js model (layers- or graph-model) wrapped in JS bundles. */
export async function openTfjsBundle(path: string, opts: ContainOptions = {}): Promise<WeightSource> {
  const model = bundleExport(path);
  if (!isObject(model) || !Array.isArray(model.weightsManifest)) {
    throw new WeightsError(path, undefined, 'bundle exports no TF.js model (an object with weightsManifest)');
  }
  const dir = temporaryFolder();
  const origin = new Map<string, string>(); // temporary shard name -> bundle it came from
  const manifest = model.weightsManifest.map((g: unknown, gi: number) => {
    if (!isObject(g) || !Array.isArray(g.paths)) throw new WeightsError(path, undefined, `weights group ${gi} lacks 'paths'`);
    const first = Array.isArray(g.weights) && isObject(g.weights[0]) && typeof g.weights[0].name === 'string' ? g.weights[0].name : undefined;
    const paths = g.paths.map((ref: unknown, i: number) => {
      const bundle = shardBundle(path, ref, first, opts);
      const name = `shard-${gi}-${i}.bin`;
      writeFileSync(join(dir, name), shardBytes(bundle, first));
      origin.set(name, bundle);
      return name;
    });
    return { ...g, paths };
  });
  const json = join(dir, 'model.json');
  writeFileSync(json, JSON.stringify({ ...model, weightsManifest: manifest }));
  // Errors from the TF.js reader name the temporary copy: name the bundles instead.
  const rename = (e: unknown): never => {
    if (!(e instanceof WeightsError)) throw e;
    const file = e.file === json ? path : origin.get(basename(e.file)) ?? path;
    const detail = e.message.slice(e.message.indexOf(': ') + 2).split(json).join(path);
    throw new WeightsError(file, e.tensor, detail, { cause: e });
  };
  let inner: WeightSource;
  try {
    inner = await openTfjs(json);
  } catch (e) {
    return rename(e);
  }
  return {
    ...inner,
    path,
    tensors: inner.tensors.map((t) => ({ ...t, load: () => t.load().catch(rename) })),
    warnings: inner.warnings.map((w) => w.split(json).join(path)),
  };
}

