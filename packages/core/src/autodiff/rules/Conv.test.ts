import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import type { Dim } from '../../onnx/ir.ts';
import { tensor, toFloat64 } from '../../onnx/tensor.ts';
import { emptyModel, expectGradientsClose, normalRng, randn, singleOpModel } from '../../testing/index.ts';
import { GradientSession } from '../gradient.ts';
import { defaultRegistry } from '../register-all.ts';
import { buildGradient } from '../vjp.ts';

// ONNX Runtime's CPU Conv and ConvTranspose are float32 only, so every check runs in float32.
// With h = 1e-2 on O(1) inputs, central differences are exact for a bilinear op up to float32
// rounding of F = <c, y> over ~100-300 outputs (~300 * 6e-8 / 1e-2 ~ 2e-3): the default
// rtol 2e-2, atol 2e-3 of gradCheck.
const rng = normalRng(11);

interface ConvCase {
  name: string;
  x: Dim[];
  w: number[];
  /** Declared weight shape when it differs from the fed one (unknown dims). */
  wShape?: Dim[];
  feedX?: number[];
  bias?: boolean;
  attrs?: Record<string, number[] | number | string>;
  opset?: number;
}

function convModel(c: ConvCase, op = 'Conv'): ReturnType<typeof singleOpModel> {
  const inputs = [
    { name: 'x', dtype: 'float32' as const, shape: c.x },
    { name: 'w', dtype: 'float32' as const, shape: c.wShape ?? c.w },
  ];
  const channels = op === 'Conv' ? c.w[0] : c.w[1] * Number(c.attrs?.group ?? 1);
  if (c.bias !== false) inputs.push({ name: 'b', dtype: 'float32', shape: [channels] });
  return singleOpModel({ op, inputs, attrs: c.attrs, opset: c.opset });
}

async function checkConv(c: ConvCase, op = 'Conv'): Promise<void> {
  const xDims = c.feedX ?? (c.x as number[]);
  const feeds = { x: randn('float32', xDims, rng), w: randn('float32', c.w, rng, 0.5) } as Record<string, ReturnType<typeof randn>>;
  const wrt = ['x', 'w'];
  if (c.bias !== false) {
    const channels = op === 'Conv' ? c.w[0] : c.w[1] * Number(c.attrs?.group ?? 1);
    feeds.b = randn('float32', [channels], rng);
    wrt.push('b');
  }
  const r = await expectGradientsClose({ model: convModel(c, op), feeds, of: 'y0', wrt, maxElements: 48 });
  expect(r.checked).toBeGreaterThan(0);
}

const conv2d: ConvCase[] = [
  { name: '3x3 pad 1 stride 1', x: [2, 3, 6, 5], w: [4, 3, 3, 3], attrs: { pads: [1, 1, 1, 1] } },
  { name: 'stride 2, dilation [2,1], asymmetric pads', x: [1, 2, 9, 8], w: [3, 2, 3, 2], attrs: { strides: [2, 2], dilations: [2, 1], pads: [0, 1, 2, 0] } },
  { name: 'stride 3 leaves trailing rows unread', x: [1, 2, 8, 7], w: [2, 2, 2, 2], attrs: { strides: [3, 3] } },
  { name: 'groups 2, stride 2, pad 1', x: [1, 4, 7, 7], w: [6, 2, 3, 3], attrs: { group: 2, strides: [2, 2], pads: [1, 1, 1, 1] } },
  { name: 'depthwise 3x3 stride 2', x: [2, 3, 6, 6], w: [3, 1, 3, 3], attrs: { group: 3, strides: [2, 2], pads: [1, 1, 1, 1] } },
  { name: 'depthwise multiplier 2 without bias', x: [1, 2, 5, 5], w: [4, 1, 3, 3], bias: false, attrs: { group: 2, pads: [1, 0, 1, 0] } },
  { name: 'auto_pad SAME_UPPER stride 2 (odd total pad)', x: [1, 2, 7, 6], w: [2, 2, 4, 3], attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] } },
  { name: 'auto_pad SAME_LOWER stride 2', x: [1, 2, 7, 6], w: [2, 2, 4, 3], attrs: { auto_pad: 'SAME_LOWER', strides: [2, 2] } },
  { name: 'auto_pad VALID stride 2', x: [1, 2, 7, 6], w: [3, 2, 3, 3], attrs: { auto_pad: 'VALID', strides: [2, 1] } },
  { name: '1x1 kernel stride 2 at opset 13', x: [2, 3, 5, 5], w: [2, 3, 1, 1], attrs: { strides: [2, 2] }, opset: 13 },
  { name: '1x1 kernel, stride 1, symbolic batch (MatMul weight gradient)', x: ['N', 4, 3, 5], feedX: [3, 4, 3, 5], w: [3, 4, 1, 1] },
  { name: '1x1 kernel with pads 1 beyond its reach, groups 2', x: [1, 4, 3, 3], w: [2, 2, 1, 1], attrs: { pads: [1, 1, 1, 1], group: 2 } },
  { name: 'groups 2 at opset 21', x: [1, 4, 5, 6], w: [2, 2, 3, 3], attrs: { group: 2, pads: [1, 1, 1, 1], strides: [1, 2] }, opset: 21 },
];

