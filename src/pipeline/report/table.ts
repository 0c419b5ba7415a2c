// The one aligned text table writer (stdout tables of every command and report).
export type Align = 'left' | 'right';

/**
 * Rows of cells padded to their column's widest cell; `align[i]` per column (default: first
 * column left, the rest right). `indent` is prefixed to every line; trailing spaces trimmed.
 */
export function textTable(rows: readonly (readonly string[])[], opts: { align?: readonly Align[]; indent?: string } = {}): string[] {
  if (!rows.length) return [];
  const cols = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: cols }, (_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const align = (i: number): Align => opts.align?.[i] ?? (i === 0 ? 'left' : 'right');
  return rows.map((r) => (opts.indent ?? '') + r.map((c, i) => (align(i) === 'left' ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
}

/** Quote a free-text CSV cell (names of networks and layers). */
export const quoted = (s: string): string => JSON.stringify(s);

/** The one CSV writer: a header line and one line per row (numbers as shortest round-trip decimals). */
export function csv(header: readonly string[], rows: readonly (readonly (string | number | boolean)[])[]): string {
  return [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
}
