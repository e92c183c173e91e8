/** Conversion between 8-bit HWC images and normalised float CHW / NCHW model inputs. */
import { XqcError } from '../errors.ts';
import type { Tensor } from '../onnx/tensor.ts';
import { convertChannels } from './image-channels.ts';
import type { ImageU8, PlanarImage } from './image.types.ts';
import { assertImage } from './image.types.ts';

/** Channel order a model expects: RGB (PyTorch), BGR (OpenCV-trained), or one gray plane. */
export type ChannelOrder = 'rgb' | 'bgr' | 'gray';

/** How pixels become model values: `v = (pixel * scale - mean[c]) / std[c]`. */
export interface NormalizeOptions {
  order?: ChannelOrder;
  /** Per-channel mean in scaled units (one value is broadcast); default 0. */
  mean?: readonly number[];
  /** Per-channel standard deviation in scaled units (one value is broadcast); default 1. */
  std?: readonly number[];
  /** Factor applied to the raw 0..255 pixel before mean/std; default 1/255. */
  scale?: number;
}

/** torchvision's ImageNet statistics, for `order: 'rgb'` with the default scale. */
export const IMAGENET_NORMALIZE = Object.freeze({ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });

interface Resolved {
  order: ChannelOrder;
  channels: number;
  mean: number[];
  std: number[];
  scale: number;
}

function resolve(options: NormalizeOptions): Resolved {
  const order = options.order ?? 'rgb';
  const channels = order === 'gray' ? 1 : 3;
  const expand = (v: readonly number[] | undefined, fallback: number, name: string): number[] => {
    if (v === undefined) return new Array(channels).fill(fallback);
    if (v.length === 1) return new Array(channels).fill(v[0]);
    if (v.length !== channels) throw new XqcError('XQC_INVALID_ARGUMENT', `${name} has ${v.length} values; ${order} needs ${channels}`);
    return [...v];
  };
  const mean = expand(options.mean, 0, 'mean');
  const std = expand(options.std, 1, 'std');
  if (std.some((s) => !(Math.abs(s) > 0))) throw new XqcError('XQC_INVALID_ARGUMENT', 'std values must be non-zero');
  return { order, channels, mean, std, scale: options.scale ?? 1 / 255 };
}

/** Source channel (in RGB order) of each output plane. */
function planeSources(order: ChannelOrder): number[] {
  return order === 'bgr' ? [2, 1, 0] : order === 'rgb' ? [0, 1, 2] : [0];
}

/**
 * Writes `image` into `out` at `offset` as C planes of H*W floats:
 * `out[offset + (c * H + y) * W + x] = (pixel[y, x, src(c)] * scale - mean[c]) / std[c]`.
 */
function writePlanes(image: ImageU8, r: Resolved, out: Float32Array, offset: number): void {
  const src = convertChannels(image, r.order === 'gray' ? 1 : 3);
  const n = src.width * src.height;
  const sources = planeSources(r.order);
  for (let c = 0; c < r.channels; c++) {
    const k = sources[c];
    const a = r.scale / r.std[c];
    const b = -r.mean[c] / r.std[c];
    const base = offset + c * n;
    for (let i = 0; i < n; i++) out[base + i] = src.data[i * src.channels + k] * a + b;
  }
}

/**
 * Normalises an 8-bit image into a planar float image (CHW, float32).
 * Gray input is replicated for `rgb`/`bgr`; colour input becomes BT.601 luma for `gray`; alpha is dropped.
 */
export function imageToPlanar(image: ImageU8, options: NormalizeOptions = {}): PlanarImage {
  assertImage(image);
  const r = resolve(options);
  const data = new Float32Array(r.channels * image.width * image.height);
  writePlanes(image, r, data, 0);
  return { channels: r.channels, height: image.height, width: image.width, data };
}

/**
 * Inverse of {@link imageToPlanar}: `pixel = round(clamp((v * std + mean) / scale, 0, 255))`,
 * planes reordered back to RGB (or one gray channel).
 */
export function planarToImage(planar: PlanarImage, options: NormalizeOptions = {}): ImageU8 {
  const r = resolve(options);
  const { width, height } = planar;
  const n = width * height;
  if (planar.channels !== r.channels || planar.data.length !== r.channels * n) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `planar image [${planar.channels},${height},${width}] does not match order ${r.order}`);
  }
  const out = new Uint8Array(n * r.channels);
  const sources = planeSources(r.order);
  for (let c = 0; c < r.channels; c++) {
    const k = sources[c];
    for (let i = 0; i < n; i++) {
      const v = (planar.data[c * n + i] * r.std[c] + r.mean[c]) / r.scale;
      out[i * r.channels + k] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }
  return { width, height, channels: r.channels === 1 ? 1 : 3, data: out };
}

/**
 * Stacks same-sized images into one NCHW float32 tensor `[N, C, H, W]` with the
 * normalisation of {@link imageToPlanar}. Throws `XQC_SHAPE_MISMATCH` on mixed sizes.
 */
export function imagesToNchw(images: readonly ImageU8[], options: NormalizeOptions = {}): Tensor<'float32'> {
  if (images.length === 0) throw new XqcError('XQC_INVALID_ARGUMENT', 'imagesToNchw needs at least one image');
  const r = resolve(options);
  const { width, height } = images[0];
  const per = r.channels * width * height;
  const data = new Float32Array(images.length * per);
  images.forEach((image, i) => {
    assertImage(image, `images[${i}]`);
    if (image.width !== width || image.height !== height) {
      throw new XqcError('XQC_SHAPE_MISMATCH', `images[${i}] is ${image.width}x${image.height}; images[0] is ${width}x${height}`);
    }
    writePlanes(image, r, data, i * per);
  });
  return { dtype: 'float32', dims: [images.length, r.channels, height, width], data };
}
