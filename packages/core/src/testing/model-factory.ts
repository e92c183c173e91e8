/**
 * Small models for tests: one operator (or a short chain) with graph inputs and
 * constants, at a chosen opset.
 */
import { GraphBuilder } from '../onnx/builder.ts';
import type { AttrInput } from '../onnx/builder.ts';
import type { Dim, Model } from '../onnx/ir.ts';
import type { DType, Tensor } from '../onnx/tensor.ts';

/** A graph input of a test model. */
export interface InputSpec {
  name: string;
  dtype: DType;
  shape: Dim[];
}

/** An empty model with the given inputs at `opset`, and a builder to add nodes. */
export function emptyModel(inputs: InputSpec[], opset = 17): { model: Model; b: GraphBuilder } {
  const model: Model = {
    irVersion: 8,
    opsetImports: [{ domain: '', version: opset }],
    producerName: 'xai-qc-test',
    producerVersion: '',
    domain: '',
    modelVersion: 0,
    docString: '',
    metadata: {},
    graph: { name: 'test', nodes: [], inputs: inputs.map((i) => ({ ...i })), outputs: [], initializers: new Map(), valueInfo: [] },
    extra: [],
  };
  return { model, b: new GraphBuilder(model.graph, opset, 't') };
}

/** Options of {@link singleOpModel}. */
export interface SingleOpSpec {
  op: string;
  /** Graph inputs, in the node's input order (use `constants` for non-graph inputs). */
  inputs: InputSpec[];
  /** Constant inputs by position (e.g. Reshape's shape), placed as initializers. */
  constants?: Record<number, Tensor>;
  /** Positions of omitted optional inputs. */
  omitted?: number[];
  attrs?: Record<string, AttrInput | undefined>;
  outputs?: number;
  opset?: number;
}

/** A model with one node of `op` whose outputs are the graph outputs `y0, y1, ...`. */
export function singleOpModel(spec: SingleOpSpec): Model {
  const { model, b } = emptyModel(spec.inputs, spec.opset ?? 17);
  const nIn = spec.inputs.length + Object.keys(spec.constants ?? {}).length + (spec.omitted?.length ?? 0);
  const names: string[] = [];
  let next = 0;
  for (let i = 0; i < nIn; i++) {
    if (spec.constants?.[i]) names.push(b.constant(spec.constants[i], `c${i}`));
    else if (spec.omitted?.includes(i)) names.push('');
    else names.push(spec.inputs[next++].name);
  }
  const outNames = Array.from({ length: spec.outputs ?? 1 }, (_, i) => `y${i}`);
  b.op(spec.op, names, spec.attrs ?? {}, { outputNames: outNames });
  model.graph.outputs = outNames.map((name) => ({ name }));
  return model;
}
