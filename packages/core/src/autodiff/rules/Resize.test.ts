import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import type { Dim, Model } from '../../onnx/ir.ts';
import { saveModel } from '../../onnx/model-io.ts';
import { tensor, toFloat64 } from '../../onnx/tensor.ts';
import { createSession } from '../../runtime/session.ts';
import { emptyModel, expectGradientsClose, normalRng, randn, singleOpModel } from '../../testing/index.ts';
import { GradientSession } from '../gradient.ts';
import { resizeMatrix } from '../resize-matrix.ts';

// Resize has no double kernel on ONNX Runtime's CPU provider: float32. Resize is linear in X,
// so h = 1e-2 differences are exact up to float32 rounding of F = <c, y> over <= ~300
// outputs (~300 * 6e-8 / 1e-2 ~ 2e-3): the default rtol 2e-2, atol 2e-3 apply.
const rng = normalRng(53);

interface ResizeCase {
  mode: 'nearest' | 'linear';
  ctm: string;
  nearest?: string;
  x: number[];
  /** Scales of H and W, or output sizes of H and W. */
  scales?: [number, number];
  sizes?: [number, number];
}

function resizeModel(c: ResizeCase, opset = 13, xShape: Dim[] = c.x): Model {
  const constants: Record<number, ReturnType<typeof tensor>> = {};
  const omitted = [1];
  if (c.scales) constants[2] = tensor('float32', [4], [1, 1, ...c.scales]);
  else {
    omitted.push(2);
    constants[3] = tensor('int64', [4], [c.x[0], c.x[1], ...(c.sizes as number[])]);
  }
  return singleOpModel({
    op: 'Resize',
    inputs: [{ name: 'x', dtype: 'float32', shape: xShape }],
    constants,
    omitted,
    attrs: { mode: c.mode, coordinate_transformation_mode: c.ctm, nearest_mode: c.nearest },
    opset,
  });
}

/** Y = A_H X A_W^T per (n, c) plane, with A from resizeMatrix and ONNX Runtime's size rule. */
function matrixForward(c: ResizeCase, x: Float64Array): { y: Float64Array; dims: number[] } {
  const [N, C, H, W] = c.x;
  const axis = (k: number, n: number) => {
    const scale = c.scales ? Math.fround(c.scales[k]) : Math.fround((c.sizes as number[])[k] / n);
    const out = c.scales ? Math.trunc(Math.fround(scale * n)) : (c.sizes as number[])[k];
    return { out, a: resizeMatrix({ mode: c.mode, ctm: c.ctm, nearestMode: c.nearest ?? 'round_prefer_floor', inSize: n, outSize: out, scale }) };
  };
  const h = axis(0, H);
  const w = axis(1, W);
  const y = new Float64Array(N * C * h.out * w.out);
  for (let p = 0; p < N * C; p++) {
    for (let i = 0; i < h.out; i++) {
      for (let j = 0; j < w.out; j++) {
        let s = 0;
        for (let u = 0; u < H; u++) {
          const ah = h.a[i * H + u];
          if (ah === 0) continue;
          for (let v = 0; v < W; v++) s += ah * w.a[j * W + v] * x[(p * H + u) * W + v];
        }
        y[(p * h.out + i) * w.out + j] = s;
      }
    }
  }
  return { y, dims: [N, C, h.out, w.out] };
}

const coordinateModes = ['half_pixel', 'asymmetric', 'align_corners', 'pytorch_half_pixel'];
const nearestModes = ['floor', 'round_prefer_floor', 'round_prefer_ceil', 'ceil'];
const geometries: Pick<ResizeCase, 'x' | 'scales' | 'sizes'>[] = [
  { x: [1, 2, 4, 5], scales: [2, 3] },
  { x: [1, 2, 6, 7], scales: [0.5, 0.75] },
  { x: [1, 2, 5, 4], scales: [1.5, 2.5] },
  { x: [1, 2, 5, 6], sizes: [7, 13] },
  { x: [1, 2, 9, 8], sizes: [4, 3] },
  { x: [1, 1, 3, 1], sizes: [8, 1] },
];
const forwardCases: ResizeCase[] = [];
for (const g of geometries) {
  for (const ctm of coordinateModes) {
    forwardCases.push({ mode: 'linear', ctm, ...g });
    for (const nearest of nearestModes) forwardCases.push({ mode: 'nearest', ctm, nearest, ...g });
  }
  forwardCases.push({ mode: 'nearest', ctm: 'tf_half_pixel_for_nn', nearest: 'floor', ...g });
}

