import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../onnx/builder.ts';
import type { Graph, ValueInfo } from '../../onnx/ir.ts';
import { inferTypes } from '../../onnx/shape/infer.ts';
import { tensor } from '../../onnx/tensor.ts';
import { emptyModel, expectGradientsClose, normalRng, randn } from '../../testing/index.ts';
import { defaultRegistry } from '../register-all.ts';
import { buildGradient } from '../vjp.ts';

// float64 throughout, so the default float64 tolerances of gradCheck (h = 1e-6, rtol
// 1e-5, atol 1e-7) apply. The nearest-neighbour case is smooth while no query's nearest
// bank row changes within +-h; the test checks the margin first.
const rng = normalRng(47);

function body(name: string, inputs: ValueInfo[], build: (b: GraphBuilder) => ValueInfo[]): Graph {
  const g: Graph = { name, nodes: [], inputs, outputs: [], initializers: new Map(), valueInfo: [] };
  g.outputs = build(new GraphBuilder(g, 17, name));
  return g;
}

const D = 4;
const M = 7;
const P = 5;

/** The detector's per-image nearest-neighbour Scan: rows [N, P, D] -> distance [N, P] and bank index [N, P]. */
function nearestScan(): { model: ReturnType<typeof emptyModel>['model']; bank: Float64Array } {
  const { model, b } = emptyModel([{ name: 'x', dtype: 'float64', shape: ['N', P, D] }]);
  const bank = randn('float64', [M, D], rng).data as Float64Array;
  const scaled = new Float64Array(D * M);
  const sq = new Float64Array(M);
  for (let i = 0; i < M; i++) for (let j = 0; j < D; j++) {
    scaled[j * M + i] = -2 * bank[i * D + j];
    sq[i] += bank[i * D + j] ** 2;
  }
  model.graph.initializers.set('bank_scaled', tensor('float64', [D, M], scaled));
  model.graph.initializers.set('bank_sq', tensor('float64', [M], sq));
  const g = body('nearest', [{ name: 'rows', dtype: 'float64', shape: [P, D] }], (bb) => {
    const qq = bb.reduce('ReduceSumSquare', 'rows', [1], true);
    const d2 = bb.add(bb.add(bb.op1('MatMul', ['rows', 'bank_scaled']), qq), 'bank_sq');
    const [values, indices] = bb.op('TopK', [d2, bb.int64s([1])], { axis: -1, largest: 0 }, { outputs: 2 });
    bb.op('Squeeze', [bb.op1('Sqrt', [bb.op1('Relu', [values])]), bb.int64s([1])], {}, { outputNames: ['dist'] });
    bb.op('Squeeze', [indices, bb.int64s([1])], {}, { outputNames: ['index'] });
    return [{ name: 'dist', dtype: 'float64', shape: [P] }, { name: 'index', dtype: 'int64', shape: [P] }];
  });
  b.op('Scan', ['x'], { body: { type: 'graph', value: g }, num_scan_inputs: 1 }, { outputNames: ['d', 'i'] });
  model.graph.outputs = [{ name: 'd' }, { name: 'i' }];
  return { model, bank };
}

/** Smallest gap between the nearest and second-nearest bank row over all queries. */
function nearestMargin(x: Float64Array, bank: Float64Array): number {
  let margin = Infinity;
  for (let q = 0; q < x.length / D; q++) {
    const d = Array.from({ length: M }, (_, r) => Math.sqrt(Array.from({ length: D }, (_, j) => (x[q * D + j] - bank[r * D + j]) ** 2).reduce((a, v) => a + v, 0)));
    d.sort((a, c) => a - c);
    margin = Math.min(margin, d[1] - d[0]);
  }
  return margin;
}

