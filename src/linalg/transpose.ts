// Blocked out-of-place matrix transpose: a row-major n x m matrix written as its m x n transpose.
// Contract: dst[offset + j * n + i] = a[i * m + j] for all i < n, j < m; nothing else in dst is
// touched. Pure copy (no arithmetic), so every caller gets the same bits.

// Blocked transpose in 64 x 64 tiles, so that both the rows read and the rows written stay in cache.
export function transposeInto(a: Float64Array, n: number, m: number, dst: Float64Array, offset = 0): void {
  const B = 64;
  for (let i0 = 0; i0 < n; i0 += B) {
    const i1 = Math.min(n, i0 + B);
    for (let j0 = 0; j0 < m; j0 += B) {
      const j1 = Math.min(m, j0 + B);
      for (let i = i0; i < i1; i++) {
        const r = i * m;
        for (let j = j0; j < j1; j++) dst[offset + j * n + i] = a[r + j]!;
      }
    }
  }
}
