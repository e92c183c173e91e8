/** Rectangle outlines drawn straight into pixels, for detections and regions of interest. */
import { luma } from './image-channels.ts';
import type { ImageU8, Rgb } from './image.types.ts';
import { assertImage } from './image.types.ts';

/** An axis-aligned box in pixel coordinates, corners inclusive-exclusive: `[x0, x1) x [y0, y1)`. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  color?: Rgb;
}

/**
 * Draws the outline of each box (`thickness` pixels, inside the box) on a copy of
 * `image`. Coordinates are rounded and clipped to the image; gray images get the colour's
 * BT.601 luma, RGBA images keep alpha 255 on the outline.
 */
export function drawBoxes(image: ImageU8, boxes: readonly Box[], options: { thickness?: number; color?: Rgb } = {}): ImageU8 {
  assertImage(image);
  const { width, height, channels } = image;
  const data = image.data.slice();
  const thickness = Math.max(1, Math.round(options.thickness ?? 2));
  const paint = (x: number, y: number, rgb: Rgb): void => {
    const o = (y * width + x) * channels;
    if (channels === 1) {
      data[o] = luma(rgb[0], rgb[1], rgb[2]);
      return;
    }
    data[o] = rgb[0];
    data[o + 1] = rgb[1];
    data[o + 2] = rgb[2];
    if (channels === 4) data[o + 3] = 255;
  };
  for (const box of boxes) {
    const rgb = box.color ?? options.color ?? [255, 0, 0];
    const x0 = Math.max(0, Math.round(Math.min(box.x0, box.x1)));
    const x1 = Math.min(width, Math.round(Math.max(box.x0, box.x1)));
    const y0 = Math.max(0, Math.round(Math.min(box.y0, box.y1)));
    const y1 = Math.min(height, Math.round(Math.max(box.y0, box.y1)));
    if (x1 <= x0 || y1 <= y0) continue;
    for (let y = y0; y < y1; y++) {
      const nearRow = y - y0 < thickness || y1 - 1 - y < thickness;
      for (let x = x0; x < x1; x++) {
        if (nearRow || x - x0 < thickness || x1 - 1 - x < thickness) paint(x, y, rgb);
      }
    }
  }
  return { width, height, channels, data };
}