describe('Scan gradient (finite differences)', () => {
  it('nearest-neighbour distances per image (MatMul, TopK, Sqrt in the body; the bank read from outside)', async () => {
    const { model, bank } = nearestScan();
    expect(inferTypes(model).types.get('d')).toEqual({ dtype: 'float64', shape: ['N', P] });
    const x = randn('float64', [3, P, D], rng);
    expect(nearestMargin(x.data as Float64Array, bank)).toBeGreaterThan(1e-3);
    const r = await expectGradientsClose({ model, feeds: { x }, of: 'd', wrt: ['x'] });
    expect(r.checked).toBe(3 * P * D);
    const { model: g } = buildGradient(model, defaultRegistry(), { of: 'd', wrt: ['x'] });
    expect(g.graph.nodes.filter((n) => n.opType === 'Scan')).toHaveLength(2);
  });

  it('two outputs, two scan inputs, other axes and reversed directions, a captured weight', async () => {
    const T = 4;
    const { model, b } = emptyModel([
      { name: 'x', dtype: 'float64', shape: [3, T, 2] },
      { name: 'z', dtype: 'float64', shape: [T, 2] },
    ]);
    model.graph.initializers.set('w', tensor('float64', [2], [0.7, -1.3]));
    const g = body('mix', [{ name: 'xt', dtype: 'float64', shape: [3, 2] }, { name: 'zt', dtype: 'float64', shape: [2] }], (bb) => {
      bb.op('Tanh', [bb.mul('xt', 'w')], {}, { outputNames: ['y1t'] });
      bb.op('ReduceSum', [bb.mul('xt', 'zt'), bb.int64s([0])], { keepdims: 0 }, { outputNames: ['y2t'] });
      return [{ name: 'y1t', dtype: 'float64', shape: [3, 2] }, { name: 'y2t', dtype: 'float64', shape: [2] }];
    });
    b.op('Scan', ['x', 'z'], {
      body: { type: 'graph', value: g },
      num_scan_inputs: 2,
      scan_input_axes: [1, 0],
      scan_input_directions: [1, 0],
      scan_output_axes: [2, -2],
      scan_output_directions: [1, 0],
    }, { outputNames: ['y1', 'y2'] });
    b.op('Concat', [b.reshape('y1', [-1]), b.reshape('y2', [-1])], { axis: 0 }, { outputNames: ['y'] });
    model.graph.outputs = [{ name: 'y' }];
    const types = inferTypes(model).types;
    expect(types.get('y1')?.shape).toEqual([3, 2, T]);
    expect(types.get('y2')?.shape).toEqual([T, 2]);
    const r = await expectGradientsClose({ model, feeds: { x: randn('float64', [3, T, 2], rng), z: randn('float64', [T, 2], rng) }, of: 'y', wrt: ['x', 'z'] });
    expect(r.checked).toBe(3 * T * 2 + T * 2);
  });

  it('refuses a Scan with state variables, naming the node', () => {
    const { model, b } = emptyModel([{ name: 's0', dtype: 'float64', shape: [2] }, { name: 'x', dtype: 'float64', shape: [3, 2] }]);
    const g = body('acc', [{ name: 's', dtype: 'float64', shape: [2] }, { name: 'xt', dtype: 'float64', shape: [2] }], (bb) => {
      bb.op('Add', ['s', 'xt'], {}, { outputNames: ['s_next'] });
      bb.op('Identity', ['s_next'], {}, { outputNames: ['yt'] });
      return [{ name: 's_next', dtype: 'float64', shape: [2] }, { name: 'yt', dtype: 'float64', shape: [2] }];
    });
    b.op('Scan', ['s0', 'x'], { body: { type: 'graph', value: g }, num_scan_inputs: 1 }, { outputNames: ['s', 'y'], name: 'loop' });
    model.graph.outputs = [{ name: 'y' }];
    expect(() => buildGradient(model, defaultRegistry(), { of: 'y', wrt: ['x'] })).toThrow(/Scan node 't\/loop'.*state variable/);
  });

  it('refuses a body that reads a value depending on wrt from the outer graph', () => {
    const { model, b } = emptyModel([{ name: 'a', dtype: 'float64', shape: [2] }, { name: 'x', dtype: 'float64', shape: [3, 2] }]);
    b.op('Neg', ['a'], {}, { outputNames: ['na'] });
    const g = body('cap', [{ name: 'xt', dtype: 'float64', shape: [2] }], (bb) => {
      bb.op('Mul', ['xt', 'na'], {}, { outputNames: ['yt'] });
      return [{ name: 'yt', dtype: 'float64', shape: [2] }];
    });
    b.op('Scan', ['x'], { body: { type: 'graph', value: g }, num_scan_inputs: 1 }, { outputNames: ['y'] });
    model.graph.outputs = [{ name: 'y' }];
    expect(() => buildGradient(model, defaultRegistry(), { of: 'y', wrt: ['a', 'x'] })).toThrow(/reads 'na' from the outer graph/);
    // Also when no scan input needs a gradient: the dependence is only through the capture.
    expect(() => buildGradient(model, defaultRegistry(), { of: 'y', wrt: ['a'] })).toThrow(/reads 'na' from the outer graph/);
  });
});
