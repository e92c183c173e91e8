import { describe, expect, it } from 'vitest';
import { tensor, toFloat64 } from '../../onnx/tensor.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import { expectGradientsClose, normalRng, randn, singleOpModel } from '../../testing/index.ts';
import { GradientSession } from '../gradient.ts';

const rng = normalRng(23);

/** |N(0,1)| + 0.3: bases of Pow with real exponents, divisors kept away from 0. */
function positive(dims: number[]): Tensor {
  const t = randn('float64', dims, rng);
  for (let i = 0; i < t.data.length; i++) (t.data as Float64Array)[i] = Math.abs(Number(t.data[i])) + 0.3;
  return t;
}

const f64 = (name: string, shape: (number | string)[]) => ({ name, dtype: 'float64' as const, shape });

async function gradsAt(model: ReturnType<typeof singleOpModel>, feeds: Record<string, Tensor>, wrt: string[], c?: Tensor): Promise<Record<string, number[]>> {
  const gs = await GradientSession.create(model, { of: 'y0', wrt });
  const { grads } = await gs.run(feeds, c);
  return Object.fromEntries(Object.entries(grads).map(([k, v]) => [k, Array.from(toFloat64(v))]));
}

describe('Div', () => {
  for (const opset of [13, 17]) {
    it(`same shapes at opset ${opset}`, async () => {
      const model = singleOpModel({ op: 'Div', opset, inputs: [f64('a', [2, 3]), f64('b', [2, 3])] });
      const r = await expectGradientsClose({ model, feeds: { a: randn('float64', [2, 3], rng), b: positive([2, 3]) }, of: 'y0', wrt: ['a', 'b'] });
      expect(r.checked).toBe(12);
    });
  }
  it('broadcasting [2,1,4] / [3,1]', async () => {
    const model = singleOpModel({ op: 'Div', inputs: [f64('a', [2, 1, 4]), f64('b', [3, 1])] });
    await expectGradientsClose({ model, feeds: { a: randn('float64', [2, 1, 4], rng), b: positive([3, 1]) }, of: 'y0', wrt: ['a', 'b'] });
  });
  it('symbolic batch ["N",3] / [3]', async () => {
    const model = singleOpModel({ op: 'Div', inputs: [f64('a', ['N', 3]), f64('b', [3])] });
    await expectGradientsClose({ model, feeds: { a: randn('float64', [5, 3], rng), b: positive([3]) }, of: 'y0', wrt: ['a', 'b'] });
  });
});

