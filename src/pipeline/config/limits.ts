// Hard caps of the config schema (schema.ts), the plan size limit and the rule for run
// names: far above any real sweep (the 2017 experiment is N <= 1024, M = 40), low enough that
// a typo cannot ask for years of work, a plan that does not fit in memory, or a run
// directory outside runs/. runtime/bounds.ts checks the resources a valid config needs.

/** At most this many chunks in one plan (raise `chunk:` for fewer, larger files). */
export const MAX_CHUNKS = 100_000;

export const LIMITS = {
  /** N of a matrix (the CMV sampler handles N = 16384 in seconds; dense samplers are refused large N by memory). */
  size: 1_000_000,
  sizes: 1_000,
  matrices: 10_000_000,
  bins: 1_000_000,
  plotPoints: 10_000_000,
  networks: 10_000,
  reuse: 100,
  draws: 10_000,
  /** Bootstrap replicates per interval (each costs O(M K) per size). */
  resamples: 100_000,
  csdBins: 10_000_000,
  mmeCount: 10_000_000,
  text: 4_096,
} as const;

/** Run names are plain names, never paths: they become a folder under runs/. */
export const PLAIN_NAME = '^(?!\\.\\.?$)[A-Za-z0-9._-]{1,100}$';
export const PLAIN_NAME_HELP = 'expected a plain name of at most 100 letters, digits, ".", "_" or "-" (not a path)';
