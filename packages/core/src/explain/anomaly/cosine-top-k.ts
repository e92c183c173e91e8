/**
 * The k most similar rows by cosine similarity, in ONNX Runtime, as a small cached graph:
 *
 *   scores = Gemm(query [Q, D], rows [M, D], transB = 1)   (the matrix product q . r for unit rows)
 *   similarities, indices = TopK(scores, k, largest = 1, sorted = 1)
 *
 * Both operands are fed, so one compiled graph serves an index that grows and shrinks.
 * The rows go through in chunks of at most `chunkRows` (one run per chunk, the [Q, chunk]
 * score block stays bounded); per query the chunk winners are merged by similarity,
 * ties going to the lower row index as ONNX TopK orders them within a chunk.
 */
import { XqcError } from '../../errors.ts';
import { saveModel } from '../../onnx/model-io.ts';
import { tensor } from '../../onnx/tensor.ts';
import { defaultSessionCache } from '../../runtime/session.ts';
import type { SessionCache, SessionOptions } from '../../runtime/session.ts';
import { kernelModel } from '../../models/anomaly/kernel-model.ts';

/** Default rows per run: 16384 rows of a 512-wide embedding are 32 MiB. */
export const DEFAULT_SEARCH_CHUNK_ROWS = 16384;

/** Options of {@link cosineTopK}. */
export interface CosineTopKOptions {
  cache?: SessionCache;
  session?: SessionOptions;
  /** Rows per run (default {@link DEFAULT_SEARCH_CHUNK_ROWS}). */
  chunkRows?: number;
}

/** Top-k result, row-major [Q, k]: similarities descending, row indices into `rows`. */
export interface TopKResult {
  k: number;
  similarities: Float32Array;
  indices: Int32Array;
}

let modelBytes: Uint8Array | undefined;

/** The graph: inputs `query` [Q, D], `rows` [M, D] float32 and `k` int64 [1]; outputs `similarities` [Q, K] float32, `indices` [Q, K] int64. */
export function cosineTopKModelBytes(): Uint8Array {
  if (!modelBytes) {
    const { model, b } = kernelModel('cosine_top_k', [
      { name: 'query', dtype: 'float32', shape: ['Q', 'D'] },
      { name: 'rows', dtype: 'float32', shape: ['M', 'D'] },
      { name: 'k', dtype: 'int64', shape: [1] },
    ]);
    const scores = b.op1('Gemm', ['query', 'rows'], { transB: 1 });
    b.op('TopK', [scores, 'k'], { axis: -1, largest: 1, sorted: 1 }, { outputNames: ['similarities', 'indices'] });
    model.graph.outputs = [
      { name: 'similarities', dtype: 'float32', shape: ['Q', 'K'] },
      { name: 'indices', dtype: 'int64', shape: ['Q', 'K'] },
    ];
    modelBytes = saveModel(model);
  }
  return modelBytes;
}

/**
 * The min(k, M) rows of `rows` with the largest dot product with each query row. With
 * unit-length rows and queries (see `l2NormalizeRows`) the dot product is the cosine
 * similarity.
 * @param queries [Q, D] float32, row-major
 * @param rows [M, D] float32, row-major, M >= 1
 * @param k >= 1
 */
export async function cosineTopK(queries: Float32Array, q: number, rows: Float32Array, m: number, d: number, k: number, options: CosineTopKOptions = {}): Promise<TopKResult> {
  if (queries.length !== q * d || rows.length !== m * d) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `top-k: ${queries.length} query values and ${rows.length} row values do not form rows of ${d}`);
  }
  if (m < 1) throw new XqcError('XQC_EXPLAIN', 'top-k search over no rows');
  if (!(Number.isInteger(k) && k >= 1)) throw new XqcError('XQC_INVALID_ARGUMENT', `k must be a positive integer, got ${k}`);
  const chunkRows = options.chunkRows ?? DEFAULT_SEARCH_CHUNK_ROWS;
  if (!(Number.isInteger(chunkRows) && chunkRows >= 1)) throw new XqcError('XQC_INVALID_ARGUMENT', `chunkRows must be a positive integer, got ${chunkRows}`);
  const kk = Math.min(k, m);
  const session = await (options.cache ?? defaultSessionCache).get(cosineTopKModelBytes(), options.session);
  const query = tensor('float32', [q, d], queries);
  const bestS = new Float32Array(q * kk).fill(-Infinity);
  const bestI = new Int32Array(q * kk).fill(-1);
  const mergedS = new Float32Array(kk);
  const mergedI = new Int32Array(kk);
  for (let start = 0; start < m; start += chunkRows) {
    const count = Math.min(chunkRows, m - start);
    const kc = Math.min(kk, count);
    const out = await session.run(
      { query, rows: tensor('float32', [count, d], rows.subarray(start * d, (start + count) * d)), k: tensor('int64', [1], [kc]) },
      ['similarities', 'indices'],
    );
    const sims = out.similarities.data as Float32Array;
    const idx = out.indices.data as BigInt64Array;
    for (let i = 0; i < q; i++) {
      // Merge two lists sorted by (similarity desc, index asc); every earlier row index is below this chunk's.
      let a = 0;
      let c = 0;
      for (let r = 0; r < kk; r++) {
        const takeChunk = c < kc && (a >= kk || bestI[i * kk + a] < 0 || sims[i * kc + c] > bestS[i * kk + a]);
        if (takeChunk) {
          mergedS[r] = sims[i * kc + c];
          mergedI[r] = start + Number(idx[i * kc + c]);
          c++;
        } else {
          mergedS[r] = bestS[i * kk + a];
          mergedI[r] = bestI[i * kk + a];
          a++;
        }
      }
      bestS.set(mergedS, i * kk);
      bestI.set(mergedI, i * kk);
    }
  }
  return { k: kk, similarities: bestS, indices: bestI };
}