const conv1d: ConvCase[] = [
  { name: '1-D stride 3 dilation 2 asymmetric pads', x: [2, 3, 11], w: [2, 3, 4], attrs: { strides: [3], dilations: [2], pads: [2, 1] } },
  { name: '1-D depthwise SAME_UPPER stride 2', x: [1, 4, 9], w: [4, 1, 3], attrs: { group: 4, auto_pad: 'SAME_UPPER', strides: [2] } },
];

const dynamic: ConvCase[] = [
  { name: 'symbolic batch and spatial, stride 2, pads', x: ['N', 3, null, null], feedX: [2, 3, 7, 6], w: [2, 3, 3, 3], attrs: { strides: [2, 2], pads: [1, 0, 0, 1] } },
  { name: 'unknown spatial, groups 2, dilation 2', x: ['N', 4, 'H', 'W'], feedX: [1, 4, 8, 7], w: [4, 2, 2, 3], attrs: { group: 2, dilations: [2, 2], pads: [1, 1, 1, 1] } },
  { name: 'weight of unknown shape with kernel_shape, groups 2, stride 1', x: [1, 4, 5, 5], w: [4, 2, 3, 3], wShape: [null, null, 3, 3], attrs: { group: 2, kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
  { name: 'unknown spatial, SAME_UPPER stride 2 (pads in the graph)', x: [1, 2, null, null], feedX: [1, 2, 7, 6], w: [3, 2, 4, 3], attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] } },
  { name: 'unknown spatial, depthwise SAME_LOWER at opset 13', x: [1, 3, null, null], feedX: [1, 3, 5, 6], w: [3, 1, 3, 2], attrs: { group: 3, auto_pad: 'SAME_LOWER', strides: [2, 2] }, opset: 13 },
];

describe('Conv gradient (finite differences)', () => {
  for (const c of conv2d) it(`2-D: ${c.name}`, () => checkConv(c));
  for (const c of conv1d) it(c.name, () => checkConv(c));
  for (const c of dynamic) it(c.name, () => checkConv(c));
  it('3-D: stride [1,2,2], pads 1', () => checkConv({ name: '3d', x: [1, 2, 4, 5, 5], w: [2, 2, 2, 3, 3], attrs: { strides: [1, 2, 2], pads: [1, 1, 1, 0, 1, 1] } }));

  it('Conv -> Relu -> Conv with spatial sizes unknown throughout', async () => {
    const { model, b } = emptyModel([
      { name: 'x', dtype: 'float32', shape: ['N', 2, null, null] },
      { name: 'w1', dtype: 'float32', shape: [3, 2, 3, 3] },
      { name: 'w2', dtype: 'float32', shape: [2, 3, 3, 3] },
    ]);
    const h = b.op1('Conv', ['x', 'w1'], { pads: [1, 1, 1, 1] });
    // The offset keeps every pre-activation far above Relu's kink, so differences stay smooth.
    const a = b.op1('Relu', [b.op1('Add', [h, b.scalar(4, 'float32')])]);
    b.op('Conv', [a, 'w2'], { strides: [2, 2], pads: [0, 1, 1, 0] }, { outputNames: ['y'] });
    model.graph.outputs = [{ name: 'y' }];
    const feeds = { x: randn('float32', [1, 2, 7, 7], rng, 0.3), w1: randn('float32', [3, 2, 3, 3], rng, 0.3), w2: randn('float32', [2, 3, 3, 3], rng, 0.5) };
    await expectGradientsClose({ model, feeds, of: 'y', wrt: ['x', 'w1', 'w2'], maxElements: 32 });
  });
});

