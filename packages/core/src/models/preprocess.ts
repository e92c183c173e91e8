/**
 * Image -> model input, as the card says: colour order, resize or letterbox, mean/std,
 * NCHW float32. Keeps how each image was placed so maps at model resolution (masks,
 * heatmaps) can be mapped back onto the original image.
 *
 * Alpha is dropped, everywhere: an RGBA image is read as its RGB channels (gray cards
 * take the BT.601 luma of those), the way PIL's `convert('RGB')` and OpenCV's
 * `IMREAD_COLOR` read it, so a model trained from files by those tools sees what it saw
 * in training. Transparent pixels therefore show whatever colour they store.
 */
import { XqcError } from '../errors.ts';
import { convertChannels } from '../image/image-channels.ts';
import { letterbox } from '../image/image-letterbox.ts';
import type { LetterboxInfo } from '../image/image-letterbox.ts';
import { resizeBilinear, resizeMap, resizeNearest } from '../image/image-resize.ts';
import { imagesToNchw } from '../image/image-tensor.ts';
import type { ImageU8, ScalarMap } from '../image/image.types.ts';
import type { Tensor } from '../onnx/tensor.ts';
import type { InputSpec } from './card.ts';

/** How one image was placed into the model input. */
export interface Placement {
  /** Original size. */
  width: number;
  height: number;
  /** Region of the model input the image occupies (the whole input for 'stretch'). */
  offsetX: number;
  offsetY: number;
  innerWidth: number;
  innerHeight: number;
}

/** Converts one image to the model's colour order and size. */
export function fitImage(image: ImageU8, spec: InputSpec): { image: ImageU8; placement: Placement } {
  const channels = spec.color === 'gray' ? 1 : 3;
  if (spec.resize === 'tile') {
    throw new XqcError('XQC_INVALID_ARGUMENT', "input.resize 'tile' cuts an image into several model inputs; only an anomaly detector (AnomalyDetector, models/anomaly/tiling.ts) prepares such images, not one input per image");
  }
  const conv = image.channels === channels ? image : convertChannels(image, channels);
  if (spec.resize === 'letterbox') {
    const { image: boxed, info } = letterbox(conv, spec.width, spec.height);
    return { image: boxed, placement: fromLetterbox(image, info) };
  }
  const resized = conv.width === spec.width && conv.height === spec.height ? conv : resizeBilinear(conv, spec.width, spec.height);
  return {
    image: resized,
    placement: { width: image.width, height: image.height, offsetX: 0, offsetY: 0, innerWidth: spec.width, innerHeight: spec.height },
  };
}

function fromLetterbox(image: ImageU8, info: LetterboxInfo): Placement {
  return {
    width: image.width,
    height: image.height,
    offsetX: info.offsetX,
    offsetY: info.offsetY,
    innerWidth: info.innerWidth,
    innerHeight: info.innerHeight,
  };
}

/**
 * Builds the input batch for `images`.
 * @returns tensor [N, C, H, W] float32 with v = (pixel/255 - mean[c]) / std[c], and placements.
 */
export function preprocess(images: readonly ImageU8[], spec: InputSpec): { tensor: Tensor<'float32'>; placements: Placement[]; fitted: ImageU8[] } {
  if (images.length === 0) throw new XqcError('XQC_INVALID_ARGUMENT', 'no images to preprocess');
  const fitted: ImageU8[] = [];
  const placements: Placement[] = [];
  for (const img of images) {
    const f = fitImage(img, spec);
    fitted.push(f.image);
    placements.push(f.placement);
  }
  const order = spec.color === 'bgr' ? 'bgr' : spec.color === 'gray' ? 'gray' : 'rgb';
  const tensor = imagesToNchw(fitted, { order, mean: spec.mean, std: spec.std });
  return { tensor, placements, fitted };
}

/**
 * Places a one-channel mask (class ids) into the model input the way its image was placed:
 * nearest-neighbour resize to the placed region, `fill` (default 0) outside it.
 * @returns [height * width] of the model input, row-major
 */
export function fitMask(mask: ImageU8, p: Placement, spec: Pick<InputSpec, 'height' | 'width'>, fill = 0): Uint8Array {
  if (mask.channels !== 1) throw new XqcError('XQC_IMAGE_INVALID', `a mask has one channel, got ${mask.channels}`);
  if (mask.width !== p.width || mask.height !== p.height) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `mask is ${mask.width}x${mask.height}, its image is ${p.width}x${p.height}`);
  }
  const inner = mask.width === p.innerWidth && mask.height === p.innerHeight ? mask.data : resizeNearest(mask, p.innerWidth, p.innerHeight).data;
  if (p.innerWidth === spec.width && p.innerHeight === spec.height) return Uint8Array.from(inner);
  const out = new Uint8Array(spec.width * spec.height).fill(fill);
  for (let y = 0; y < p.innerHeight; y++) out.set(inner.subarray(y * p.innerWidth, (y + 1) * p.innerWidth), (y + p.offsetY) * spec.width + p.offsetX);
  return out;
}

/** Maps a map at model resolution back to the original image's size (bilinear). */
export function mapToOriginal(map: ScalarMap, p: Placement): ScalarMap {
  const inner = cropMap(map, p.offsetX, p.offsetY, p.innerWidth, p.innerHeight);
  return inner.width === p.width && inner.height === p.height ? inner : resizeMap(inner, p.width, p.height);
}

/** A rectangular crop of a scalar map. */
export function cropMap(map: ScalarMap, x0: number, y0: number, w: number, h: number): ScalarMap {
  if (x0 === 0 && y0 === 0 && w === map.width && h === map.height) return map;
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) data.set(map.data.subarray((y + y0) * map.width + x0, (y + y0) * map.width + x0 + w), y * w);
  return { width: w, height: h, data };
}
