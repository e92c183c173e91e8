/** Architectures as ONNX graph builders: seeded, named layers, Grad-CAM metadata alongside. */
export { compactResNet } from './compact-resnet.ts';
export type { CompactResNetOptions } from './compact-resnet.ts';
export { mobilenetV2 } from './mobilenet-v2.ts';
export type { MobileNetV2Options } from './mobilenet-v2.ts';
export { resnet } from './resnet.ts';
export type { ResNetOptions } from './resnet.ts';
export { unet } from './unet.ts';
export type { UNetOptions } from './unet.ts';
export type { BatchNormState, ZooModel, ZooOptions } from './zoo.types.ts';
