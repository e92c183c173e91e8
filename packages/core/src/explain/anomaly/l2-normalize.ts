/** Unit-length rows: the form embeddings are compared in, where the dot product is the cosine. */
import { XqcError } from '../../errors.ts';

/**
 * Scales every row of `rows` to unit Euclidean length: y_i = x_i / ||x_i||_2 (norm summed
 * in float64).
 * @param rows [n, d] row-major
 * @returns [n, d] float32
 * @throws XQC_INVALID_ARGUMENT when a row has a non-finite value or is all zero (no direction)
 */
export function l2NormalizeRows(rows: ArrayLike<number>, n: number, d: number): Float32Array {
  if (rows.length !== n * d) throw new XqcError('XQC_SHAPE_MISMATCH', `${rows.length} values do not form ${n} rows of ${d}`);
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = rows[i * d + j];
      if (!Number.isFinite(v)) throw new XqcError('XQC_INVALID_ARGUMENT', `embedding row ${i} has a non-finite value at ${j}`);
      s += v * v;
    }
    if (s === 0) throw new XqcError('XQC_INVALID_ARGUMENT', `embedding row ${i} is all zero and has no direction to compare`);
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < d; j++) out[i * d + j] = rows[i * d + j] * inv;
  }
  return out;
}
