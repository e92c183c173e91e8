/**
 * AveragePool: Y[n, c, o] = (1 / cnt_o) * sum of X over the window of o (zero padding),
 * where cnt_o is the window size (count_include_pad=1, the window clipped to the padded
 * input under ceil_mode) or its number of non-pad elements (count_include_pad=0).
 *
 * dX = ConvTranspose(dY * w, ones[1, 1, *k]) per (n, c) plane, w_o = 1/cnt_o, with the
 * forward strides, dilations and pads, at exactly X's spatial size. When every window has
 * the full divisor (no ceil_mode, and count_include_pad=1 or no pads), w = 1/prod(k).
 * Otherwise w comes from ONNX Runtime itself, so its divisor conventions are matched
 * exactly: on a ones plane P [1, 1, *in], valid_o = (P conv ones-kernel)_o counts the
 * non-pad elements and AveragePool(P)_o = valid_o / cnt_o, hence
 * w = AveragePool(P) / max(valid, 1) (windows with no valid element get 0, and carry no
 * gradient anyway). The Conv gets s-1 extra end padding so ceil_mode windows exist, and
 * is sliced to Y's spatial size.
 */
import { isStatic } from '../../onnx/shape/broadcast.ts';
import type { GradContext, GradRule } from '../types.ts';
import type { WindowGeometry } from '../window-geometry.ts';
import {
  floorOutSize, onesConstant, onesOfShape, shapeFrom, shapeSlice, sliceSpatial, spatialSizes, transposeToInput, windowGeometry,
} from '../window-geometry.ts';

function inverseDivisor(ctx: GradContext, x: string, y: string, geo: WindowGeometry, countPad: boolean): string {
  const { b } = ctx;
  const { r, kernel, strides, dilations } = geo;
  const size = spatialSizes(ctx, x);
  const plane = onesOfShape(ctx, x, shapeFrom(b, [[1, 1], size]));
  const zeros = new Array<number>(r).fill(0);
  let padded = plane;
  let pads: number[];
  if (geo.pads) pads = [...geo.pads.slice(0, r), ...geo.pads.slice(r).map((p, i) => p + strides[i] - 1)];
  else {
    const dyn = geo.dynPads as { begin: string; end: string };
    const extra = b.int64s(strides.map((s) => s - 1));
    padded = b.op1('Pad', [plane, b.op1('Concat', [b.int64s([0, 0]), dyn.begin, b.int64s([0, 0]), b.add(dyn.end, extra)], { axis: 0 })]);
    pads = [...zeros, ...zeros];
  }
  const counted = b.op1('Conv', [padded, onesConstant(ctx, x, [1, 1, ...kernel])], { strides, dilations, pads });
  const outSize = ctx.shape(y)?.slice(2);
  const valid = sliceSpatial(b, counted, r, zeros, isStatic(outSize) ? outSize : shapeSlice(b, y, 2));
  const safe = b.op1('Max', [valid, ctx.scalarLike(1, x)]);
  if (!countPad) return b.op1('Reciprocal', [safe]);
  const pooled = b.op1('AveragePool', [plane], { ...ctx.node.attributes });
  return b.div(pooled, safe);
}

export const AveragePool: GradRule = {
  opType: 'AveragePool',
  grad(ctx) {
    const { b } = ctx;
    const [x] = ctx.node.inputs;
    const y = ctx.node.outputs[0];
    const dy = ctx.dy[0] as string;
    const kernel = ctx.attrInts('kernel_shape');
    if (!kernel) return ctx.fail('kernel_shape is missing');
    const geo = windowGeometry(ctx, x, kernel);
    const ceil = ctx.attrInt('ceil_mode', 0) === 1;
    const countPad = ctx.attrInt('count_include_pad', 0) === 1;
    const unpadded = geo.pads !== undefined && geo.pads.every((p) => p === 0);
    const K = kernel.reduce((p, k) => p * k, 1);
    const w = !ceil && (countPad || unpadded) ? ctx.scalarLike(1 / K, x) : inverseDivisor(ctx, x, y, geo, countPad);
    const planes = b.reshape(b.mul(dy, w), [-1, 1, ...new Array<number>(geo.r).fill(0)]);
    const dx = transposeToInput(ctx, planes, onesConstant(ctx, x, [1, 1, ...kernel]), geo, x, 1, ceil ? undefined : floorOutSize(geo));
    return [b.reshape(dx, b.shape(x))];
  },
};