describe('Pow', () => {
  for (const opset of [13, 17]) {
    it(`base and exponent, same shapes, at opset ${opset}`, async () => {
      const model = singleOpModel({ op: 'Pow', opset, inputs: [f64('a', [2, 3]), f64('e', [2, 3])] });
      await expectGradientsClose({ model, feeds: { a: positive([2, 3]), e: randn('float64', [2, 3], rng) }, of: 'y0', wrt: ['a', 'e'] });
    });
  }
  it('broadcasting exponent [3] against base [2,3], and base [3] against exponent [2,1,3]', async () => {
    const m1 = singleOpModel({ op: 'Pow', inputs: [f64('a', [2, 3]), f64('e', [3])] });
    await expectGradientsClose({ model: m1, feeds: { a: positive([2, 3]), e: randn('float64', [3], rng) }, of: 'y0', wrt: ['a', 'e'] });
    const m2 = singleOpModel({ op: 'Pow', inputs: [f64('a', [3]), f64('e', [2, 1, 3])] });
    await expectGradientsClose({ model: m2, feeds: { a: positive([3]), e: randn('float64', [2, 1, 3], rng) }, of: 'y0', wrt: ['a', 'e'] });
  });
  it('symbolic batch base ["N",3]', async () => {
    const model = singleOpModel({ op: 'Pow', inputs: [f64('a', ['N', 3]), f64('e', [3])] });
    await expectGradientsClose({ model, feeds: { a: positive([4, 3]), e: randn('float64', [3], rng) }, of: 'y0', wrt: ['a', 'e'] });
  });
  for (const k of [2, 3, 0.5, -1.5]) {
    it(`constant exponent ${k}${Number.isInteger(k) ? ' with negative bases' : ''}`, async () => {
      const model = singleOpModel({ op: 'Pow', inputs: [f64('a', [2, 3])], constants: { 1: tensor('float64', [], [k]) } });
      const a = Number.isInteger(k) ? randn('float64', [2, 3], rng) : positive([2, 3]);
      await expectGradientsClose({ model, feeds: { a }, of: 'y0', wrt: ['a'] });
    });
  }
  it('constant exponent of shape [1,1] raises the rank of the output', async () => {
    const model = singleOpModel({ op: 'Pow', inputs: [f64('a', [3])], constants: { 1: tensor('float64', [1, 1], [3]) } });
    await expectGradientsClose({ model, feeds: { a: randn('float64', [3], rng) }, of: 'y0', wrt: ['a'] });
  });
  it('constant exponent 0 gives a zero gradient, also at a = 0', async () => {
    const model = singleOpModel({ op: 'Pow', inputs: [f64('a', [3])], constants: { 1: tensor('float64', [], [0]) } });
    expect((await gradsAt(model, { a: tensor('float64', [3], [-1, 0, 2]) }, ['a'])).a).toEqual([0, 0, 0]);
  });
  it('an int64 exponent input is cast to the base dtype', async () => {
    const model = singleOpModel({ op: 'Pow', inputs: [f64('a', [4]), { name: 'e', dtype: 'int64', shape: [4] }] });
    const a = tensor('float64', [4], [-1.5, 0.7, 2, 0]);
    const e = tensor('int64', [4], [2, 3, 0, 0]);
    await expectGradientsClose({ model, feeds: { a, e }, of: 'y0', wrt: ['a'] });
    // 0 * 0^-1 would be NaN at a = 0, e = 0: the mask makes it 0.
    const ones = tensor('float64', [4], [1, 1, 1, 1]);
    expect((await gradsAt(model, { a, e }, ['a'], ones)).a).toEqual([-3, 3 * 0.7 * 0.7, 0, 0]);
  });
  it('a float32 exponent of a float64 base gets a float32 gradient', async () => {
    const model = singleOpModel({ op: 'Pow', inputs: [f64('a', [2, 3]), { name: 'e', dtype: 'float32', shape: [3] }] });
    // The exponent is float32, so steps of 1e-6 would drown in its rounding (ulp ~1e-7):
    // h = 1e-3 gives truncation ~h^2 = 1e-6 and rounding ~6e-8 / h = 6e-5, both << rtol.
    await expectGradientsClose({ model, feeds: { a: positive([2, 3]), e: randn('float32', [3], rng) }, of: 'y0', wrt: ['e'], eps: 1e-3, rtol: 1e-3, atol: 1e-5 });
  });
  it('the exponent gradient is 0, not NaN, at base 0 with a positive exponent', async () => {
    const model = singleOpModel({ op: 'Pow', inputs: [f64('a', [2]), f64('e', [2])] });
    const g = await gradsAt(model, { a: tensor('float64', [2], [0, 2]), e: tensor('float64', [2], [1.5, 3]) }, ['a', 'e'], tensor('float64', [2], [1, 1]));
    expect(g.e[0]).toBe(0);
    expect(g.e[1]).toBeCloseTo(8 * Math.log(2), 12);
    expect(g.a).toEqual([0, 12]);
  });
});

