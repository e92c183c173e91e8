/**
 * Tiling geometry for anomaly detection on images of any size and aspect ratio (card input
 * `resize: 'tile'`): the image is scaled by `tileScale` (aspect kept; default 1, native
 * resolution), cut into tiles of
 * the model input size that overlap by at least `tileOverlap` of a tile, and the tile maps
 * are stitched back into one map of the scaled image.
 *
 * - **Grid.** Along each axis, `n = ceil((L - T) / floor(T (1 - overlap))) + 1` tiles of
 *   side `T` over a side `L`, spread evenly: tile `i` starts at `round(i (L - T) / (n - 1))`.
 *   The first tile starts at 0 and the last ends at `L` (flush with both edges), so every
 *   pixel is covered and neighbours overlap by at least the requested share; nothing is
 *   padded. A side shorter than the tile is first scaled up (aspect kept) so the shorter
 *   side equals the tile ({@link tileWorkingSize}).
 * - **Stitching** ({@link stitchTileMaps}): a weighted average. Each tile's weight is 1 in
 *   its interior and falls linearly towards an edge it shares with a neighbour, over the
 *   width of that overlap, to `0.5 / (overlap + 1)` at the edge itself; edges on the image
 *   border keep weight 1 (no other tile sees those pixels). A plain average would do too
 *   (it also returns a constant as the constant and a map cut into tiles as that map), but
 *   tile borders are where a CNN's zero padding disturbs the features; the ramp lets the
 *   neighbour whose interior covers the pixel dominate and leaves no seam where the number
 *   of covering tiles changes. Weights are positive everywhere, so the result is a convex
 *   combination of the tile values at each pixel.
 * - **Image score**: PatchCore's over all patches of all tiles: the tile that holds the
 *   largest patch distance gives the image score (its own reweighted score), so a tiled
 *   image is scored as one large image would be. Taking the maximum of the stitched map
 *   would mix the smoothing into the score; see `detector.ts`.
 */
import { XqcError } from '../../errors.ts';
import { convertChannels } from '../../image/image-channels.ts';
import { resizeBilinear, resizeNearest } from '../../image/image-resize.ts';
import type { ImageU8, ScalarMap } from '../../image/image.types.ts';
import type { InputSpec } from '../card.ts';
import type { Placement } from '../preprocess.ts';

/** Default share of a tile that neighbouring tiles overlap. */
export const DEFAULT_TILE_OVERLAP = 0.25;

/** One tile: its top-left corner in the (scaled) image; its size is the grid's tile size. */
export interface Tile {
  x: number;
  y: number;
}

/** A tile grid over an image of `width x height`. */
export interface TileGrid {
  width: number;
  height: number;
  tileWidth: number;
  tileHeight: number;
  /** Tile starts along x and along y; the tiles are every (x, y) pair, row by row. */
  xs: number[];
  ys: number[];
  tiles: Tile[];
}

/**
 * Tile starts along one axis of `length` pixels for tiles of `tile` pixels overlapping by at
 * least `overlap` of a tile: first at 0, last at `length - tile`, evenly spread.
 * @throws XQC_INVALID_ARGUMENT when `length < tile`, a size is not a positive integer or the overlap is outside [0, 0.9]
 */
export function tileStarts(length: number, tile: number, overlap = DEFAULT_TILE_OVERLAP): number[] {
  if (!Number.isInteger(length) || !Number.isInteger(tile) || tile < 1) throw new XqcError('XQC_INVALID_ARGUMENT', `tile sizes must be positive integers, got length ${length} and tile ${tile}`);
  if (!(overlap >= 0 && overlap <= 0.9)) throw new XqcError('XQC_INVALID_ARGUMENT', `tile overlap must be in [0, 0.9], got ${overlap}`);
  if (length < tile) throw new XqcError('XQC_INVALID_ARGUMENT', `a side of ${length} px is shorter than the tile of ${tile} px; scale the image up first (tileWorkingSize)`);
  if (length === tile) return [0];
  const stride = Math.max(1, Math.floor(tile * (1 - overlap)));
  const n = Math.ceil((length - tile) / stride) + 1;
  return Array.from({ length: n }, (_, i) => Math.round((i * (length - tile)) / (n - 1)));
}

/** The tile grid of an image of `width x height` for tiles of `tileWidth x tileHeight`. */
export function tileGrid(width: number, height: number, tileWidth: number, tileHeight: number, overlap = DEFAULT_TILE_OVERLAP): TileGrid {
  const xs = tileStarts(width, tileWidth, overlap);
  const ys = tileStarts(height, tileHeight, overlap);
  const tiles: Tile[] = [];
  for (const y of ys) for (const x of xs) tiles.push({ x, y });
  return { width, height, tileWidth, tileHeight, xs, ys, tiles };
}

/**
 * Size of the image that is tiled (the working size): the original scaled by `scale`
 * (default 1), aspect kept, then scaled up when a side would be shorter than the tile.
 * One scale for every image keeps a defect's size in pixels the same across images of one
 * camera, whatever their crop.
 * @returns the working size and the linear factor from the original to it
 * @throws XQC_INVALID_ARGUMENT when `scale` is not a positive number
 */
export function tileWorkingSize(width: number, height: number, tileWidth: number, tileHeight: number, scale = 1): { width: number; height: number; scale: number } {
  if (!(scale > 0 && Number.isFinite(scale))) throw new XqcError('XQC_INVALID_ARGUMENT', `input.tileScale must be a positive number, got ${scale}`);
  const s = Math.max(scale, tileWidth / width, tileHeight / height);
  if (s === 1) return { width, height, scale: 1 };
  return { width: Math.max(tileWidth, Math.round(width * s)), height: Math.max(tileHeight, Math.round(height * s)), scale: s };
}