describe('Resize interpolation matrices reproduce ONNX Runtime', () => {
  it(`forward A_H X A_W^T equals Resize on random data in ${forwardCases.length} configurations`, async () => {
    const mismatches: string[] = [];
    for (const c of forwardCases) {
      const x = randn('float32', c.x, rng);
      const session = await createSession(saveModel(resizeModel(c)));
      const ort = (await session.run({ x }))['y0'];
      await session.release();
      const ref = matrixForward(c, toFloat64(x));
      const got = toFloat64(ort);
      const err = got.length === ref.y.length ? got.reduce((m, v, i) => Math.max(m, Math.abs(v - ref.y[i])), 0) : Infinity;
      if (JSON.stringify(ort.dims) !== JSON.stringify(ref.dims) || err > 1e-5) {
        mismatches.push(`${c.mode}/${c.ctm}/${c.nearest ?? '-'} x=[${c.x}] ${c.scales ? `scales=[${c.scales}]` : `sizes=[${c.sizes}]`}: dims ${ort.dims} vs ${ref.dims}, err ${err}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});

interface GradCase extends ResizeCase {
  name: string;
  opset?: number;
  shape?: Dim[];
}

const gradCases: GradCase[] = [
  { name: 'nearest 2x asymmetric/floor (block sum)', mode: 'nearest', ctm: 'asymmetric', nearest: 'floor', x: [2, 3, 3, 4], scales: [2, 2] },
  { name: 'nearest [2,3]x half_pixel/round_prefer_floor (block sum), symbolic sizes, opset 18', mode: 'nearest', ctm: 'half_pixel', x: [2, 2, 3, 4], scales: [2, 3], opset: 18, shape: ['N', 2, null, null] },
  { name: 'nearest 3x pytorch_half_pixel/round_prefer_ceil (block sum) at opset 21', mode: 'nearest', ctm: 'pytorch_half_pixel', nearest: 'round_prefer_ceil', x: [1, 2, 3, 3], scales: [3, 3], opset: 21 },
  { name: 'nearest 2x half_pixel/floor (shifted blocks: matrix)', mode: 'nearest', ctm: 'half_pixel', nearest: 'floor', x: [1, 2, 3, 4], scales: [2, 2] },
  { name: 'nearest downscale by sizes, asymmetric/floor (matrix)', mode: 'nearest', ctm: 'asymmetric', nearest: 'floor', x: [1, 2, 7, 6], sizes: [3, 4] },
  { name: 'nearest fractional align_corners/round_prefer_ceil (matrix)', mode: 'nearest', ctm: 'align_corners', nearest: 'round_prefer_ceil', x: [1, 2, 4, 5], scales: [1.75, 1.5] },
  { name: 'linear 2x half_pixel', mode: 'linear', ctm: 'half_pixel', x: [2, 2, 3, 4], scales: [2, 2] },
  { name: 'linear align_corners to sizes [7, 9]', mode: 'linear', ctm: 'align_corners', x: [1, 3, 4, 5], sizes: [7, 9] },
  { name: 'linear asymmetric downscale 0.5', mode: 'linear', ctm: 'asymmetric', x: [1, 2, 8, 6], scales: [0.5, 0.5] },
  { name: 'linear pytorch_half_pixel W only, symbolic batch, opset 19', mode: 'linear', ctm: 'pytorch_half_pixel', x: [2, 2, 3, 4], scales: [1, 2.5], opset: 19, shape: ['N', 2, 3, 4] },
];

describe('Resize gradient (finite differences)', () => {
  for (const c of gradCases) {
    it(c.name, async () => {
      const model = resizeModel(c, c.opset ?? 13, c.shape ?? c.x);
      const r = await expectGradientsClose({ model, feeds: { x: randn('float32', c.x, rng) }, of: 'y0', wrt: ['x'], maxElements: 48 });
      expect(r.checked).toBeGreaterThan(0);
    });
  }

  it('axes attribute (opset 18) with scales for [H, W] only, half_pixel_symmetric at opset 19', async () => {
    const model = singleOpModel({
      op: 'Resize',
      inputs: [{ name: 'x', dtype: 'float32', shape: [1, 2, 3, 4] }],
      constants: { 2: tensor('float32', [2], [2, 1.5]) },
      omitted: [1],
      attrs: { mode: 'linear', coordinate_transformation_mode: 'half_pixel_symmetric', axes: [-2, -1] },
      opset: 19,
    });
    await expectGradientsClose({ model, feeds: { x: randn('float32', [1, 2, 3, 4], rng) }, of: 'y0', wrt: ['x'], maxElements: 24 });
  });
});

describe('Resize gradient errors', () => {
  const reject = async (model: Model): Promise<void> => {
    await expect(GradientSession.create(model, { of: 'y0', wrt: ['x'] })).rejects.toSatisfy((e: unknown) => isXqcError(e, 'XQC_AUTODIFF_UNSUPPORTED'));
  };
  it('rejects cubic mode', () =>
    reject(singleOpModel({ op: 'Resize', inputs: [{ name: 'x', dtype: 'float32', shape: [1, 1, 2, 2] }], constants: { 2: tensor('float32', [4], [1, 1, 2, 2]) }, omitted: [1], attrs: { mode: 'cubic' } })));
  it('rejects scales computed at run time', async () => {
    const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: [1, 1, 2, 2] }, { name: 's', dtype: 'float32', shape: [4] }]);
    b.op('Resize', ['x', '', 's'], { mode: 'nearest' }, { outputNames: ['y0'] });
    model.graph.outputs = [{ name: 'y0' }];
    await reject(model);
  });
  it('rejects a non-integer scale on an axis of unknown size', () => reject(resizeModel({ mode: 'linear', ctm: 'half_pixel', x: [1, 1, 3, 3], scales: [1.5, 2] }, 13, [1, 1, null, null])));
});
