/**
 * The mask encoding the server uses: COCO uncompressed RLE (`{ size: [height, width], counts }`),
 * column-major runs that start with zeros. Findings of `GET /inspections/{id}` carry their mask
 * this way, and `POST /inspections/{id}/reviews` takes a corrected mask the same way.
 * Masks here are one byte per pixel, row-major (`data[y * width + x]`), nonzero = defect.
 */

/** A binary mask, row-major, one byte per pixel (0 background, nonzero defect). */
export interface Mask {
  width: number;
  height: number;
  data: Uint8Array;
}

/** COCO uncompressed RLE as the API sends and takes it. */
export interface Rle {
  /** `[height, width]`. */
  size: [number, number];
  /** Run lengths in column-major order, the first run being zeros (possibly 0 long). */
  counts: number[];
}

/** An empty mask of the given size. */
export function emptyMask(width: number, height: number): Mask {
  return { width, height, data: new Uint8Array(width * height) };
}

/** Encodes a mask as COCO uncompressed RLE (column-major, starting with a zero run). */
export function encodeRle(mask: Mask): Rle {
  const { width, height, data } = mask;
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const v = data[y * width + x] ? 1 : 0;
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

/**
 * Decodes COCO uncompressed RLE into a mask (nonzero pixels are 1).
 * @throws RangeError when the runs do not cover exactly height x width pixels.
 */
export function decodeRle(rle: Rle): Mask {
  const [height, width] = rle.size;
  const total = width * height;
  const mask = emptyMask(width, height);
  let i = 0;
  let value = 0;
  for (const run of rle.counts) {
    if (run < 0 || !Number.isInteger(run)) throw new RangeError(`RLE run ${run} is not a count`);
    if (i + run > total) throw new RangeError(`RLE runs cover more than ${height}x${width} pixels`);
    if (value) {
      for (let k = i; k < i + run; k++) {
        const x = Math.floor(k / height);
        const y = k - x * height;
        mask.data[y * width + x] = 1;
      }
    }
    i += run;
    value ^= 1;
  }
  if (i !== total) throw new RangeError(`RLE runs cover ${i} of ${total} pixels`);
  return mask;
}

/**
 * Sets into `target` every pixel that is on in `rle` (the union of findings' masks).
 * @throws RangeError when the RLE's size is not the target's.
 */
export function orRle(target: Mask, rle: Rle): void {
  if (rle.size[0] !== target.height || rle.size[1] !== target.width) throw new RangeError(`RLE of ${rle.size[0]}x${rle.size[1]} does not fit a ${target.height}x${target.width} mask`);
  const m = decodeRle(rle);
  for (let k = 0; k < m.data.length; k++) if (m.data[k]) target.data[k] = 1;
}

/** Pixels that are on. */
export function maskArea(mask: Mask): number {
  let n = 0;
  for (let k = 0; k < mask.data.length; k++) if (mask.data[k]) n++;
  return n;
}

/** True when both masks have the same size and the same pixels on. */
export function sameMask(a: Mask, b: Mask): boolean {
  if (a.width !== b.width || a.height !== b.height) return false;
  for (let k = 0; k < a.data.length; k++) if (!a.data[k] !== !b.data[k]) return false;
  return true;
}
