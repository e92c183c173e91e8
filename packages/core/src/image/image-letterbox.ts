/** Aspect-preserving fit into a fixed input size, as detectors of the YOLO family expect. */
import type { ImageU8, Rgb } from './image.types.ts';
import { assertImage } from './image.types.ts';
import { luma } from './image-channels.ts';
import { resizeBilinear } from './image-resize.ts';

/** Where the resized image sits inside the letterboxed canvas. */
export interface LetterboxInfo {
  /** Factor applied to the source: `canvas = source * scale + offset`. */
  scale: number;
  offsetX: number;
  offsetY: number;
  /** Size of the resized image inside the canvas. */
  innerWidth: number;
  innerHeight: number;
}

/**
 * Resizes `image` bilinearly by `scale = min(width / w0, height / h0)` and centres it on a
 * `width x height` canvas filled with `fill` (default gray 114, the YOLO convention).
 * Map a canvas point back to the source with `(p - offset) / scale`.
 */
export function letterbox(image: ImageU8, width: number, height: number, options: { fill?: Rgb } = {}): { image: ImageU8; info: LetterboxInfo } {
  assertImage(image);
  const fill = options.fill ?? [114, 114, 114];
  const scale = Math.min(width / image.width, height / image.height);
  const innerWidth = Math.max(1, Math.min(width, Math.round(image.width * scale)));
  const innerHeight = Math.max(1, Math.min(height, Math.round(image.height * scale)));
  const offsetX = Math.floor((width - innerWidth) / 2);
  const offsetY = Math.floor((height - innerHeight) / 2);
  const inner = resizeBilinear(image, innerWidth, innerHeight);
  const c = image.channels;
  const data = new Uint8Array(width * height * c);
  const pad = c === 1 ? [luma(fill[0], fill[1], fill[2])] : c === 3 ? [...fill] : [...fill, 255];
  for (let i = 0; i < width * height; i++) for (let k = 0; k < c; k++) data[i * c + k] = pad[k];
  for (let y = 0; y < innerHeight; y++) {
    const src = y * innerWidth * c;
    data.set(inner.data.subarray(src, src + innerWidth * c), ((y + offsetY) * width + offsetX) * c);
  }
  return { image: { width, height, channels: c, data }, info: { scale, offsetX, offsetY, innerWidth, innerHeight } };
}
