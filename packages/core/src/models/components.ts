/**
 * Connected components of label masks, with the boxes and areas the adapters report,
 * and COCO-style run-length encoding of binary masks.
 */

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
 * Labels the 8-connected regions of every non-zero label in `mask` [H*W] (row-major).
 * Regions smaller than `minArea` pixels are dropped. Two-pass union-find, O(H*W).
 */
export function connectedComponents(mask: ArrayLike<number>, width: number, height: number, minArea = 1): Component[] {
  const n = width * height;
  const parent = new Int32Array(n).fill(-1);
  const find = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r];
    while (parent[i] !== r) {
      const next = parent[i];
      parent[i] = r;
      i = next;
    }
    return r;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const v = mask[i];
      if (v === 0) continue;
      parent[i] = i;
      // Already visited neighbours in 8-connectivity: W, NW, N, NE.
      if (x > 0 && mask[i - 1] === v) union(i, i - 1);
      if (y > 0) {
        if (mask[i - width] === v) union(i, i - width);
        if (x > 0 && mask[i - width - 1] === v) union(i, i - width - 1);
        if (x < width - 1 && mask[i - width + 1] === v) union(i, i - width + 1);
      }
    }
  }
  const byRoot = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (parent[i] < 0) continue;
    const r = find(i);
    let list = byRoot.get(r);
    if (!list) byRoot.set(r, (list = []));
    list.push(i);
  }
  const out: Component[] = [];
  for (const [root, list] of byRoot) {
    if (list.length < minArea) continue;
    let x0 = width;
    let y0 = height;
    let x1 = 0;
    let y1 = 0;
    for (const i of list) {
      const x = i % width;
      const y = (i - x) / width;
      if (x < x0) x0 = x;
      if (y < y0) y0 = y;
      if (x + 1 > x1) x1 = x + 1;
      if (y + 1 > y1) y1 = y + 1;
    }
    out.push({ label: Number(mask[root]), area: list.length, box: [x0, y0, x1, y1], pixels: Uint32Array.from(list) });
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
