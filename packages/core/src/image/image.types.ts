/**
 * The two pixel containers of the engine: 8-bit interleaved images as decoded from
 * files, and float planar images as models consume them.
 */
import { XqcError } from '../errors.ts';

/** Interleaved channel counts the engine handles: gray, RGB, RGBA. */
export type Channels = 1 | 3 | 4;

/**
 * An 8-bit image in HWC order, like the browser's `ImageData` but with 1, 3 or 4
 * channels: pixel (x, y) channel c is `data[(y * width + x) * channels + c]`.
 */
export interface ImageU8 {
  readonly width: number;
  readonly height: number;
  readonly channels: Channels;
  readonly data: Uint8Array;
}

/** A float image in CHW (planar) order: `data[(c * height + y) * width + x]`. */
export interface PlanarImage {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float32Array;
}

/** A single-channel float map (heatmap, anomaly map, coverage) in row-major order. */
export interface ScalarMap {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/** An RGB colour with components in 0..255. */
export type Rgb = readonly [number, number, number];

/**
 * Builds an {@link ImageU8}, allocating zeroed pixels when `data` is omitted.
 * Throws `XQC_IMAGE_INVALID` when sizes or the buffer length disagree.
 */
export function createImage(width: number, height: number, channels: Channels, data?: Uint8Array): ImageU8 {
  const image = { width, height, channels, data: data ?? new Uint8Array(width * height * channels) };
  assertImage(image);
  return image;
}

/** Throws `XQC_IMAGE_INVALID` unless `image` is a well-formed {@link ImageU8}. */
export function assertImage(image: ImageU8, name = 'image'): void {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new XqcError('XQC_IMAGE_INVALID', `${name} has invalid size ${width}x${height}`);
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new XqcError('XQC_IMAGE_INVALID', `${name} has ${channels} channels; expected 1, 3 or 4`);
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height * channels) {
    throw new XqcError('XQC_IMAGE_INVALID', `${name} buffer holds ${data?.length} bytes; expected ${width}x${height}x${channels}`);
  }
}

/** Throws `XQC_SHAPE_MISMATCH` unless `map.data` holds `width * height` values. */
export function assertScalarMap(map: ScalarMap, name = 'map'): void {
  if (!Number.isInteger(map.width) || !Number.isInteger(map.height) || map.width <= 0 || map.height <= 0) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `${name} has invalid size ${map.width}x${map.height}`);
  }
  if (map.data.length !== map.width * map.height) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `${name} holds ${map.data.length} values; expected ${map.width}x${map.height}`);
  }
}
