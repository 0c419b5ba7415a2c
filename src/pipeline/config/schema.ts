// Reading a run file: YAML with line numbers, checked against the JSON Schema of validator.ts,
// and the error messages: every error names the file, the line, the key path and what was
// expected, so a user fixing an overnight config does not have to guess.
import type { LineCounter, Document } from 'yaml';
import type { ErrorObject } from 'ajv';
import { closest, distance } from 'fastest-levenshtein';
import { UserError } from '../../errors.js';
import { configSchema, validator } from './validator.js';
import { PLAIN_NAME, PLAIN_NAME_HELP } from './limits.js';
import { yaml } from '../vendor.js';

export { configSchema };

export class ConfigError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface Located {
  doc: Document;
  lines: LineCounter;
  file: string;
}

export function lineOf(loc: Located, path: (string | number)[], key = false): number | undefined {
  // Walk down as far as the path exists; report the deepest existing node's line.
  for (let depth = path.length; depth >= 0; depth--) {
    const sub = path.slice(0, depth);
    let node: unknown = sub.length ? loc.doc.getIn(sub, true) : loc.doc.contents;
    if (key && depth === path.length && depth > 0) {
      const parent = depth > 1 ? loc.doc.getIn(sub.slice(0, -1), true) : loc.doc.contents;
      if (yaml().isMap(parent)) {
        const pair = parent.items.find((p) => (p.key as { value?: unknown })?.value === sub[sub.length - 1]);
        if (pair) node = pair.key;
      }
    }
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return loc.lines.linePos(range[0]).line;
  }
  return undefined;
}

function pathOf(instancePath: string): (string | number)[] {
  return instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function showPath(path: (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out || '(top level)';
}

/** The keys the schema allows where an additionalProperties error was found (from its schemaPath). */
function allowedKeys(schemaPath: string): string[] {
  let node: unknown = configSchema;
  for (const seg of schemaPath.replace(/^#\//, '').split('/').slice(0, -1)) node = (node as Record<string, unknown> | undefined)?.[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  const props = (node as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? Object.keys(props) : [];
}

/** ` (did you mean "sizes"?)` for a key within a small edit distance of an allowed one (Levenshtein). */
export function didYouMean(key: string, allowed: readonly string[]): string {
  if (!allowed.length) return '';
  const best = closest(key, [...allowed]);
  // A typo, not another word: at most 1 edit for short keys, 2 up to 8 letters, then a quarter of the length.
  const limit = key.length <= 4 ? 1 : key.length <= 8 ? 2 : Math.ceil(key.length / 4);
  return distance(key, best) <= limit ? ` (did you mean "${best}"?)` : '';
}

function describe(err: ErrorObject, value: unknown): string {
  const got = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = (err.params as { additionalProperty: string }).additionalProperty;
      return `unknown key "${key}"${didYouMean(key, allowedKeys(err.schemaPath))}`;
    }
    case 'enum':
      return `expected one of ${(err.params as { allowedValues: unknown[] }).allowedValues.join(', ')}${got}`;
    case 'type':
      return `expected ${(err.params as { type: string | string[] }).type}${got}`;
    case 'required':
      return `missing required key "${(err.params as { missingProperty: string }).missingProperty}"`;
    case 'pattern':
      return `${(err.params as { pattern: string }).pattern === PLAIN_NAME ? PLAIN_NAME_HELP : (err.message ?? 'invalid')}${got}`;
    default:
      return `${err.message ?? 'invalid'}${got}`;
  }
}

function getAt(root: unknown, path: (string | number)[]): unknown {
  let cur: unknown = root;
  for (const p of path) cur = (cur as Record<string | number, unknown> | undefined)?.[p];
  return cur;
}

// Pick the most useful error per location: anyOf branches produce noise, so prefer the
// branch whose errors go deepest (the object form when the user wrote an object).
function pickErrors(errors: ErrorObject[]): ErrorObject[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    if (e.keyword === 'anyOf') continue;
    const list = byPath.get(e.instancePath) ?? [];
    list.push(e);
    byPath.set(e.instancePath, list);
  }
  const out: ErrorObject[] = [];
  for (const [path, list] of byPath) {
    // Drop errors at a path that has deeper errors (the object branch explained it better).
    const isBranchMismatch = (e: ErrorObject): boolean => e.keyword === 'type' || e.keyword === 'enum';
    const deeper = [...byPath.keys()].some((p) => p !== path && p.startsWith(path + '/'));
    if (deeper && list.every(isBranchMismatch)) continue;
    if (list.some((e) => !isBranchMismatch(e))) list.splice(0, list.length, ...list.filter((e) => !isBranchMismatch(e)));
    // A value of the right type but a wrong choice ("GUE"): the enum says it; the other branch's type error is noise.
    if (list.some((e) => e.keyword === 'enum')) list.splice(0, list.length, ...list.filter((e) => e.keyword !== 'type'));
    // For a union like "CUE or {ensemble, method}", report type errors only once.
    const seen = new Set<string>();
    for (const e of list) {
      const k = e.keyword + JSON.stringify(e.params);
      if (!seen.has(k)) out.push(e), seen.add(k);
    }
  }
  return out;
}

/** `file[:line]: ` for a message about the node at `path`. */
export function at(loc: Located, path: (string | number)[]): string {
  const line = lineOf(loc, path);
  return `${loc.file}${line ? `:${line}` : ''}: `;
}

/** Parse YAML text and check it against the schema; `file` is used in messages only. */
export function validateYaml(text: string, file: string): { raw: Record<string, unknown>; loc: Located } {
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const line = lines.linePos(e.pos[0]).line;
    const msg = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(`${file}${line ? `:${line}` : ''}: malformed YAML: ${msg}`);
  }
  const raw: unknown = doc.toJS() ?? {};
  const loc: Located = { doc, lines, file };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`${file}:1: expected a mapping of keys (name, sizes, ensembles, ...) at the top level`);
  }
  const validate = validator();
  if (!validate(raw)) {
    const msgs = pickErrors(validate.errors ?? []).map((err) => {
      const path = pathOf(err.instancePath);
      const isKey = err.keyword === 'additionalProperties';
      const fullPath = isKey ? [...path, (err.params as { additionalProperty: string }).additionalProperty] : path;
      const line = lineOf(loc, fullPath, isKey);
      return `${file}${line ? `:${line}` : ''}: ${showPath(fullPath)}: ${describe(err, isKey ? undefined : getAt(raw, path))}`;
    });
    throw new ConfigError(msgs.join('\n'));
  }
  return { raw: raw as Record<string, unknown>, loc };
}
