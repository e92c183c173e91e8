/** The ONNX toolkit: IR, tensors, load/save, builder, shape inference. */
export type { Attribute, Dim, Graph, Model, Node, OpsetImport, ValueInfo } from './ir.ts';
export { cloneGraph, cloneModel, cloneNode, defaultOpset } from './ir.ts';
export type { DType, Tensor, TensorData } from './tensor.ts';
export {
  FLOAT_DTYPES, allocate, bytesPerElement, castTensor, dtypeFromOnnxCode, onnxDTypeCode, sizeOf, tensor, toFloat64, toNumbers,
} from './tensor.ts';
export {
  SUPPORTED_IR, SUPPORTED_OPSET, checkVersions, loadModel, loadModelFile, saveModel, saveModelFile, topologicalOrder, validateGraph,
} from './model-io.ts';
export type { LoadOptions } from './model-io.ts';
export { GraphBuilder, float, floats, tensorAttr } from './builder.ts';
export type { AttrInput, OpOptions } from './builder.ts';
export { inferTypes, inferGraphTypes } from './shape/infer.ts';
export { spatialLayers } from './spatial-layers.ts';
export type { InferOptions, TypeEnv } from './shape/infer.ts';
export type { ValueType } from './shape/types.ts';
export * from './passes/index.ts';
