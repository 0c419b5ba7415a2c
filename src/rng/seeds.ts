// Chunk seeds (SPEC section 2): a chunk's stream is seeded either from an explicit
// per-chunk seed list or from the run seed and the chunk's identity. Derivation:
// SHA-256 of a canonical JSON of [runSeed, ...identity], first 32 hex digits; the
// result depends only on those values, never on scheduling.
import { createHash } from 'node:crypto';

export type SeedPart = string | number;

export function deriveSeed(runSeed: SeedPart, ...identity: SeedPart[]): string {
  const text = JSON.stringify([runSeed, ...identity]);
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** Seed for chunk `index` of `total`: from the explicit list if given, else derived. */
export function chunkSeed(
  runSeed: SeedPart,
  identity: SeedPart[],
  index: number,
  explicit?: readonly SeedPart[],
): string {
  if (explicit) {
    if (index < 0 || index >= explicit.length) {
      throw new RangeError(`chunk ${index} has no seed: the seed list has ${explicit.length} entries`);
    }
    return String(explicit[index]);
  }
  return deriveSeed(runSeed, ...identity, index);
}