/** An image in the model's channel count (alpha dropped, gray as BT.601 luma), at its own size. */
export function toModelChannels(image: ImageU8, spec: Pick<InputSpec, 'color'>): ImageU8 {
  const channels = spec.color === 'gray' ? 1 : 3;
  return image.channels === channels ? image : convertChannels(image, channels);
}

/**
 * Fits an image for tiling as a card input with `resize: 'tile'` says: the model's channel
 * count and the working size of {@link tileWorkingSize} (bilinear). The placement records
 * the original size and the working size (the "inner" region), as `preprocess.ts` does.
 */
export function fitTiledImage(image: ImageU8, spec: InputSpec): { image: ImageU8; placement: Placement } {
  const size = tileWorkingSize(image.width, image.height, spec.width, spec.height, spec.tileScale);
  return {
    image: toWorkingSize(toModelChannels(image, spec), size),
    placement: { width: image.width, height: image.height, offsetX: 0, offsetY: 0, innerWidth: size.width, innerHeight: size.height },
  };
}

/** Scales an image to the working size of {@link tileWorkingSize} (bilinear; unchanged when it already has it). */
export function toWorkingSize(image: ImageU8, size: { width: number; height: number }): ImageU8 {
  return image.width === size.width && image.height === size.height ? image : resizeBilinear(image, size.width, size.height);
}

/** Scales a one-channel mask to the working size (nearest neighbour, so class ids stay ids). */
export function maskToWorkingSize(mask: ImageU8, size: { width: number; height: number }): ImageU8 {
  return mask.width === size.width && mask.height === size.height ? mask : resizeNearest(mask, size.width, size.height);
}

/** Cuts the tiles of `grid` out of `image` (which must be of the grid's size), in grid order. */
export function cutTiles(image: ImageU8, grid: TileGrid): ImageU8[] {
  if (image.width !== grid.width || image.height !== grid.height) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `image is ${image.width}x${image.height}, its tile grid ${grid.width}x${grid.height}`);
  }
  const c = image.channels;
  const rowBytes = grid.tileWidth * c;
  return grid.tiles.map(({ x, y }) => {
    const data = new Uint8Array(grid.tileHeight * rowBytes);
    for (let r = 0; r < grid.tileHeight; r++) {
      const from = ((y + r) * image.width + x) * c;
      data.set(image.data.subarray(from, from + rowBytes), r * rowBytes);
    }
    return { width: grid.tileWidth, height: grid.tileHeight, channels: c, data };
  });
}

/** Cuts the tiles of `grid` out of a row-major mask or map of the grid's size. */
export function cutTileMasks<T extends Uint8Array | Float32Array>(mask: T, grid: TileGrid): T[] {
  if (mask.length !== grid.width * grid.height) throw new XqcError('XQC_SHAPE_MISMATCH', `mask has ${mask.length} pixels, its tile grid ${grid.width}x${grid.height}`);
  return grid.tiles.map(({ x, y }) => {
    const out = new (mask.constructor as new (n: number) => T)(grid.tileWidth * grid.tileHeight);
    for (let r = 0; r < grid.tileHeight; r++) out.set(mask.subarray((y + r) * grid.width + x, (y + r) * grid.width + x + grid.tileWidth), r * grid.tileWidth);
    return out;
  });
}

/**
 * The stitching weights along one axis of a tile at `start` in `starts` (sorted): 1 inside,
 * a linear ramp over the overlap with the previous and the next tile.
 */
function axisWeights(starts: readonly number[], index: number, tile: number): Float32Array {
  const w = new Float32Array(tile).fill(1);
  const start = starts[index];
  const ramp = (overlap: number, fromLow: boolean): void => {
    for (let k = 0; k < overlap; k++) {
      const v = (k + 0.5) / (overlap + 1);
      const at = fromLow ? k : tile - 1 - k;
      if (v < w[at]) w[at] = v;
    }
  };
  if (index > 0) ramp(starts[index - 1] + tile - start, true);
  if (index < starts.length - 1) ramp(start + tile - starts[index + 1], false);
  return w;
}

/**
 * Stitches tile maps (each `tileWidth * tileHeight`, row-major, in grid order) into one map
 * of the grid's image size by the weighted average described in the file comment.
 */
export function stitchTileMaps(maps: readonly Float32Array[], grid: TileGrid): ScalarMap {
  const { width, height, tileWidth: tw, tileHeight: th } = grid;
  if (maps.length !== grid.tiles.length) throw new XqcError('XQC_SHAPE_MISMATCH', `${maps.length} tile maps for a grid of ${grid.tiles.length} tiles`);
  const wx = grid.xs.map((_, i) => axisWeights(grid.xs, i, tw));
  const wy = grid.ys.map((_, i) => axisWeights(grid.ys, i, th));
  const sum = new Float64Array(width * height);
  const weight = new Float64Array(width * height);
  let t = 0;
  for (let j = 0; j < grid.ys.length; j++) {
    for (let i = 0; i < grid.xs.length; i++, t++) {
      const map = maps[t];
      if (map.length !== tw * th) throw new XqcError('XQC_SHAPE_MISMATCH', `tile map ${t} has ${map.length} values, a tile ${tw}x${th}`);
      const x0 = grid.xs[i];
      const y0 = grid.ys[j];
      for (let r = 0; r < th; r++) {
        const row = (y0 + r) * width + x0;
        const ry = wy[j][r];
        for (let c = 0; c < tw; c++) {
          const w = ry * wx[i][c];
          sum[row + c] += w * map[r * tw + c];
          weight[row + c] += w;
        }
      }
    }
  }
  const data = new Float32Array(width * height);
  for (let p = 0; p < data.length; p++) data[p] = sum[p] / weight[p];
  return { width, height, data };
}
