/**
 * Scoring images of any size with a scorer that takes the model input (`AnomalyScorer`):
 * one input per image for `stretch` and `letterbox` cards, or, for `resize: 'tile'`, the
 * image fitted for tiling (`tiling.ts`), cut into overlapping tiles of the model input,
 * each tile scored, the tile maps stitched into one map of the working image and that map
 * resized (bilinear) to the original image size, where masks are annotated: so thresholds,
 * evaluation and findings of a tiled detector are all at the original resolution.
 *
 * The image score of a tiled image is the largest score of its tiles: an image is as
 * anomalous as its most anomalous tile. For PatchCore with `max` scoring that is exactly
 * the largest patch distance over the whole image; with `reweighted` scoring each tile is
 * reweighted at its own worst patch, so the result is the reweighted score of the tile
 * that holds the image's worst patch or of one that scores higher after reweighting. The
 * maximum of the stitched map is not used: stitching averages overlapping tiles and the
 * map is smoothed, which would lower a defect that sits in one tile's border.
 */
import { resizeMap } from '../../image/image-resize.ts';
import type { ImageU8, ScalarMap } from '../../image/image.types.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import type { InputSpec } from '../card.ts';
import { preprocess } from '../preprocess.ts';
import type { Placement } from '../preprocess.ts';
import { cutTiles, DEFAULT_TILE_OVERLAP, fitTiledImage, stitchTileMaps, tileGrid } from './tiling.ts';
import type { TileGrid } from './tiling.ts';

/** The part of a scorer this file uses: raw scores and maps (model resolution) of a prepared batch. */
export interface InputScorer {
  score(input: Tensor): Promise<{ scores: Float64Array; maps: Float32Array[]; patchScores?: Float32Array }>;
}

/** Raw scores and maps of images, with where each map goes back on its image. */
export interface ImageScores {
  /** [N] raw image scores. */
  scores: Float64Array;
  /** N raw maps: at the model input size, or for tiled cards at each image's original size. */
  maps: ScalarMap[];
  placements: Placement[];
  /** Tiles scored per image (1 unless tiled). */
  tiles: number[];
  /** The scorer's patch scores of every model input (tile) in order, concatenated (empty when it gives none). */
  patchScores: Float32Array;
}

/** The tile grid of an image already fitted for tiling, as `spec` says. */
export function gridOf(image: ImageU8, spec: InputSpec): TileGrid {
  return tileGrid(image.width, image.height, spec.width, spec.height, spec.tileOverlap ?? DEFAULT_TILE_OVERLAP);
}

/**
 * The model-input images of `image` as `spec` prepares it: the image itself (any size: the
 * caller's `preprocess` fits it), or its tiles for `resize: 'tile'`.
 */
export function modelInputsOf(image: ImageU8, spec: InputSpec): ImageU8[] {
  if (spec.resize !== 'tile') return [image];
  const fitted = fitTiledImage(image, spec).image;
  return cutTiles(fitted, gridOf(fitted, spec));
}

/** Tiles prepared as the model input: they are of its size, so only colour order and mean/std apply. */
export function prepareTiles(tiles: readonly ImageU8[], spec: InputSpec): Tensor<'float32'> {
  return preprocess(tiles, { ...spec, resize: 'stretch' }).tensor;
}

/** Scores `images` with `scorer` as `spec` prepares them, `batchSize` model inputs at a time. */
export async function scoreImagesAs(scorer: InputScorer, images: readonly ImageU8[], spec: InputSpec, batchSize = 8): Promise<ImageScores> {
  const scores: number[] = [];
  const maps: ScalarMap[] = [];
  const placements: Placement[] = [];
  const tiles: number[] = [];
  const patches: Float32Array[] = [];
  const run = async (x: Tensor): Promise<{ scores: Float64Array; maps: Float32Array[] }> => {
    const r = await scorer.score(x);
    if (r.patchScores) patches.push(r.patchScores);
    return r;
  };
  const concat = (): Float32Array => {
    const all = new Float32Array(patches.reduce((n, p) => n + p.length, 0));
    patches.reduce((at, p) => (all.set(p, at), at + p.length), 0);
    return all;
  };
  if (spec.resize !== 'tile') {
    for (let i = 0; i < images.length; i += batchSize) {
      const prep = preprocess(images.slice(i, i + batchSize), spec);
      const r = await run(prep.tensor);
      scores.push(...r.scores);
      for (const m of r.maps) maps.push({ width: spec.width, height: spec.height, data: m });
      placements.push(...prep.placements);
      tiles.push(...prep.placements.map(() => 1));
    }
    return { scores: Float64Array.from(scores), maps, placements, tiles, patchScores: concat() };
  }
  for (const image of images) {
    const fitted = fitTiledImage(image, spec).image;
    const grid = gridOf(fitted, spec);
    const cut = cutTiles(fitted, grid);
    const tileMaps: Float32Array[] = [];
    let best = -Infinity;
    for (let t = 0; t < cut.length; t += batchSize) {
      const r = await run(prepareTiles(cut.slice(t, t + batchSize), spec));
      tileMaps.push(...r.maps);
      for (const s of r.scores) if (s > best) best = s;
    }
    scores.push(best);
    const stitched = stitchTileMaps(tileMaps, grid);
    maps.push(stitched.width === image.width && stitched.height === image.height ? stitched : resizeMap(stitched, image.width, image.height));
    placements.push({ width: image.width, height: image.height, offsetX: 0, offsetY: 0, innerWidth: image.width, innerHeight: image.height });
    tiles.push(cut.length);
  }
  return { scores: Float64Array.from(scores), maps, placements, tiles, patchScores: concat() };
}
