// The tool's name and version, as written into manifests, chunk metadata and result files.
import { readFileSync } from 'node:fs';

export const TOOL_NAME = 'ergo';

// The package version, found by walking up from this module to ergo's package.json
// (works from dist/src/pipeline and from src/pipeline alike).
// Test hook: ERGO_TEST_VERSION pretends to be another ergo version (the distributed tests start
// a worker of a "different version" with it); read here only, never set outside tests.
export const TOOL_VERSION: string = process.env.ERGO_TEST_VERSION || (() => {
  for (let up = '../'; up.length < 16; up += '../') {
    try {
      const pkg = JSON.parse(readFileSync(new URL(`${up}package.json`, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === TOOL_NAME && pkg.version) return pkg.version;
    } catch {
      // not at this level
    }
  }
  return '0.0.0';
})();
