/**
 * The segmentation network of the detector trained on simulated defects: the zoo's U-Net with
 * two classes (good, defect) and no dropout. Training builds it at the crop size, and the
 * inference form at the model input padded to multiples of 2^depth (the network is fully
 * convolutional, so both share the weights); `models/anomaly/simulated/simulated-scorer.ts`
 * wraps the inference form.
 */
import type { SimulatedNetworkSpec } from '../../models/anomaly/simulated/simulated-scorer.ts';
import { unet } from '../zoo/unet.ts';
import type { ZooModel } from '../zoo/zoo.types.ts';

/** The U-Net (two classes: good, defect) of `spec` at `height x width` (multiples of 2^depth), in training or inference form. */
export function simulatedUnet(spec: SimulatedNetworkSpec, height: number, width: number, training: boolean): ZooModel {
  return unet({ width: spec.width, depth: spec.depth, numClasses: 2, dropout: 0, inputSize: [height, width], seed: spec.seed, training });
}
