import { describe, expect, it } from 'vitest';
import { GradientSession } from '../gradient.ts';
import { tensor, toNumbers } from '../../onnx/tensor.ts';
import { emptyModel, expectGradientsClose, normalRng, randn } from '../../testing/index.ts';

const rng = normalRng(31);

/**
 * x [N, 12] -> Reshape [N, 3, 4] -> Transpose [N, 4, 3] -> Mul w [3] -> Flatten [N, 12]
 * -> Gather columns [0, 5, 5, -1] -> ReduceMean over axis -1 -> y [N]: a chain whose
 * intermediate shapes are only known at run time, at opsets 13 and 18 (ReduceMean axes
 * attribute vs input).
 */
function chain(opset: number) {
  const { model, b } = emptyModel([{ name: 'x', dtype: 'float64', shape: ['N', 12] }], opset);
  const r = b.reshape('x', [0, 3, -1]);
  const t = b.transpose(r, [0, 2, 1]);
  const m = b.mul(t, b.constant(tensor('float64', [3], [0.5, -2, 1.5]), 'w'));
  const f = b.op1('Flatten', [m], { axis: 1 });
  const g = b.op1('Gather', [f, b.int64s([0, 5, 5, -1])], { axis: 1 });
  const y = b.reduce('ReduceMean', g, [-1], false);
  b.op('Identity', [y], {}, { outputNames: ['y'] });
  model.graph.outputs = [{ name: 'y', dtype: 'float64', shape: ['N'] }];
  return model;
}

describe('a chain of shape rules', () => {
  for (const opset of [13, 18]) {
    it(`propagates shapes through Reshape, Transpose, Flatten, Gather and ReduceMean (opset ${opset})`, async () => {
      await expectGradientsClose({ model: chain(opset), feeds: { x: randn('float64', [3, 12], rng) }, of: 'y', wrt: ['x'] });
    });
  }

  it('gives the gradient worked out by hand', async () => {
    const gs = await GradientSession.create(chain(18), { of: 'y', wrt: ['x'] });
    const { grads } = await gs.run({ x: randn('float64', [2, 12], rng) });
    // Reshape gives r[n, a, c] = x[n, 4a + c], Transpose t[n, c, a] = r[n, a, c], so the
    // flattened column j = 3c + a holds x[n, 4 (j % 3) + floor(j / 3)] * w[j % 3]. The mean
    // over the 4 gathered columns takes column 0 once, 5 twice and 11 once, each by 1/4.
    const row = new Array<number>(12).fill(0);
    const w = [0.5, -2, 1.5];
    for (const [j, times] of [[0, 1], [5, 2], [11, 1]]) row[4 * (j % 3) + Math.floor(j / 3)] += (times * w[j % 3]) / 4;
    const got = toNumbers(grads.x);
    [...row, ...row].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 12));
  });
});
