/**
 * A small U-Net (Ronneberger et al. 2015) for defect segmentation: same-padded convs so
 * the mask has the input's size, BatchNormalization after every conv, Dropout in the
 * decoder for MC-Dropout uncertainty.
 */
import { check } from '../../errors.ts';
import { NetBuilder, checkInt, sizeOf2d } from './layers.ts';
import type { ZooModel, ZooOptions } from './zoo.types.ts';

/** Options of {@link unet}. */
export interface UNetOptions extends ZooOptions {
  /** Channels of the first level (default 16); level i has width * 2^i. */
  width?: number;
  /** Number of 2x downsamplings, 1..5 (default 3). */
  depth?: number;
  numClasses: number;
  /** Dropout at the start of each decoder level (default 0.1; 0 for none). */
  dropout?: number;
  /** Up-sampling: 2x2/2 ConvTranspose (default) or nearest Resize followed by a 1x1 conv. */
  upsample?: 'transpose' | 'resize';
  /** Input height and width, multiples of 2^depth (default 64). */
  inputSize?: number | [number, number];
}

/**
 * A U-Net segmenter. Graph: input [N,3,H,W] -> enc0 -> (pool<i> 2x2/2 -> enc<i>) for i = 1..depth
 * -> for i = depth-1..0: up<i> (2x) -> cat<i> = Concat(up<i>, enc<i>) -> dec<i>.dropout -> dec<i>
 * -> head (1x1 conv) -> logits [N,K,H,W]. Each enc/dec level is conv-BN-ReLU twice
 * (`<level>.conv1`, `.bn1`, `.relu1`, `.conv2`, `.bn2`, `.relu2`).
 */
export function unet(options: UNetOptions): ZooModel {
  const width = options.width ?? 16;
  const depth = options.depth ?? 3;
  const upsample = options.upsample ?? 'transpose';
  checkInt('width', width, 1);
  checkInt('depth', depth, 1, 5);
  checkInt('numClasses', options.numClasses, 1);
  check(upsample === 'transpose' || upsample === 'resize', `upsample must be 'transpose' or 'resize', got ${String(upsample)}`);
  const [h, w] = sizeOf2d(options.inputSize ?? 64);
  const step = 2 ** depth;
  check(h % step === 0 && w % step === 0, `input ${h}x${w} must be a multiple of ${step} for depth ${depth}`);
  const dropout = options.dropout ?? 0.1;
  const nb = new NetBuilder('unet', options);
  const ch = (level: number): number => width << level;

  const skips: string[] = [];
  let x = doubleConv(nb, 'enc0', nb.input('input', 3, h, w), 3, ch(0));
  skips.push(x);
  for (let i = 1; i <= depth; i++) {
    x = doubleConv(nb, `enc${i}`, nb.maxPool(`pool${i}`, x, 2, 2, 0), ch(i - 1), ch(i));
    skips.push(x);
  }
  const decoder: string[] = [];
  for (let i = depth - 1; i >= 0; i--) {
    const up = upsample === 'transpose'
      ? nb.convTranspose(`up${i}`, x, ch(i + 1), ch(i))
      : nb.conv(`up${i}.conv`, nb.upsample2x(`up${i}.resize`, x), { cin: ch(i + 1), cout: ch(i), kernel: 1, bias: true });
    const cat = nb.concat(`cat${i}`, [up, skips[i]]);
    x = doubleConv(nb, `dec${i}`, nb.dropout(`dec${i}.dropout`, cat, dropout), 2 * ch(i), ch(i));
    decoder.push(x);
  }
  nb.conv('head', x, { cin: ch(0), cout: options.numClasses, kernel: 1, bias: true }, 'logits');
  nb.output('logits', ['N', options.numClasses, h, w]);
  const lastSpatial = x;
  return {
    model: nb.model({ 'xai-qc.architecture': 'unet', 'xai-qc.last_spatial': lastSpatial }),
    featureLayers: [...skips, ...decoder],
    lastSpatial,
    parameters: nb.parameters,
    batchNorms: nb.batchNorms,
  };
}

/** conv3x3-BN-ReLU twice; returns `<p>.relu2`. */
function doubleConv(nb: NetBuilder, p: string, x: string, cin: number, cout: number): string {
  const y = nb.relu(`${p}.relu1`, nb.batchNorm(`${p}.bn1`, nb.conv(`${p}.conv1`, x, { cin, cout, kernel: 3 }), cout));
  return nb.relu(`${p}.relu2`, nb.batchNorm(`${p}.bn2`, nb.conv(`${p}.conv2`, y, { cin: cout, cout, kernel: 3 }), cout));
}
