import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import { expectGradientsClose, normalRng, randn, singleOpModel } from '../../testing/index.ts';
import { defaultRegistry } from '../register-all.ts';
import { buildGradient } from '../vjp.ts';

const rng = normalRng(41);

describe('Softmax and LogSoftmax (opset 13+)', () => {
  const cases: { shape: (number | string)[]; dims: number[]; axis?: number }[] = [
    { shape: [3, 5], dims: [3, 5] },
    { shape: [2, 3, 4], dims: [2, 3, 4], axis: 1 },
    { shape: [2, 3, 4], dims: [2, 3, 4], axis: -2 },
    { shape: [2, 3, 4], dims: [2, 3, 4], axis: 0 },
    { shape: ['N', 5], dims: [4, 5], axis: -1 },
  ];
  for (const op of ['Softmax', 'LogSoftmax']) {
    for (const opset of [13, 17]) {
      // Opset 17 has the same Softmax; two cases there guard the ReduceSum form it emits.
      for (const { shape, dims, axis } of opset === 13 ? cases : cases.slice(2, 3).concat(cases.slice(4))) {
        it(`${op} [${shape}] axis ${axis ?? 'default'} at opset ${opset}`, async () => {
          const model = singleOpModel({ op, opset, inputs: [{ name: 'x', dtype: 'float64', shape }], attrs: { axis } });
          const r = await expectGradientsClose({ model, feeds: { x: randn('float64', dims, rng, 2) }, of: 'y0', wrt: ['x'] });
          expect(r.checked).toBe(dims.reduce((a, d) => a * d, 1));
        });
      }
    }
    it(`${op} below opset 13 (2-D coercion) fails with XQC_AUTODIFF_UNSUPPORTED`, () => {
      const model = singleOpModel({ op, opset: 12, inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3] }] });
      let error: unknown;
      try {
        buildGradient(model, defaultRegistry(), { of: 'y0', wrt: ['x'] });
      } catch (e) {
        error = e;
      }
      expect(isXqcError(error, 'XQC_AUTODIFF_UNSUPPORTED')).toBe(true);
    });
  }
});