describe('Sum', () => {
  for (const opset of [13, 17]) {
    it(`three inputs broadcasting [2,3] + [3] + [2,1] at opset ${opset}`, async () => {
      const model = singleOpModel({ op: 'Sum', opset, inputs: [f64('a', [2, 3]), f64('b', [3]), f64('c', [2, 1])] });
      const feeds = { a: randn('float64', [2, 3], rng), b: randn('float64', [3], rng), c: randn('float64', [2, 1], rng) };
      await expectGradientsClose({ model, feeds, of: 'y0', wrt: ['a', 'b', 'c'] });
    });
  }
  it('a single input is the identity', async () => {
    const model = singleOpModel({ op: 'Sum', inputs: [f64('a', [2, 3])] });
    await expectGradientsClose({ model, feeds: { a: randn('float64', [2, 3], rng) }, of: 'y0', wrt: ['a'] });
  });
  it('symbolic batch ["N",3] + [3] + [1]', async () => {
    const model = singleOpModel({ op: 'Sum', inputs: [f64('a', ['N', 3]), f64('b', [3]), f64('c', [1])] });
    const feeds = { a: randn('float64', [4, 3], rng), b: randn('float64', [3], rng), c: randn('float64', [1], rng) };
    await expectGradientsClose({ model, feeds, of: 'y0', wrt: ['a', 'b', 'c'] });
  });
});

describe('Max and Min', () => {
  for (const op of ['Max', 'Min']) {
    for (const opset of [13, 17]) {
      it(`${op}: two inputs, same shapes, at opset ${opset}`, async () => {
        const model = singleOpModel({ op, opset, inputs: [f64('a', [3, 4]), f64('b', [3, 4])] });
        await expectGradientsClose({ model, feeds: { a: randn('float64', [3, 4], rng), b: randn('float64', [3, 4], rng) }, of: 'y0', wrt: ['a', 'b'] });
      });
    }
    it(`${op}: three inputs broadcasting [2,3], [3], [2,1]`, async () => {
      const model = singleOpModel({ op, inputs: [f64('a', [2, 3]), f64('b', [3]), f64('c', [2, 1])] });
      const feeds = { a: randn('float64', [2, 3], rng), b: randn('float64', [3], rng), c: randn('float64', [2, 1], rng) };
      await expectGradientsClose({ model, feeds, of: 'y0', wrt: ['a', 'b', 'c'] });
    });
    it(`${op}: symbolic batch ["N",3] against [3]`, async () => {
      const model = singleOpModel({ op, inputs: [f64('a', ['N', 3]), f64('b', [3])] });
      await expectGradientsClose({ model, feeds: { a: randn('float64', [5, 3], rng), b: randn('float64', [3], rng) }, of: 'y0', wrt: ['a', 'b'] });
    });
    it(`${op}: a single input is the identity`, async () => {
      const model = singleOpModel({ op, inputs: [f64('a', [4])] });
      await expectGradientsClose({ model, feeds: { a: randn('float64', [4], rng) }, of: 'y0', wrt: ['a'] });
    });
  }

  it('Max splits the cotangent equally among tied inputs', async () => {
    const model = singleOpModel({ op: 'Max', inputs: [f64('a', [3]), f64('b', [3]), f64('c', [3])] });
    const feeds = { a: tensor('float64', [3], [1, 2, 5]), b: tensor('float64', [3], [1, 3, 5]), c: tensor('float64', [3], [1, 0, 4]) };
    const g = await gradsAt(model, feeds, ['a', 'b', 'c'], tensor('float64', [3], [3, 1, 2]));
    expect(g).toEqual({ a: [1, 0, 1], b: [1, 1, 1], c: [1, 0, 0] });
  });
  it('Min of two tied inputs gives each half, and a broadcast input sums its shares', async () => {
    const model = singleOpModel({ op: 'Min', inputs: [f64('a', [2, 2]), f64('b', [2])] });
    const feeds = { a: tensor('float64', [2, 2], [1, 5, 2, 7]), b: tensor('float64', [2], [1, 6]) };
    const g = await gradsAt(model, feeds, ['a', 'b'], tensor('float64', [2, 2], [4, 4, 4, 4]));
    expect(g).toEqual({ a: [2, 4, 0, 0], b: [2 + 4, 4] });
  });
});
