// Which arithmetic the spectral measures follow (SPEC section 4).
// - 'definition' (default): the mathematics as the papers define it, with the
//   choices written in each file's header (shared bin edges, bins covering
//   [-pi, pi], sorted eigenvalue lists before periodic padding, ...).
// - 'bristol': the reference Python package bristol 0.2.14 operation for
//   operation (numpy's arange/linspace edges and histogram rules), so that its
//   published numbers can be reproduced; checked against test/fixtures/bristol.

export type Semantics = 'definition' | 'bristol';

export const DEFAULT_SEMANTICS: Semantics = 'definition';

export function parseSemantics(s: unknown): Semantics {
  if (s === undefined) return DEFAULT_SEMANTICS;
  if ((SEMANTICS as readonly unknown[]).includes(s)) return s as Semantics;
  throw new RangeError(`semantics must be one of ${SEMANTICS.join(', ')}, got ${JSON.stringify(s)}`);
}

/** Every semantics, in the order help texts list them. */
export const SEMANTICS: readonly Semantics[] = ['definition', 'bristol'];
