/**
 * The in-memory graph IR: a faithful, mutable mirror of ONNX ModelProto/GraphProto with
 * tensors decoded into typed arrays. Passes and the autodiff edit it; `model-io.ts`
 * converts it from and to the protobuf bytes.
 */
import type { DType, Tensor } from './tensor.ts';

/** One dimension: a fixed size, a symbolic name (e.g. `batch`), or unknown. */
export type Dim = number | string | null;

/** A value's declared type: a tensor dtype and shape, or an opaque non-tensor type. */
export interface ValueInfo {
  name: string;
  /** Element type; undefined when unknown or when the value is not a tensor. */
  dtype?: DType;
  /** Shape; undefined when the rank is unknown. */
  shape?: Dim[];
  docString?: string;
  /** Raw TypeProto bytes for non-tensor types (sequences, maps, optionals), kept verbatim. */
  rawType?: Uint8Array;
}

/** A node attribute, tagged by its ONNX type. */
export type Attribute =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: Tensor }
  | { type: 'graph'; value: Graph }
  | { type: 'floats'; value: number[] }
  | { type: 'ints'; value: number[] }
  | { type: 'strings'; value: string[] }
  | { type: 'tensors'; value: Tensor[] }
  | { type: 'graphs'; value: Graph[] }
  | { type: 'ref'; refAttrName: string; attrType: number };

/** A graph node. An empty string in `inputs` marks an omitted optional input. */
export interface Node {
  name: string;
  opType: string;
  /** '' for the default ONNX domain. */
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, Attribute>;
  docString?: string;
}

/** A graph: nodes in topological order, its interface, constants and value annotations. */
export interface Graph {
  name: string;
  nodes: Node[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** Named constants (weights). An initializer also listed in `inputs` is an overridable default. */
  initializers: Map<string, Tensor>;
  /** Type annotations of intermediate values. */
  valueInfo: ValueInfo[];
  docString?: string;
}

/** An operator set the model imports. */
export interface OpsetImport {
  domain: string;
  version: number;
}

/** A protobuf field the IR does not model, kept byte-exact for re-emission. */
export interface RawField {
  field: number;
  wireType: number;
  bytes: Uint8Array;
}

/** A whole model. */
export interface Model {
  irVersion: number;
  opsetImports: OpsetImport[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  metadata: Record<string, string>;
  graph: Graph;
  /** Fields kept verbatim (local functions, training info). */
  extra: RawField[];
}

/** The default-domain opset version of `model` (throws nothing; 0 when absent). */
export function defaultOpset(model: Model): number {
  const imp = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  return imp ? imp.version : 0;
}

/** A deep copy of the graph structure; tensor data buffers are shared, never mutated in place. */
export function cloneGraph(g: Graph): Graph {
  return {
    name: g.name,
    nodes: g.nodes.map(cloneNode),
    inputs: g.inputs.map((v) => ({ ...v, shape: v.shape ? [...v.shape] : undefined })),
    outputs: g.outputs.map((v) => ({ ...v, shape: v.shape ? [...v.shape] : undefined })),
    initializers: new Map(g.initializers),
    valueInfo: g.valueInfo.map((v) => ({ ...v, shape: v.shape ? [...v.shape] : undefined })),
    docString: g.docString,
  };
}

/** A copy of a node (attribute values that are graphs are cloned too). */
export function cloneNode(n: Node): Node {
  const attributes: Record<string, Attribute> = {};
  for (const [k, a] of Object.entries(n.attributes)) {
    if (a.type === 'graph') attributes[k] = { type: 'graph', value: cloneGraph(a.value) };
    else if (a.type === 'graphs') attributes[k] = { type: 'graphs', value: a.value.map(cloneGraph) };
    else if (a.type === 'ints' || a.type === 'floats' || a.type === 'strings') attributes[k] = { ...a, value: [...a.value] } as Attribute;
    else attributes[k] = a;
  }
  return { ...n, inputs: [...n.inputs], outputs: [...n.outputs], attributes };
}

/** A deep copy of a model (tensor data shared). */
export function cloneModel(m: Model): Model {
  return {
    ...m,
    opsetImports: m.opsetImports.map((o) => ({ ...o })),
    metadata: { ...m.metadata },
    graph: cloneGraph(m.graph),
    extra: [...m.extra],
  };
}
