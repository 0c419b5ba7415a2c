// Architecture equivalence from Var(CSD) (SPEC section 7; docs/csd.md).
//
// Pairwise rule: networks i and j are equivalent at tolerance delta iff both are
// conjugate, both to the same circular ensemble, and |Var_i - Var_j| <= delta.
// That relation is reflexive (on conjugate networks) and symmetric but NOT
// transitive (a ~ b and b ~ c with |a - c| > delta is common), so it does not define
// classes by itself. Classes here are its transitive closure: connected components
// of the graph whose edges are the equivalent pairs (single linkage). Pairs placed in
// one class only through a chain, whose own difference exceeds delta, are flagged.
// A non-conjugate network is equivalent to nothing, itself included: its own class.

export interface EquivalenceEntry {
  name: string;
  varCsd: number;
  conjugate: boolean;
  /**
   * Which circular ensemble the network was found conjugate to (e.g. 'CUE-mixed').
   * Entries that omit it are taken to share one unnamed reference ensemble.
   */
  circularId?: string;
}

export interface ChainFlag {
  a: string;
  b: string;
  /** |Var_a - Var_b| (> delta). */
  diff: number;
  /** Index into `classes`. */
  classIndex: number;
}

export interface EquivalenceTable {
  names: string[];
  delta: number;
  /** diff[i][j] = |Var_i - Var_j|. */
  diff: number[][];
  /** equivalent[i][j]: the pairwise rule above (diagonal true iff conjugate). */
  equivalent: boolean[][];
  /** Classes as lists of names, each in input order; classes ordered by first member. */
  classes: string[][];
  /** classOf[i] = index into `classes` of entry i. */
  classOf: number[];
  /** Pairs (input order, a before b) sharing a class but with |diff| > delta. */
  flags: ChainFlag[];
}

// Union-find with path halving (Tarjan 1975) for the connected components.
function find(parent: Int32Array, i: number): number {
  while (parent[i] !== i) {
    parent[i] = parent[parent[i]!]!;
    i = parent[i]!;
  }
  return i;
}

/** Default tolerance on |Var(CSD_a) - Var(CSD_b)| (SPEC section 7). */
export const DEFAULT_EQUIVALENCE_DELTA = 0.1;

export function equivalenceTable(entries: readonly EquivalenceEntry[], delta: number): EquivalenceTable {
  if (!Number.isFinite(delta) || delta < 0) {
    throw new RangeError(`equivalenceTable: delta must be a finite number >= 0, got ${delta}`);
  }
  const n = entries.length;
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.name)) throw new RangeError(`equivalenceTable: duplicate network name "${e.name}"`);
    seen.add(e.name);
    if (!Number.isFinite(e.varCsd)) {
      throw new RangeError(`equivalenceTable: Var(CSD) of "${e.name}" is not finite (${e.varCsd})`);
    }
  }
  const diff: number[][] = [];
  const equivalent: boolean[][] = [];
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  for (let i = 0; i < n; i++) {
    const ei = entries[i]!;
    const drow: number[] = [];
    const erow: boolean[] = [];
    for (let j = 0; j < n; j++) {
      const ej = entries[j]!;
      const d = Math.abs(ei.varCsd - ej.varCsd);
      drow.push(d);
      const eq =
        ei.conjugate && ej.conjugate && (ei.circularId ?? '') === (ej.circularId ?? '') && d <= delta;
      erow.push(eq);
      if (eq && j > i) {
        const ri = find(parent, i);
        const rj = find(parent, j);
        if (ri !== rj) parent[Math.max(ri, rj)] = Math.min(ri, rj);
      }
    }
    diff.push(drow);
    equivalent.push(erow);
  }
  const classOf: number[] = new Array<number>(n);
  const classes: string[][] = [];
  const rootClass = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const r = find(parent, i);
    let c = rootClass.get(r);
    if (c === undefined) {
      c = classes.length;
      rootClass.set(r, c);
      classes.push([]);
    }
    classes[c]!.push(entries[i]!.name);
    classOf[i] = c;
  }
  const flags: ChainFlag[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (classOf[i] === classOf[j] && diff[i]![j]! > delta) {
        flags.push({ a: entries[i]!.name, b: entries[j]!.name, diff: diff[i]![j]!, classIndex: classOf[i]! });
      }
    }
  }
  return { names: entries.map((e) => e.name), delta, diff, equivalent, classes, classOf, flags };
}
