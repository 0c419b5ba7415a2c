// The tables and notes of the HTML report (html.ts), per experiment. Every text is escaped:
// network and layer names come from model files.
import type { ErgodicityReport } from './ergodicity.js';
import type { CpseReport } from './cpse.js';
import type { CsdReport } from './csd.js';
import type { MmeReport } from './mme.js';
import { intervalOf } from './figures.js';

/** HTML-escape a text (also for attribute values). */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export const num = (x: number, d = 4): string =>
  Number.isNaN(x) ? 'NaN' : x === Infinity ? '∞' : x === -Infinity ? '−∞' : x === 0 ? '0' : Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3 ? x.toExponential(d - 1) : x.toFixed(d);

export function table(head: readonly string[], rows: readonly (readonly (string | number)[])[], cls = ''): string {
  const cell = (c: string | number, tag: string) => `<${tag}${typeof c === 'number' ? ' class="n"' : ''}>${typeof c === 'number' ? esc(num(c)) : esc(c)}</${tag}>`;
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => cell(c, 'td')).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export const note = (html: string) => `<p class="note">${html}</p>`;

export function sweepTables(r: ErgodicityReport): string {
  const withIv = r.series.some((s) => s.dse.some((d) => intervalOf(d, 'dse')));
  const dse = table(
    ['series', 'N → N′', 'D_se (bits)', 'log10 D_se', ...(withIv ? ['interval of D_se'] : [])],
    r.series.flatMap((s) =>
      s.dse.map((d) => {
        const iv = intervalOf(d, 'dse');
        return [s.label, `${d.from} → ${d.to}`, d.dse, d.log10Dse, ...(withIv ? [iv ? `[${num(iv[0])}, ${num(iv[1])}]` : '—'] : [])];
      }),
    ),
  );
  const omega = table(['series', 'N', 'matrices', 'mean Omega'], r.series.flatMap((s) => s.sizes.map((z) => [s.label, String(z.n), String(z.matrices), z.omegaMean])));
  return (
    `<h2 id="tables">Tables</h2><h3>D_se per size transition</h3>${dse}` +
    note('D_se is the symmetric Kullback–Leibler divergence (log2, bits) between the spectral ergodicity Omega at N and at N′; it falls towards 0 as the ensemble approaches spectral ergodicity.') +
    `<h3>Omega per size</h3>${omega}`
  );
}

export function cpseTables(r: CpseReport): string {
  let html = '<h2 id="tables">Tables</h2>';
  for (const n of r.networks) {
    const iv = intervalOf(n, 'cpse');
    html += `<h3>${esc(n.name)} <span class="sub">(${esc(n.format)}, ${n.layers.length} layers, N_max = ${n.nMax}; cPSE = ${esc(num(n.cpse, 6))}${iv ? ` [${esc(num(iv[0]))}, ${esc(num(iv[1]))}]` : ''})</span></h3>`;
    html += table(
      ['depth', 'layer added', 'N', 'd_layers (bits)', 'log10 d'],
      n.dLayers.map((d) => [String(d.depth), d.layer, String(d.n), d.d, d.log10D]),
    );
    html += `<details><summary>Layers (${n.layers.length})</summary>${table(['#', 'name', 'shape', 'N', 'M', 'backend'], n.layers.map((l) => [String(l.index), l.name, l.shape.join(' × '), String(l.n), String(l.m), l.backend]))}</details>`;
    for (const w of n.warnings) html += `<p class="warn">warning: ${esc(w)}</p>`;
  }
  return html + cpseNotes();
}

function cpseNotes(): string {
  return note(
    'How to read d: the row at depth l compares the binned spectral density Omega of the first l − 1 layers with that of the first l (spectra padded periodically to N_max), ' +
      'so the first layer has no row of its own. <b>The last layer has no d</b>: the reference definition stops at D_{L−2} and leaves the last layer out; ergo keeps that so its numbers agree with the published ones (SPEC section 6). ' +
      '<b>−∞</b>: a d_layers of exactly 0 (adding that layer left Omega unchanged, usually because all eigenvalues fall into the same bins); its log10 is −∞, so the cPSE, the mean of log10 d, is −∞ too. More bins may separate them. ' +
      '<b>NaN</b>: fewer than 3 layers, so no d at all.',
  );
}

export function csdTables(r: CsdReport): string {
  const withIv = r.networks.some((n) => intervalOf(n.varCsd, 'var') ?? intervalOf(n, 'var'));
  const rows = r.networks.map((n) => {
    const iv = intervalOf(n.varCsd, 'var') ?? intervalOf(n, 'var');
    return [
      n.name, String(n.layers), String(n.pooled), n.outsideFraction, n.varCsd.mean, n.varCsd.std,
      ...(withIv ? [iv ? `[${num(iv[0])}, ${num(iv[1])}]` : '—'] : []),
      n.cumulativeAtEMax.mean, n.conjugate ? `yes (${n.conjugateDraws}/${r.draws} draws)` : 'no', String(n.class + 1),
    ];
  });
  let html = `<h2 id="tables">Tables</h2>${table(
    ['network', 'layers', 'eigenvalues', 'fraction above e_max', 'Var(CSD) mean', 'std', ...(withIv ? ['interval'] : []), 'cum. CSD at e_max', 'conjugate', 'class'],
    rows,
  )}`;
  html += '<h3>Equivalence classes</h3><ul>' + r.equivalence.classes.map((c, i) => `<li>class ${i + 1}: ${esc(c.join(', '))}</li>`).join('') + '</ul>';
  for (const f of r.equivalence.flags) html += `<p class="warn">note: ${esc(f.a)} and ${esc(f.b)} share class ${f.classIndex + 1} through a chain, but differ by ${esc(num(f.diff))} &gt; delta</p>`;
  for (const n of r.networks) for (const w of n.warnings) html += `<p class="warn">warning: ${esc(n.name)}: ${esc(w)}</p>`;
  return (
    html +
    note(
      `Compared against ${esc(r.against)}${r.normalise === 'trace' ? ', spectra divided by their mean eigenvalue' : ''}; window [0, ${esc(r.eMax)}], ${r.bins} bins, ${r.draws} draw(s), seed ${esc(r.seed)}. ` +
        `Two networks are equivalent when their Var(CSD) differ by less than delta = ${esc(r.delta)} (classes are chains of such pairs); a network is conjugate when |cumulative CSD at e_max| &lt; ${esc(r.tolerance)}.`,
    )
  );
}

export function mmeTables(r: MmeReport): string {
  const iv = intervalOf(r, 'cpse');
  return (
    `<h2 id="tables">Tables</h2><p>${r.count} matrices |U|, U from ${esc(r.ensemble)} (${esc(r.method)}), orders ~ Binomial(${r.order}, ${r.p}); orders drawn: ${esc(r.orders.join(' '))}${r.ensemble === 'CSE' ? ' (Kramers pairs)' : ''}.</p>` +
    table(['depth', 'N', 'd (bits)', 'log10 d'], r.dLayers.map((d) => [String(d.depth), String(d.n), d.d, d.log10D])) +
    `<p>cPSE = ${esc(num(r.cpse, 6))}${iv ? `, interval [${esc(num(iv[0]))}, ${esc(num(iv[1]))}] over draws` : ''}</p>` +
    cpseNotes()
  );
}

