/**
 * ResNet (He et al. 2016) as torchvision builds it (v1.5: the stride of a Bottleneck sits
 * on its 3x3 conv), with torchvision's module paths as node names and state_dict keys as
 * initializer names, so `resnet({ depth: 18, numClasses: 1000 })` has exactly the
 * parameters of `torchvision.models.resnet18()`.
 */
import { check } from '../../errors.ts';
import { NetBuilder, checkInt, sizeOf2d } from './layers.ts';
import type { ZooModel, ZooOptions } from './zoo.types.ts';

/** Options of {@link resnet}. */
export interface ResNetOptions extends ZooOptions {
  depth: 18 | 34 | 50;
  /** Channels of the stem and of layer1 (default 64); layer k has width * 2^(k-1) (times 4 for Bottleneck outputs). */
  width?: number;
  numClasses: number;
  /** Input height and width (default 224). */
  inputSize?: number | [number, number];
  /** Dropout before the classifier (default 0: none, as torchvision). */
  dropout?: number;
}

/** Which block a stage uses and how many channels it outputs per planes. */
export interface BlockKind {
  expansion: number;
  build(nb: NetBuilder, prefix: string, x: string, cin: number, planes: number, stride: number): string;
}

const LAYOUT: Record<ResNetOptions['depth'], { block: BlockKind; blocks: number[] }> = {
  18: { block: basicBlockKind(), blocks: [2, 2, 2, 2] },
  34: { block: basicBlockKind(), blocks: [3, 4, 6, 3] },
  50: { block: bottleneckKind(), blocks: [3, 4, 6, 3] },
};

/**
 * A torchvision-equivalent ResNet classifier.
 * Graph: input [N,3,H,W] -> conv1 7x7/2 -> bn1 -> relu -> maxpool 3x3/2 -> layer1..layer4
 * -> avgpool (GlobalAveragePool) -> flatten -> [dropout] -> fc (Gemm) -> logits [N,K].
 */
export function resnet(options: ResNetOptions): ZooModel {
  const layout = LAYOUT[options.depth];
  check(layout !== undefined, `resnet depth must be 18, 34 or 50, got ${options.depth}`);
  const width = options.width ?? 64;
  checkInt('width', width, 1);
  checkInt('numClasses', options.numClasses, 1);
  const [h, w] = sizeOf2d(options.inputSize ?? 224);
  const nb = new NetBuilder(`resnet${options.depth}`, options);
  let x = nb.input('input', 3, h, w);
  x = nb.conv('conv1', x, { cin: 3, cout: width, kernel: 7, stride: 2 });
  x = nb.relu('relu', nb.batchNorm('bn1', x, width));
  x = nb.maxPool('maxpool', x, 3, 2, 1);
  const stages = residualStages(nb, x, width, layout.block, layout.blocks.map((n, i) => ({ blocks: n, planes: width << i, stride: i === 0 ? 1 : 2 })));
  return classifierHead(nb, stages, options.numClasses, options.dropout ?? 0, `resnet${options.depth}`);
}

/** One stage: `blocks` residual blocks of `planes`, the first with `stride`. */
export interface StageSpec {
  blocks: number;
  planes: number;
  stride: number;
}

/** Output of {@link residualStages}: the last activation, its channels and each stage's output. */
export interface Stages {
  out: string;
  channels: number;
  stageOutputs: string[];
}

/** Stages `layer1`, `layer2`, ... of residual blocks, each block named `layer<k>.<i>`. */
export function residualStages(nb: NetBuilder, x: string, cin: number, block: BlockKind, specs: StageSpec[]): Stages {
  const stageOutputs: string[] = [];
  let channels = cin;
  specs.forEach((s, k) => {
    for (let i = 0; i < s.blocks; i++) {
      x = block.build(nb, `layer${k + 1}.${i}`, x, channels, s.planes, i === 0 ? s.stride : 1);
      channels = s.planes * block.expansion;
    }
    stageOutputs.push(x);
  });
  return { out: x, channels, stageOutputs };
}

/** avgpool -> flatten -> [dropout] -> fc -> `logits` [N,K], and the model's metadata. */
export function classifierHead(nb: NetBuilder, stages: Stages, numClasses: number, dropout: number, architecture: string): ZooModel {
  let x = nb.globalAveragePool('avgpool', stages.out);
  x = nb.flatten('flatten', x);
  x = nb.dropout('dropout', x, dropout);
  nb.gemm('fc', x, stages.channels, numClasses, 'logits');
  nb.output('logits', ['N', numClasses]);
  const lastSpatial = stages.out;
  return {
    model: nb.model({ 'xai-qc.architecture': architecture, 'xai-qc.last_spatial': lastSpatial }),
    featureLayers: stages.stageOutputs,
    lastSpatial,
    parameters: nb.parameters,
    batchNorms: nb.batchNorms,
  };
}

/** The identity branch: x itself, or a strided 1x1 conv + BN (`downsample.0/1`) when the shape changes. */
function shortcut(nb: NetBuilder, prefix: string, x: string, cin: number, cout: number, stride: number): string {
  if (stride === 1 && cin === cout) return x;
  const y = nb.conv(`${prefix}.downsample.0`, x, { cin, cout, kernel: 1, stride, pad: 0 });
  return nb.batchNorm(`${prefix}.downsample.1`, y, cout);
}

/** BasicBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), both convs 3x3. */
export function basicBlockKind(): BlockKind {
  return {
    expansion: 1,
    build(nb, p, x, cin, planes, stride) {
      let y = nb.relu(`${p}.relu1`, nb.batchNorm(`${p}.bn1`, nb.conv(`${p}.conv1`, x, { cin, cout: planes, kernel: 3, stride }), planes));
      y = nb.batchNorm(`${p}.bn2`, nb.conv(`${p}.conv2`, y, { cin: planes, cout: planes, kernel: 3 }), planes);
      return nb.relu(`${p}.relu`, nb.add(`${p}.add`, y, shortcut(nb, p, x, cin, planes, stride)));
    },
  };
}

/** Bottleneck: 1x1 reduce -> 3x3 (strided) -> 1x1 expand to 4 * planes, plus the shortcut, then ReLU. */
function bottleneckKind(): BlockKind {
  return {
    expansion: 4,
    build(nb, p, x, cin, planes, stride) {
      const cout = planes * 4;
      let y = nb.relu(`${p}.relu1`, nb.batchNorm(`${p}.bn1`, nb.conv(`${p}.conv1`, x, { cin, cout: planes, kernel: 1 }), planes));
      y = nb.relu(`${p}.relu2`, nb.batchNorm(`${p}.bn2`, nb.conv(`${p}.conv2`, y, { cin: planes, cout: planes, kernel: 3, stride }), planes));
      y = nb.batchNorm(`${p}.bn3`, nb.conv(`${p}.conv3`, y, { cin: planes, cout, kernel: 1 }), cout);
      return nb.relu(`${p}.relu`, nb.add(`${p}.add`, y, shortcut(nb, p, x, cin, cout, stride)));
    },
  };
}
