// Progress of `cpse` / `csd` over a network's layers: layers differ in cost by orders of
// magnitude (a 64 x 27 conv against an 11008 x 4096 projection), so the share done and the ETA
// are weighted by each layer's estimated work (pipeline/spectra.ts layerCost), and the rate is
// measured on computed layers only (cached ones cost nothing).
import type { SpectraEvent } from '../pipeline/spectra.js';
import { formatSeconds } from './progress.js';

type LayerEvent = Extract<SpectraEvent, { type: 'layer' }>;

/** Returns a function turning each layer event into one progress line. */
export function layerProgress(now: () => number = Date.now): (e: LayerEvent) => string {
  const started = now();
  let computedCost = 0;
  return (e) => {
    if (!e.cached) computedCost += e.cost;
    const elapsed = (now() - started) / 1000;
    const pct = e.costTotal > 0 ? Math.floor((100 * e.costDone) / e.costTotal) : 100;
    const rate = computedCost / Math.max(elapsed, 1e-3);
    const left = e.costTotal - e.costDone;
    const eta = left <= 0 ? '0 s' : rate > 0 ? formatSeconds(left / rate) : '?';
    return `[ergo] ${e.network}: layer ${e.done}/${e.total} ${e.name}${e.cached ? ' (cached)' : ''}, ${pct}% of the work, elapsed ${formatSeconds(elapsed)}, ETA ${eta}`;
  };
}
