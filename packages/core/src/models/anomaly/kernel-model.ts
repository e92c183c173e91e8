/**
 * Small helper graphs ("kernels") that PatchCore runs in ONNX Runtime: an empty model to
 * build on, and the row projection used by the coreset. Sessions are cached by model
 * bytes, so a kernel is compiled once per process.
 */
import { GraphBuilder } from '../../onnx/builder.ts';
import type { Model, ValueInfo } from '../../onnx/ir.ts';
import { saveModel } from '../../onnx/model-io.ts';
import { defaultSessionCache } from '../../runtime/session.ts';
import type { SessionCache, SessionOptions } from '../../runtime/session.ts';
import type { RowProjector } from './coreset.ts';

/** Opset of the kernels and of the exported detector's own nodes when built from scratch. */
export const KERNEL_OPSET = 17;

/** An empty model with `inputs`, and a builder on its graph. */
export function kernelModel(name: string, inputs: ValueInfo[], opset = KERNEL_OPSET): { model: Model; b: GraphBuilder } {
  const model: Model = {
    irVersion: 8,
    opsetImports: [{ domain: '', version: opset }],
    producerName: 'xai-qc',
    producerVersion: '',
    domain: '',
    modelVersion: 1,
    docString: '',
    metadata: {},
    graph: { name, nodes: [], inputs: inputs.map((i) => ({ ...i })), outputs: [], initializers: new Map(), valueInfo: [] },
    extra: [],
  };
  return { model, b: new GraphBuilder(model.graph, opset, name) };
}

let matmulBytes: Uint8Array | undefined;

/** `rows` [R, dIn] x `matrix` [dIn, dOut] -> `product` [R, dOut], float32, both fed. */
function matmulModelBytes(): Uint8Array {
  if (!matmulBytes) {
    const { model, b } = kernelModel('matmul', [
      { name: 'rows', dtype: 'float32', shape: ['R', 'I'] },
      { name: 'matrix', dtype: 'float32', shape: ['I', 'O'] },
    ]);
    b.op('MatMul', ['rows', 'matrix'], {}, { outputNames: ['product'] });
    model.graph.outputs = [{ name: 'product', dtype: 'float32', shape: ['R', 'O'] }];
    matmulBytes = saveModel(model);
  }
  return matmulBytes;
}

/**
 * A {@link RowProjector} that multiplies in ONNX Runtime, `chunkRows` rows per run
 * (default 65536) so that no single input or output grows past a few hundred MB.
 */
export function onnxRowProjector(options: { cache?: SessionCache; session?: SessionOptions; chunkRows?: number } = {}): RowProjector {
  const chunk = options.chunkRows ?? 65536;
  return async (rows, n, dIn, matrix, dOut) => {
    const session = await (options.cache ?? defaultSessionCache).get(matmulModelBytes(), options.session);
    const out = new Float32Array(n * dOut);
    const m = { dtype: 'float32' as const, dims: [dIn, dOut], data: matrix };
    for (let start = 0; start < n; start += chunk) {
      const count = Math.min(chunk, n - start);
      const feed = { dtype: 'float32' as const, dims: [count, dIn], data: rows.subarray(start * dIn, (start + count) * dIn) };
      const res = await session.run({ rows: feed, matrix: m }, ['product']);
      out.set(res.product.data as Float32Array, start * dOut);
    }
    return out;
  };
}
