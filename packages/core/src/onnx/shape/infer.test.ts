import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import { emptyModel, singleOpModel } from '../../testing/model-factory.ts';
import type { Dim } from '../ir.ts';
import { tensor } from '../tensor.ts';
import { addDim, mulDim, productOfDims, quotientOfDims, subDim } from './dims.ts';
import { inferTypes } from './infer.ts';
import { INFER_RULES } from './ops.ts';

describe('symbolic dim arithmetic', () => {
  it('multiplies, divides, adds and subtracts products of symbols', () => {
    expect(productOfDims(['N', 3, 4])).toBe('12*N');
    expect(productOfDims(['N', 1])).toBe('N');
    expect(productOfDims(['W', 'H', 2])).toBe('2*H*W');
    expect(productOfDims(['N', null])).toBeNull();
    expect(quotientOfDims(['N', 3, 4], ['N', 6])).toBe(2);
    expect(quotientOfDims(['2*N', 16], [16])).toBe('2*N');
    expect(quotientOfDims(['2*N'], [2])).toBe('N');
    expect(quotientOfDims(['N'], [2])).toBeNull();
    expect(quotientOfDims([12], ['N'])).toBeNull();
    expect(mulDim('N', 0)).toBe(0);
    expect(mulDim('N', -1)).toBeNull();
    expect(addDim('N', 'N')).toBe('2*N');
    expect(addDim('N', 'M')).toBeNull();
    expect(subDim('3*N', 'N')).toBe('2*N');
    expect(subDim('N', 'N')).toBe(0);
  });
});

describe('inference where values are only partly known', () => {
  const rank = (shape: Dim[] | undefined) => shape?.length;

  it('Reshape to a target of unknown values but known length gives the rank', () => {
    const m = singleOpModel({ op: 'Reshape', inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3] }, { name: 's', dtype: 'int64', shape: [3] }] });
    expect(inferTypes(m).types.get('y0')).toEqual({ dtype: 'float32', shape: [null, null, null] });
  });

  it('Slice with unknown starts keeps the untouched axes', () => {
    const m = singleOpModel({
      op: 'Slice',
      inputs: [{ name: 'x', dtype: 'float32', shape: [4, 5, 6] }, { name: 's', dtype: 'int64', shape: [1] }],
      constants: { 2: tensor('int64', [1], [3]), 3: tensor('int64', [1], [1]) },
    });
    expect(inferTypes(m).types.get('y0')?.shape).toEqual([4, null, 6]);
  });

  it('Squeeze without axes needs numeric dims; Reduce with runtime axes keeps only the rank', () => {
    const sq = singleOpModel({ op: 'Squeeze', inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 1, 3] }] });
    expect(inferTypes(sq).types.get('y0')).toEqual({ dtype: 'float32', shape: undefined });
    const red = singleOpModel({ op: 'ReduceSum', inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3] }, { name: 'a', dtype: 'int64', shape: [1] }] });
    expect(rank(inferTypes(red).types.get('y0')?.shape)).toBe(2);
  });

  it('Concat sums symbolic dims and Conv keeps a symbolic spatial size under same padding', () => {
    const cat = singleOpModel({ op: 'Concat', inputs: [{ name: 'a', dtype: 'float32', shape: ['N', 3] }, { name: 'b', dtype: 'float32', shape: ['N', 3] }], attrs: { axis: 0 } });
    expect(inferTypes(cat).types.get('y0')?.shape).toEqual(['2*N', 3]);
    const conv = singleOpModel({
      op: 'Conv',
      inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 3, 'H', 'W'] }],
      constants: { 1: tensor('float32', [4, 3, 3, 3]) },
      attrs: { pads: [1, 1, 1, 1] },
    });
    expect(inferTypes(conv).types.get('y0')?.shape).toEqual(['N', 4, 'H', 'W']);
  });

  it('BatchNormalization in training mode: running statistics at opset 14+, four statistics before', () => {
    const spec = (opset: number, outputs: number) => singleOpModel({
      op: 'BatchNormalization',
      inputs: ['x', 's', 'b', 'm', 'v'].map((name, i) => ({ name, dtype: 'float32' as const, shape: i === 0 ? ['N', 6, 5, 5] : [6] })),
      attrs: opset >= 14 ? { training_mode: 1 } : {},
      outputs,
      opset,
    });
    const types = (m: ReturnType<typeof spec>) => m.graph.outputs.map((o) => inferTypes(m).types.get(o.name)?.shape);
    expect(types(spec(15, 3))).toEqual([['N', 6, 5, 5], [6], [6]]);
    expect(types(spec(13, 5))).toEqual([['N', 6, 5, 5], [6], [6], [6], [6]]);
  });

  it('a Reshape target assembled from known and unknown pieces keeps the known dims', () => {
    const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: [4, 'N', 6] }, { name: 'k', dtype: 'int64', shape: [] }]);
    const target = b.op1('Concat', [b.int64s([4]), b.unsqueeze('k', [0]), b.int64s([3])], { axis: 0 });
    const y = b.reshape('x', target);
    expect(inferTypes(model).types.get(y)?.shape).toEqual([4, null, 3]);
  });

  it('NonZero counts get fresh symbols that do not collide with the graph\'s own', () => {
    const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: ['nonzero_0', 2] }]);
    const a = b.op1('NonZero', ['x']);
    const c = b.op1('NonZero', ['x']);
    const env = inferTypes(model);
    const [sa, sc] = [a, c].map((v) => env.types.get(v)?.shape?.[1]);
    expect(sa).toMatch(/^nonzero_\d+$/);
    expect(new Set([sa, sc, 'nonzero_0']).size).toBe(3);
  });

  it('inputShapes overrides the declared input shape', () => {
    const m = singleOpModel({ op: 'Relu', inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 3] }] });
    expect(inferTypes(m, { inputShapes: { x: [5, 3] } }).types.get('y0')?.shape).toEqual([5, 3]);
  });

  it('declared value_info fills in unknown dims but never overrides an inferred number', () => {
    const m = singleOpModel({ op: 'Reshape', inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3] }, { name: 's', dtype: 'int64', shape: [2] }] });
    m.graph.valueInfo.push({ name: 'y0', dtype: 'float32', shape: ['rows', 3] });
    expect(inferTypes(m).types.get('y0')?.shape).toEqual(['rows', 3]);
    const r = singleOpModel({ op: 'Relu', inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3] }] });
    r.graph.outputs[0].shape = ['a', 'b'];
    expect(inferTypes(r).types.get('y0')?.shape).toEqual([2, 3]);
  });

  it('an op without a rule (or in another domain) gets the dtype of its first typed input', () => {
    const m = singleOpModel({ op: 'Custom', inputs: [{ name: 'x', dtype: 'float64', shape: [2] }] });
    m.graph.nodes[0].domain = 'com.example';
    expect(inferTypes(m).types.get('y0')).toEqual({ dtype: 'float64', shape: undefined });
    expect(INFER_RULES.Custom).toBeUndefined();
  });

  it('an inconsistent graph fails with XQC_SHAPE_INFERENCE naming the node', () => {
    const m = singleOpModel({ op: 'Add', inputs: [{ name: 'a', dtype: 'float32', shape: [2, 3] }, { name: 'b', dtype: 'float32', shape: [4] }] });
    let err: unknown;
    try {
      inferTypes(m);
    } catch (e) {
      err = e;
    }
    expect(isXqcError(err, 'XQC_SHAPE_INFERENCE')).toBe(true);
    expect((err as Error).message).toContain("Add node 't/Add'");
  });

  it('does not modify the model', () => {
    const m = singleOpModel({ op: 'Relu', inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 3] }] });
    const before = JSON.stringify(m, (_k, v) => (v instanceof Map ? [...v.keys()] : v));
    inferTypes(m, { inputShapes: { x: [2, 3] } });
    expect(JSON.stringify(m, (_k, v) => (v instanceof Map ? [...v.keys()] : v))).toBe(before);
  });
});

