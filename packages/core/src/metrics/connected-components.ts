/**
 * Connected components of a binary mask with 8-connectivity, the structure
 * `np.ones((3, 3))` that the MVTec AD evaluation passes to `scipy.ndimage.label`.
 */

/** Labelled regions of a mask. */
export interface Components {
  /** [H*W] int32, 0 for background, 1..count for the regions in raster order of first pixel. */
  labels: Int32Array;
  count: number;
  /** [count + 1] pixels per label; index 0 is the background. */
  sizes: Float64Array;
}

/**
 * Labels the nonzero pixels of a row-major mask by breadth-first flood fill.
 * @param mask [H*W] nonzero = foreground
 * @param options.sameValue connect only neighbours with equal mask values, so a class-id
 *   mask yields one region per connected patch of each class (default false: any nonzero)
 */
export function connectedComponents(mask: ArrayLike<number>, width: number, height: number, options: { sameValue?: boolean } = {}): Components {
  const sameValue = options.sameValue ?? false;
  const n = width * height;
  const labels = new Int32Array(n);
  const queue = new Int32Array(n);
  const sizes: number[] = [0];
  let count = 0;
  for (let start = 0; start < n; start++) {
    if (mask[start] === 0 || labels[start] !== 0) continue;
    count++;
    labels[start] = count;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    while (head < tail) {
      const at = queue[head++];
      const x = at % width;
      const y = (at - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const next = ny * width + nx;
          if (mask[next] !== 0 && labels[next] === 0 && (!sameValue || mask[next] === mask[at])) {
            labels[next] = count;
            queue[tail++] = next;
          }
        }
      }
    }
    sizes.push(tail);
  }
  let background = n;
  for (let r = 1; r <= count; r++) background -= sizes[r];
  sizes[0] = background;
  return { labels, count, sizes: Float64Array.from(sizes) };
}
