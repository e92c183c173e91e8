/**
 * Principal axes of a point set as an orthonormal rotation. Rotating points does not
 * change any distance between them, so the k-center selection on rotated points is the
 * selection on the originals; but with the axes sorted by decreasing variance, partial
 * squared distances grow fastest and the bounded distance loops stop early.
 */

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations (Golub and Van
 * Loan, 8.5): A = V diag(values) V^T with V orthogonal.
 * @param a [n, n] float64, symmetric (only read)
 * @returns eigenvalues [n] and eigenvectors [n, n] (column j belongs to values[j]), unsorted
 */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale += m[i] * m[i];
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] * m[p * n + q];
    if (off <= 1e-30 * scale || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p];
          const mkq = m[k * n + q];
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k];
          const mqk = m[q * n + k];
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = m[i * n + i];
  return { values, vectors: v };
}

/**
 * The principal axes of the rows of `y`, estimated from at most `maxRows` rows taken at
 * an even stride: R [d, d] float64 with orthonormal columns sorted by decreasing variance,
 * so `y R` has its largest-variance coordinate first.
 * @param y [n, d] float32, row-major
 */
export function principalRotation(y: Float32Array, n: number, d: number, maxRows = 20000): Float64Array {
  const step = Math.max(1, Math.ceil(n / maxRows));
  const mean = new Float64Array(d);
  let count = 0;
  for (let i = 0; i < n; i += step, count++) for (let j = 0; j < d; j++) mean[j] += y[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= count;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i += step) {
    for (let j = 0; j < d; j++) row[j] = y[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      const o = a * d;
      for (let b = a; b < d; b++) cov[o + b] += ra * row[b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = a + 1; b < d; b++) cov[b * d + a] = cov[a * d + b];
  const { values, vectors } = symmetricEigen(cov, d);
  const order = Array.from({ length: d }, (_, i) => i).sort((a, b) => values[b] - values[a]);
  const r = new Float64Array(d * d);
  for (let k = 0; k < d; k++) for (let i = 0; i < d; i++) r[i * d + k] = vectors[i * d + order[k]];
  return r;
}