describe('the rule registry', () => {
  it('covers every operator the autodiff differentiates and the shape ops around them', () => {
    const ops = [
      'Abs', 'Add', 'ArgMax', 'ArgMin', 'AveragePool', 'BatchNormalization', 'Cast', 'Clip', 'Concat', 'Constant', 'ConstantOfShape', 'Conv',
      'ConvTranspose', 'Cos', 'CumSum', 'Div', 'Dropout', 'Einsum', 'Elu', 'Equal', 'Erf', 'Exp', 'Expand', 'Flatten', 'Gather', 'GatherElements',
      'Gelu', 'Gemm', 'GlobalAveragePool', 'GlobalMaxPool', 'HardSigmoid', 'HardSwish', 'Identity', 'InstanceNormalization', 'LayerNormalization',
      'LeakyRelu', 'Less', 'Log', 'LogSoftmax', 'MatMul', 'Max', 'MaxPool', 'Min', 'Mul', 'Neg', 'NegativeLogLikelihoodLoss', 'NonZero', 'OneHot',
      'Pad', 'Pow', 'PRelu', 'Range', 'Reciprocal', 'ReduceL1', 'ReduceL2', 'ReduceLogSumExp', 'ReduceMax', 'ReduceMean', 'ReduceMin',
      'ReduceSum', 'ReduceSumSquare', 'Relu', 'Reshape', 'Resize', 'ScatterElements', 'ScatterND', 'Shape', 'Sigmoid', 'Sin', 'Size', 'Slice',
      'Softmax', 'SoftmaxCrossEntropyLoss', 'Softplus', 'Split', 'Sqrt', 'Squeeze', 'Sub', 'Sum', 'Tanh', 'Tile', 'TopK', 'Transpose', 'Trilu',
      'Unsqueeze', 'Where',
    ];
    expect(ops.filter((op) => !INFER_RULES[op])).toEqual([]);
  });
});
