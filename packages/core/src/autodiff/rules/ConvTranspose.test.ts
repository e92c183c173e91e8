import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import type { Dim } from '../../onnx/ir.ts';
import { expectGradientsClose, normalRng, randn, singleOpModel } from '../../testing/index.ts';
import { GradientSession } from '../gradient.ts';

// ConvTranspose and the Conv its gradient uses are float32-only on ONNX Runtime's CPU
// provider. F = <c, y> is bilinear in (x, w), so h = 1e-2 differences are exact up to float32
// rounding over a few hundred outputs (~300 * 6e-8 / 1e-2 ~ 2e-3): default rtol 2e-2, atol 2e-3.
const rng = normalRng(23);

interface Case {
  name: string;
  x: Dim[];
  feedX?: number[];
  w: number[];
  bias?: boolean;
  attrs?: Record<string, number[] | number | string>;
  opset?: number;
}

async function check(c: Case): Promise<void> {
  const group = Number(c.attrs?.group ?? 1);
  const outChannels = c.w[1] * group;
  const inputs = [
    { name: 'x', dtype: 'float32' as const, shape: c.x },
    { name: 'w', dtype: 'float32' as const, shape: c.w },
  ];
  const feeds = { x: randn('float32', c.feedX ?? (c.x as number[]), rng), w: randn('float32', c.w, rng, 0.5) } as Record<string, ReturnType<typeof randn>>;
  const wrt = ['x', 'w'];
  if (c.bias !== false) {
    inputs.push({ name: 'b', dtype: 'float32', shape: [outChannels] });
    feeds.b = randn('float32', [outChannels], rng);
    wrt.push('b');
  }
  const model = singleOpModel({ op: 'ConvTranspose', inputs, attrs: c.attrs, opset: c.opset });
  const r = await expectGradientsClose({ model, feeds, of: 'y0', wrt, maxElements: 48 });
  expect(r.checked).toBeGreaterThan(0);
}

const cases: Case[] = [
  { name: '2-D 3x3 stride 1 pad 1', x: [2, 3, 4, 5], w: [3, 2, 3, 3], attrs: { pads: [1, 1, 1, 1] } },
  { name: '2-D stride 2, pad 1, output_padding 1 (decoder upsampling)', x: [1, 3, 4, 4], w: [3, 2, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] } },
  { name: '2-D stride [3,2], dilation [1,2], asymmetric pads, output_padding [2,0]', x: [1, 2, 3, 4], w: [2, 3, 2, 3], attrs: { strides: [3, 2], dilations: [1, 2], pads: [0, 2, 1, 1], output_padding: [2, 0] } },
  { name: '2-D output_padding larger than the end pad, dilation 3 > stride 2', x: [1, 2, 3, 3], w: [2, 2, 2, 2], attrs: { strides: [2, 2], dilations: [3, 3], output_padding: [1, 1] } },
  { name: '2-D groups 2 stride 2 without bias', x: [2, 4, 3, 3], w: [4, 3, 2, 2], bias: false, attrs: { group: 2, strides: [2, 2] } },
  { name: '2-D depthwise stride 2 pad 1', x: [1, 3, 4, 4], w: [3, 1, 4, 4], attrs: { group: 3, strides: [2, 2], pads: [1, 1, 1, 1] } },
  { name: '2-D auto_pad VALID at opset 13', x: [1, 2, 3, 3], w: [2, 2, 3, 3], attrs: { auto_pad: 'VALID', strides: [2, 2] }, opset: 13 },
  { name: '1-D stride 2 dilation 2 pads [1,2] output_padding 1', x: [2, 3, 5], w: [3, 2, 3], attrs: { strides: [2], dilations: [2], pads: [1, 2], output_padding: [1] } },
  { name: 'symbolic batch and spatial, groups 2, stride 2, at opset 18', x: ['N', 4, null, null], feedX: [2, 4, 3, 4], w: [4, 1, 3, 3], attrs: { group: 2, strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }, opset: 18 },
];

describe('ConvTranspose gradient (finite differences)', () => {
  for (const c of cases) it(c.name, () => check(c));
});

describe('ConvTranspose gradient errors', () => {
  for (const attrs of [{ output_shape: [8, 8], strides: [2, 2] }, { auto_pad: 'SAME_UPPER', strides: [2, 2] }, { output_padding: [2, 2], strides: [2, 2] }]) {
    it(`rejects ${Object.keys(attrs)[0]}`, async () => {
      const model = singleOpModel({
        op: 'ConvTranspose',
        inputs: [{ name: 'x', dtype: 'float32', shape: [1, 2, 4, 4] }, { name: 'w', dtype: 'float32', shape: [2, 1, 3, 3] }],
        attrs,
      });
      await expect(GradientSession.create(model, { of: 'y0', wrt: ['x'] })).rejects.toSatisfy((e: unknown) => isXqcError(e, 'XQC_AUTODIFF_UNSUPPORTED'));
    });
  }
});
