/**
 * MobileNetV2 (Sandler et al. 2018) as torchvision builds it: the same channel rounding,
 * block settings and parameter count (3,504,872 at width 1.0 and 1000 classes), with
 * readable layer names (`features.3.dw.conv`) in torchvision's parameter order.
 */
import { check } from '../../errors.ts';
import { NetBuilder, checkInt, sizeOf2d } from './layers.ts';
import type { ZooModel, ZooOptions } from './zoo.types.ts';

/** Options of {@link mobilenetV2}. */
export interface MobileNetV2Options extends ZooOptions {
  /** Channel multiplier (default 1.0). */
  widthMult?: number;
  numClasses: number;
  /** Dropout before the classifier (default 0.2, as torchvision). */
  dropout?: number;
  /** Input height and width (default 224). */
  inputSize?: number | [number, number];
}

/** Expansion t, output channels c, repeats n, first stride s of each stage (the paper's Table 2). */
const SETTINGS: readonly [number, number, number, number][] = [
  [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
];

/** torchvision's `_make_divisible`: round to a multiple of 8, never dropping more than 10%. */
function makeDivisible(v: number, divisor = 8): number {
  let r = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (r < 0.9 * v) r += divisor;
  return r;
}

/**
 * A MobileNetV2 classifier. Graph: input [N,3,H,W] -> features.0 (3x3/2 conv-BN-ReLU6)
 * -> features.1..17 inverted residuals (1x1 expand -> 3x3 depthwise, group = channels ->
 * 1x1 linear projection, plus the input when stride 1 and channels match) -> features.18
 * (1x1 conv-BN-ReLU6 to 1280) -> avgpool -> flatten -> dropout -> classifier -> logits [N,K].
 * ReLU6 is Clip(x, 0, 6).
 */
export function mobilenetV2(options: MobileNetV2Options): ZooModel {
  const widthMult = options.widthMult ?? 1;
  check(Number.isFinite(widthMult) && widthMult > 0, `widthMult must be positive, got ${widthMult}`);
  checkInt('numClasses', options.numClasses, 1);
  const [h, w] = sizeOf2d(options.inputSize ?? 224);
  const nb = new NetBuilder('mobilenet_v2', options);

  let cin = makeDivisible(32 * widthMult);
  let x = convBnRelu6(nb, 'features.0', nb.input('input', 3, h, w), 3, cin, 3, 2, 1);
  const blocks: { out: string; stride: number }[] = [];
  let index = 1;
  for (const [t, c, n, s] of SETTINGS) {
    const cout = makeDivisible(c * widthMult);
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1;
      x = invertedResidual(nb, `features.${index++}`, x, cin, cout, stride, t);
      blocks.push({ out: x, stride });
      cin = cout;
    }
  }
  const last = makeDivisible(1280 * Math.max(1, widthMult));
  const lastSpatial = convBnRelu6(nb, `features.${index}`, x, cin, last, 1, 1, 1);
  // A stage ends where the next block changes the resolution.
  const featureLayers = blocks.filter((_, i) => blocks[i + 1]?.stride === 2).map((b) => b.out);
  featureLayers.push(lastSpatial);

  x = nb.flatten('flatten', nb.globalAveragePool('avgpool', lastSpatial));
  x = nb.dropout('dropout', x, options.dropout ?? 0.2);
  nb.gemm('classifier', x, last, options.numClasses, 'logits');
  nb.output('logits', ['N', options.numClasses]);
  return {
    model: nb.model({ 'xai-qc.architecture': 'mobilenet_v2', 'xai-qc.last_spatial': lastSpatial }),
    featureLayers,
    lastSpatial,
    parameters: nb.parameters,
    batchNorms: nb.batchNorms,
  };
}

/** `<p>.conv` -> `<p>.bn` -> `<p>.relu6`. */
function convBnRelu6(nb: NetBuilder, p: string, x: string, cin: number, cout: number, kernel: number, stride: number, group: number): string {
  const y = nb.conv(`${p}.conv`, x, { cin, cout, kernel, stride, group });
  return nb.relu6(`${p}.relu6`, nb.batchNorm(`${p}.bn`, y, cout));
}

/** Inverted residual: `<p>.expand` (if t > 1), `<p>.dw`, `<p>.project` (linear), `<p>.add` when shapes allow. */
function invertedResidual(nb: NetBuilder, p: string, x: string, cin: number, cout: number, stride: number, t: number): string {
  const hidden = Math.round(cin * t);
  let y = t === 1 ? x : convBnRelu6(nb, `${p}.expand`, x, cin, hidden, 1, 1, 1);
  y = convBnRelu6(nb, `${p}.dw`, y, hidden, hidden, 3, stride, hidden);
  y = nb.batchNorm(`${p}.project.bn`, nb.conv(`${p}.project.conv`, y, { cin: hidden, cout, kernel: 1 }), cout);
  return stride === 1 && cin === cout ? nb.add(`${p}.add`, x, y) : y;
}