/** Direct-loop 2-D Conv reference: y, and dx, dw for a cotangent dy. Pads [t, l, b, r]. */
function referenceConv2d(
  x: Float64Array, xs: number[], w: Float64Array, ws: number[], dy: Float64Array | null,
  o: { strides: number[]; dilations: number[]; pads: number[]; group: number },
): { y: Float64Array; ys: number[]; dx: Float64Array; dw: Float64Array } {
  const [N, C, H, W] = xs;
  const [M, Cg, KH, KW] = ws;
  const [sh, sw] = o.strides;
  const [dh, dw_] = o.dilations;
  const [pt, pl, pb, pr] = o.pads;
  const OH = Math.floor((H + pt + pb - (KH - 1) * dh - 1) / sh) + 1;
  const OW = Math.floor((W + pl + pr - (KW - 1) * dw_ - 1) / sw) + 1;
  const Mg = M / o.group;
  const y = new Float64Array(N * M * OH * OW);
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const g = Math.floor(m / Mg);
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          const yi = ((n * M + m) * OH + oh) * OW + ow;
          for (let c = 0; c < Cg; c++) {
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * sh + kh * dh - pt;
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * sw + kw * dw_ - pl;
                if (iw < 0 || iw >= W) continue;
                const xi = ((n * C + g * Cg + c) * H + ih) * W + iw;
                const wi = ((m * Cg + c) * KH + kh) * KW + kw;
                y[yi] += x[xi] * w[wi];
                if (dy) {
                  dx[xi] += dy[yi] * w[wi];
                  dw[wi] += dy[yi] * x[xi];
                }
              }
            }
          }
        }
      }
    }
  }
  return { y, ys: [N, M, OH, OW], dx, dw };
}

