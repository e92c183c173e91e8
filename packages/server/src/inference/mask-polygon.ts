/**
 * The outer boundary of a binary region as a polygon, for API clients that draw vector
 * outlines. Core has connected regions and RLE (models/components.ts) but no contour
 * tracer, so this one lives with the server's postprocessing.
 */

/** Direction vectors on the pixel-corner grid, clockwise in image coordinates (y down). */
const DIRS: readonly (readonly [number, number])[] = [[1, 0], [0, 1], [-1, 0], [0, -1]];

/**
 * Traces the outer boundary of the 8-connected region containing the first set pixel (in
 * raster order) of a binary mask [H*W] (row-major, non-zero = inside), following pixel
 * edges with the region on the right-hand side. Vertices are pixel corners, so pixel
 * (x, y) spans [x, x+1) x [y, y+1) and a single pixel is the square (x,y) (x+1,y)
 * (x+1,y+1) (x,y+1). Only corners where the direction changes are kept. Holes are not
 * traced; diagonal neighbours stay joined (the outline passes through their shared corner).
 * @returns COCO-style flat list [x0, y0, x1, y1, ...] clockwise (y down), empty for an empty mask.
 */
export function maskOutline(mask: ArrayLike<number>, width: number, height: number): number[] {
  let start = -1;
  for (let i = 0; i < width * height; i++) {
    if (mask[i]) {
      start = i;
      break;
    }
  }
  if (start < 0) return [];
  const inside = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < width && y < height && mask[y * width + x] !== 0;
  // The edge leaving corner (cx, cy) in direction (dx, dy) bounds the region on its right
  // when the pixel on its right is inside and the pixel on its left is not.
  const isBoundary = (cx: number, cy: number, d: number): boolean => {
    const [dx, dy] = DIRS[d];
    const rx = cx + Math.min(dx, 0) + Math.min(-dy, 0);
    const ry = cy + Math.min(dy, 0) + Math.min(dx, 0);
    const lx = cx + Math.min(dx, 0) + Math.min(dy, 0);
    const ly = cy + Math.min(dy, 0) + Math.min(-dx, 0);
    return inside(rx, ry) && !inside(lx, ly);
  };
  const sx = start % width;
  const sy = (start - sx) / width;
  let cx = sx;
  let cy = sy;
  let d = 0;
  const out: number[] = [sx, sy];
  const limit = 4 * width * height + 4;
  for (let steps = 0; steps < limit; steps++) {
    cx += DIRS[d][0];
    cy += DIRS[d][1];
    // Left turn first keeps diagonal neighbours in the region (8-connectivity).
    let next = -1;
    for (const turn of [3, 0, 1, 2]) {
      const e = (d + turn) % 4;
      if (isBoundary(cx, cy, e)) {
        next = e;
        break;
      }
    }
    if (cx === sx && cy === sy && next === 0) return out;
    if (next !== d) out.push(cx, cy);
    d = next;
  }
  throw new Error('maskOutline did not close; the mask is inconsistent with its size');
}
