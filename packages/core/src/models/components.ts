/**
 * Connected regions of class-id masks, with the boxes and areas the adapters report
 * (labelling shared with the metrics), and COCO-style run-length encoding of binary masks.
 */
import { connectedComponents } from '../metrics/connected-components.ts';

/** One connected region of equal label. */
export interface Component {
  label: number;
  /** Pixel count. */
  area: number;
  /** Inclusive-exclusive box in pixels: [x0, y0, x1, y1). */
  box: [number, number, number, number];
  /** Flat pixel indices of the region (row-major). */
  pixels: Uint32Array;
}

/**
 * The 8-connected regions of every non-zero label of a class-id mask [H*W] (row-major),
 * with boxes and pixel lists, largest first. Regions smaller than `minArea` are dropped.
 */
export function findRegions(mask: ArrayLike<number>, width: number, height: number, minArea = 1): Component[] {
  const { labels, count, sizes } = connectedComponents(mask, width, height, { sameValue: true });
  const boxes = Array.from({ length: count + 1 }, () => [width, height, 0, 0] as [number, number, number, number]);
  const pixels = Array.from({ length: count + 1 }, (_, r) => new Uint32Array(r === 0 ? 0 : sizes[r]));
  const fill = new Int32Array(count + 1);
  const classOf = new Int32Array(count + 1);
  for (let i = 0; i < labels.length; i++) {
    const r = labels[i];
    if (r === 0) continue;
    const x = i % width;
    const y = (i - x) / width;
    const bx = boxes[r];
    if (x < bx[0]) bx[0] = x;
    if (y < bx[1]) bx[1] = y;
    if (x + 1 > bx[2]) bx[2] = x + 1;
    if (y + 1 > bx[3]) bx[3] = y + 1;
    pixels[r][fill[r]++] = i;
    classOf[r] = Number(mask[i]);
  }
  const out: Component[] = [];
  for (let r = 1; r <= count; r++) {
    if (sizes[r] < minArea) continue;
    out.push({ label: classOf[r], area: sizes[r], box: boxes[r], pixels: pixels[r] });
  }
  return out.sort((a, b) => b.area - a.area);
}

/**
 * COCO uncompressed RLE of a binary mask: counts of alternating 0/1 runs in column-major
 * order, starting with zeros (as pycocotools' `mask.encode` before compression).
 */
export function maskToRle(mask: ArrayLike<number>, width: number, height: number): { size: [number, number]; counts: number[] } {
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const v = mask[y * width + x] ? 1 : 0;
      if (v !== current) {
        counts.push(run);
        run = 0;
        current = v;
      }
      run++;
    }
  }
  counts.push(run);
  return { size: [height, width], counts };
}

/** Decodes {@link maskToRle} output into a row-major 0/1 mask. */
export function rleToMask(rle: { size: [number, number]; counts: number[] }): Uint8Array {
  const [height, width] = rle.size;
  const mask = new Uint8Array(width * height);
  let k = 0;
  let v = 0;
  for (const c of rle.counts) {
    for (let j = 0; j < c; j++, k++) {
      const x = Math.floor(k / height);
      const y = k % height;
      if (v) mask[y * width + x] = 1;
    }
    v ^= 1;
  }
  return mask;
}
