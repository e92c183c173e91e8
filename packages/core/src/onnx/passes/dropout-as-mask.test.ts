import { describe, expect, it } from 'vitest';
import { createSession } from '../../runtime/session.ts';
import { emptyModel } from '../../testing/model-factory.ts';
import { saveModel } from '../model-io.ts';
import { tensor } from '../tensor.ts';
import { drawMask, dropoutAsMask } from './dropout-as-mask.ts';
import { uniformRng } from '../../util/random.ts';

describe('dropoutAsMask', () => {
  it('replaces each Dropout by a product with a fed mask of its static shape', async () => {
    const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: ['N', 4] }], 17);
    const h = b.op1('Dropout', ['x', b.scalar(0.25, 'float32')]);
    b.op('Relu', [h], {}, { outputNames: ['y'] });
    model.graph.outputs = [{ name: 'y' }];
    const { model: m, masks } = dropoutAsMask(model);
    expect(masks).toEqual([{ input: expect.stringContaining('dropout_mask'), ratio: 0.25, dims: [4] }]);
    expect(m.graph.nodes.some((n) => n.opType === 'Dropout')).toBe(false);
    expect(model.graph.nodes.some((n) => n.opType === 'Dropout')).toBe(true);
    const s = await createSession(saveModel(m));
    const mask = drawMask(masks[0], 2, uniformRng(1));
    expect(new Set(mask)).toEqual(new Set([0, Math.fround(1 / 0.75)]));
    const out = await s.run({ x: tensor('float32', [2, 4], [1, 2, 3, 4, 5, 6, 7, 8]), [masks[0].input]: tensor('float32', [2, 4], mask) });
    expect(Array.from(out.y.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((v, i) => Math.fround(v * mask[i])));
  });

  it('refuses a Dropout whose input shape is not static apart from the batch', () => {
    const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: ['N', null] }], 17);
    b.op('Dropout', ['x'], {}, { outputNames: ['y'] });
    model.graph.outputs = [{ name: 'y' }];
    expect(() => dropoutAsMask(model)).toThrow(/static input shape/);
  });
});
