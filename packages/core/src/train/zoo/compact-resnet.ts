/**
 * The small residual classifier XAI-QC trains by default: cheap enough to train on two
 * CPU cores, deep enough for texture defects, with the same layer names as ResNet so
 * explainers and feature extractors treat both alike.
 */
import { check } from '../../errors.ts';
import { NetBuilder, checkInt, sizeOf2d } from './layers.ts';
import { basicBlockKind, classifierHead, residualStages } from './resnet.ts';
import type { ZooModel, ZooOptions } from './zoo.types.ts';

/** Options of {@link compactResNet}. */
export interface CompactResNetOptions extends ZooOptions {
  /** Channels of the stem and layer1 (default 16); layer k has width * 2^(k-1). */
  width?: number;
  /** Number of residual stages, 1..5 (default 3). */
  depth?: number;
  numClasses: number;
  /** Dropout before the classifier (default 0.2). */
  dropout?: number;
  /** Input height and width (default 64). */
  inputSize?: number | [number, number];
  /**
   * Global pooling before the head: 'avgmax' (default) concatenates average and max
   * pooling, so a defect covering a few cells of the last map is not averaged away;
   * 'avg' is the plain ResNet head.
   */
  pool?: 'avg' | 'avgmax';
}

/**
 * A compact ResNet. Graph: input [N,3,H,W] -> conv1 3x3/2 -> bn1 -> relu -> layer1..layer<depth>
 * (2 BasicBlocks each; layer1 keeps the resolution, later stages halve it and double the
 * width) -> avgpool -> flatten -> dropout -> fc -> logits [N,K].
 */
export function compactResNet(options: CompactResNetOptions): ZooModel {
  const width = options.width ?? 16;
  const depth = options.depth ?? 3;
  checkInt('width', width, 1);
  checkInt('depth', depth, 1, 5);
  checkInt('numClasses', options.numClasses, 1);
  const [h, w] = sizeOf2d(options.inputSize ?? 64);
  // Each stage after the first halves the stem's H/2 x W/2 map; keep at least 1x1 without padding artefacts.
  check(Math.min(h, w) >= 2 ** depth, `input ${h}x${w} is too small for depth ${depth} (needs at least ${2 ** depth})`);
  const nb = new NetBuilder('compact_resnet', options);
  let x = nb.input('input', 3, h, w);
  x = nb.conv('conv1', x, { cin: 3, cout: width, kernel: 3, stride: 2 });
  x = nb.relu('relu', nb.batchNorm('bn1', x, width));
  const specs = Array.from({ length: depth }, (_, i) => ({ blocks: 2, planes: width << i, stride: i === 0 ? 1 : 2 }));
  const stages = residualStages(nb, x, width, basicBlockKind(), specs);
  if ((options.pool ?? 'avgmax') === 'avg') return classifierHead(nb, stages, options.numClasses, options.dropout ?? 0.2, 'compact_resnet');
  const avg = nb.globalAveragePool('avgpool', stages.out);
  const max = nb.globalMaxPool('maxpool', stages.out);
  let pooled = nb.flatten('flatten', nb.concat('pool', [avg, max]));
  pooled = nb.dropout('dropout', pooled, options.dropout ?? 0.2);
  nb.gemm('fc', pooled, 2 * stages.channels, options.numClasses, 'logits');
  nb.output('logits', ['N', options.numClasses]);
  return {
    model: nb.model({ 'xai-qc.architecture': 'compact_resnet', 'xai-qc.last_spatial': stages.out }),
    featureLayers: stages.stageOutputs,
    lastSpatial: stages.out,
    parameters: nb.parameters,
    batchNorms: nb.batchNorms,
  };
}
