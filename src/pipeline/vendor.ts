// Dependencies loaded from the build's one-file bundles in dist/vendor/ (scripts/build-vendor.mjs
// says why: loading one file instead of dozens saves about 65 ms for yaml and 17 ms for
// cli-progress in every process), or from the packages when there is no bundle (running from
// the sources, or an install made without esbuild). Same code either way: a bundle is the
// installed package, unchanged. Loaded on first use, so commands that need neither (ergo
// --help, ergo layers) do not pay for them.
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type CliProgress from 'cli-progress';

const require = createRequire(import.meta.url);
/** dist/vendor/ as seen from this file's place in the build, dist/src/pipeline/vendor.js. */
const VENDOR = '../../vendor/';

function vendored<T>(bundle: string, pkg: string): T {
  try {
    return require(VENDOR + bundle) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    return require(pkg) as T;
  }
}

let yamlLib: typeof Yaml | undefined;
let cliProgressLib: typeof CliProgress | undefined;

/** The `yaml` package. */
export function yaml(): typeof Yaml {
  return (yamlLib ??= vendored<typeof Yaml>('yaml.cjs', 'yaml'));
}

/** The `cli-progress` package. */
export function cliProgress(): typeof CliProgress {
  return (cliProgressLib ??= vendored<typeof CliProgress>('cli-progress.cjs', 'cli-progress'));
}
