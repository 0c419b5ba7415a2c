// A build output's stamp: a digest of what the output was made from, in `<output>.stamp`.
// The build scripts (build-wasm, build-vendor) skip their work when the output exists and its
// stamp holds the digest of their current inputs.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** True when `outFile` exists and was made from inputs with this digest. */
export function upToDate(outFile, digest) {
  const stamp = `${outFile}.stamp`;
  return existsSync(outFile) && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest;
}

/** Records that `outFile` was made from inputs with this digest. */
export function writeStamp(outFile, digest) {
  writeFileSync(`${outFile}.stamp`, digest);
}