describe('Conv gradient against a direct-loop reference', () => {
  const cases = [
    { xs: [2, 4, 7, 6], ws: [6, 2, 3, 2], strides: [2, 1], dilations: [1, 2], pads: [1, 0, 2, 1], group: 2 },
    { xs: [1, 3, 8, 8], ws: [3, 1, 3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1, 1, 1], group: 3 },
    { xs: [3, 2, 5, 9], ws: [4, 2, 2, 4], strides: [3, 2], dilations: [2, 1], pads: [0, 3, 1, 0], group: 1 },
    { xs: [2, 4, 5, 6], ws: [4, 2, 3, 3], strides: [1, 1], dilations: [2, 1], pads: [2, 1, 1, 0], group: 2 },
    { xs: [2, 5, 6, 7], ws: [3, 5, 1, 1], strides: [2, 3], dilations: [1, 1], pads: [0, 0, 0, 0], group: 1 },
    // Zero insertion (strided, grouped): a grouped 5x5 with asymmetric pads, depthwise
    // with unequal strides and a dilation, a kernel shorter than the stride, odd sizes;
    // and a dense stem for the ConvTranspose form.
    { xs: [2, 4, 11, 9], ws: [6, 2, 5, 5], strides: [2, 2], dilations: [1, 1], pads: [2, 1, 0, 2], group: 2 },
    { xs: [1, 6, 10, 9], ws: [6, 1, 3, 3], strides: [3, 2], dilations: [2, 1], pads: [1, 1, 2, 0], group: 6 },
    { xs: [1, 4, 10, 9], ws: [4, 2, 2, 2], strides: [3, 3], dilations: [1, 1], pads: [0, 1, 1, 0], group: 2 },
    { xs: [1, 3, 15, 14], ws: [4, 3, 7, 7], strides: [2, 2], dilations: [1, 1], pads: [3, 3, 3, 3], group: 1 },
  ];
  for (const k of cases) {
    it(`group ${k.group}, strides [${k.strides}], dilations [${k.dilations}], pads [${k.pads}]`, async () => {
      const model = singleOpModel({
        op: 'Conv',
        inputs: [{ name: 'x', dtype: 'float32', shape: k.xs }, { name: 'w', dtype: 'float32', shape: k.ws }],
        attrs: { strides: k.strides, dilations: k.dilations, pads: k.pads, group: k.group },
      });
      const x = randn('float32', k.xs, rng);
      const w = randn('float32', k.ws, rng);
      const fwd = referenceConv2d(toFloat64(x), k.xs, toFloat64(w), k.ws, null, k);
      const dy = randn('float32', fwd.ys, rng);
      const ref = referenceConv2d(toFloat64(x), k.xs, toFloat64(w), k.ws, toFloat64(dy), k);
      const gs = await GradientSession.create(model, { of: 'y0', wrt: ['x', 'w'] });
      const { value, grads } = await gs.run({ x, w }, dy);
      expect(value.dims).toEqual(ref.ys);
      expect(grads.x.dims).toEqual(k.xs);
      expect(grads.w.dims).toEqual(k.ws);
      const close = (a: Float64Array, b: Float64Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
      expect(close(toFloat64(value), ref.y)).toBeLessThan(1e-4);
      expect(close(toFloat64(grads.x), ref.dx)).toBeLessThan(1e-4);
      expect(close(toFloat64(grads.w), ref.dw)).toBeLessThan(1e-4);
    });
  }
});

describe('Conv input gradient form', () => {
  const opTypes = (attrs: Record<string, number[] | number>, ws: number[]): string[] => {
    const model = singleOpModel({ op: 'Conv', inputs: [{ name: 'x', dtype: 'float32', shape: [1, ws[1] * Number(attrs.group ?? 1), 9, 9] }, { name: 'w', dtype: 'float32', shape: ws }], attrs });
    return buildGradient(model, defaultRegistry(), { of: 'y0', wrt: ['x'] }).model.graph.nodes.map((n) => n.opType);
  };
  const count = (ops: string[], op: string): number => ops.filter((t) => t === op).length;
  it('a strided depthwise Conv spreads dY with a 1x1 ConvTranspose and convolves at stride 1', () => {
    const ops = opTypes({ strides: [2, 2], pads: [1, 1, 1, 1], group: 3 }, [3, 1, 3, 3]);
    expect([count(ops, 'Conv'), count(ops, 'ConvTranspose')]).toEqual([2, 1]);
  });
  it('stride-1 Convs use a flipped-kernel Conv, dense strided Convs one ConvTranspose', () => {
    const unit = opTypes({ pads: [1, 1, 1, 1] }, [4, 3, 3, 3]);
    expect([count(unit, 'Conv'), count(unit, 'ConvTranspose')]).toEqual([2, 0]);
    const dense = opTypes({ strides: [2, 2], pads: [1, 1, 1, 1] }, [4, 3, 3, 3]);
    expect([count(dense, 'Conv'), count(dense, 'ConvTranspose')]).toEqual([1, 1]);
  });
});

describe('Conv gradient errors', () => {
  it('rejects a weight of unknown kernel size without kernel_shape', async () => {
    const model = singleOpModel({
      op: 'Conv',
      inputs: [{ name: 'x', dtype: 'float32', shape: [1, 2, 5, 5] }, { name: 'w', dtype: 'float32', shape: [2, 2, null, null] }],
    });
    await expect(GradientSession.create(model, { of: 'y0', wrt: ['x'] })).rejects.toSatisfy((e: unknown) => isXqcError(e, 'XQC_AUTODIFF_UNSUPPORTED'));
  });
  it('produces a gradient of the right size for a 1-D Conv fed through tensors', async () => {
    const model = singleOpModel({ op: 'Conv', inputs: [{ name: 'x', dtype: 'float32', shape: [1, 1, 5] }, { name: 'w', dtype: 'float32', shape: [1, 1, 2] }], attrs: { strides: [2] } });
    const gs = await GradientSession.create(model, { of: 'y0', wrt: ['x'] });
    const { grads } = await gs.run({ x: tensor('float32', [1, 1, 5], [1, 2, 3, 4, 5]), w: tensor('float32', [1, 1, 2], [10, 1]) }, tensor('float32', [1, 1, 2], [1, 2]));
    // y = [x0*10 + x1, x2*10 + x3]; x4 is never read.
    expect(Array.from(grads.x.data as Float32Array)).toEqual([10, 1, 20, 2, 0]);
  });
});
