import { describe, expect, it } from 'vitest';
import { expectGradientsClose, normalRng, randn, singleOpModel } from '../../testing/index.ts';

const rng = normalRng(1);

describe('binary elementwise rules', () => {
  for (const op of ['Add', 'Sub', 'Mul']) {
    it(`${op}: same shapes, float64`, async () => {
      const model = singleOpModel({ op, inputs: [{ name: 'a', dtype: 'float64', shape: [2, 3] }, { name: 'b', dtype: 'float64', shape: [2, 3] }] });
      const r = await expectGradientsClose({ model, feeds: { a: randn('float64', [2, 3], rng), b: randn('float64', [2, 3], rng) }, of: 'y0', wrt: ['a', 'b'] });
      expect(r.checked).toBe(12);
    });
    it(`${op}: broadcasting [2,1,4] with [3,1] and a scalar-like [1]`, async () => {
      const model = singleOpModel({ op, inputs: [{ name: 'a', dtype: 'float64', shape: [2, 1, 4] }, { name: 'b', dtype: 'float64', shape: [3, 1] }] });
      await expectGradientsClose({ model, feeds: { a: randn('float64', [2, 1, 4], rng), b: randn('float64', [3, 1], rng) }, of: 'y0', wrt: ['a', 'b'] });
    });
    it(`${op}: symbolic batch dimension broadcasts at run time`, async () => {
      const model = singleOpModel({ op, inputs: [{ name: 'a', dtype: 'float64', shape: ['N', 3] }, { name: 'b', dtype: 'float64', shape: [null] }] });
      await expectGradientsClose({ model, feeds: { a: randn('float64', [4, 3], rng), b: randn('float64', [3], rng) }, of: 'y0', wrt: ['a', 'b'] });
    });
  }
});

describe('Relu', () => {
  it('float32 gradient masks negatives', async () => {
    const model = singleOpModel({ op: 'Relu', inputs: [{ name: 'x', dtype: 'float32', shape: [3, 5] }] });
    // Keep inputs away from the kink so central differences with h = 1e-2 are exact.
    const x = randn('float32', [3, 5], rng);
    for (let i = 0; i < x.data.length; i++) if (Math.abs(Number(x.data[i])) < 0.05) (x.data as Float32Array)[i] = 0.5;
    await expectGradientsClose({ model, feeds: { x }, of: 'y0', wrt: ['x'] });
  });
});

describe('MatMul and Gemm', () => {
  const cases: [number[], number[]][] = [
    [[3, 4], [4, 5]],
    [[2, 3, 4], [4, 5]],
    [[4], [4, 5]],
    [[3, 4], [4]],
    [[2, 1, 3, 4], [5, 4, 2]],
  ];
  for (const [sa, sb] of cases) {
    it(`MatMul [${sa}] @ [${sb}]`, async () => {
      const model = singleOpModel({ op: 'MatMul', inputs: [{ name: 'a', dtype: 'float64', shape: sa }, { name: 'b', dtype: 'float64', shape: sb }] });
      await expectGradientsClose({ model, feeds: { a: randn('float64', sa, rng), b: randn('float64', sb, rng) }, of: 'y0', wrt: ['a', 'b'] });
    });
  }
  for (const transA of [0, 1]) {
    for (const transB of [0, 1]) {
      it(`Gemm transA=${transA} transB=${transB} alpha/beta, bias broadcast`, async () => {
        const sa = transA ? [4, 3] : [3, 4];
        const sb = transB ? [5, 4] : [4, 5];
        const model = singleOpModel({
          op: 'Gemm',
          inputs: [{ name: 'a', dtype: 'float64', shape: sa }, { name: 'b', dtype: 'float64', shape: sb }, { name: 'c', dtype: 'float64', shape: [5] }],
          attrs: { transA, transB, alpha: { type: 'float', value: 0.7 }, beta: { type: 'float', value: 1.3 } },
        });
        await expectGradientsClose({
          model,
          feeds: { a: randn('float64', sa, rng), b: randn('float64', sb, rng), c: randn('float64', [5], rng) },
          of: 'y0',
          wrt: ['a', 'b', 'c'],
        });
      });
    }
  }
});
