/**
 * Warns when defects are likely below the model's resolution: when images are shrunk to
 * the model input, a defect that spans a few original pixels spans less than one model
 * pixel and no feature patch can single it out.
 *
 * - **With masks**: every 8-connected defect region of every mask is measured at original
 *   resolution (the shorter side of its box) and scaled by the factor its image was shrunk
 *   by (per axis for `stretch`). The warning fires when at least
 *   {@link SMALL_DEFECT_SHARE} of the regions span fewer than {@link MIN_DEFECT_PIXELS}
 *   model-input pixels, or fewer than half the backbone's feature stride when that is
 *   larger (a patch feature then mixes the defect with at least three times its area of
 *   background). Isolated specks in the annotation alone do not fire it.
 * - **Without masks**: the warning fires when images are shrunk by a linear factor of
 *   {@link LARGE_DOWNSCALE} or more on some axis: a defect then needs at least
 *   `factor x` {@link MIN_DEFECT_PIXELS} original pixels across to be seen.
 */
import type { ImageU8 } from '../../image/image.types.ts';
import { findRegions } from '../components.ts';
import type { Placement } from '../preprocess.ts';

/** Smallest defect extent, in model-input pixels, that the detector can be expected to see. */
export const MIN_DEFECT_PIXELS = 3;
/** Share of defect regions under the limit that fires the warning. */
export const SMALL_DEFECT_SHARE = 0.1;
/** Linear downscale that fires the warning when there are no masks. */
export const LARGE_DOWNSCALE = 4;

/** What the data says about scale: how much images shrink, how large their defects are. */
export interface ResolutionSummary {
  /** Largest linear factor by which an original image shrinks on its way to the model input (1: native or enlarged). */
  maxDownscale: number;
  /** Shorter box side of every defect region of every mask, in model-input pixels. */
  defectExtents: number[];
}

/** The linear shrink factors (x, y) of a placement: original pixels per model-input pixel. */
export function downscaleOf(p: Placement): [number, number] {
  return [p.width / p.innerWidth, p.height / p.innerHeight];
}

/** Extents (shorter box side, in model-input pixels) of the defect regions of an original-size mask placed as `p`. */
export function defectExtents(mask: ImageU8, p: Placement): number[] {
  const [fx, fy] = downscaleOf(p);
  const binary = new Uint8Array(mask.width * mask.height);
  for (let i = 0; i < binary.length; i++) binary[i] = mask.data[i * mask.channels] > 0 ? 1 : 0;
  return findRegions(binary, mask.width, mask.height).map(({ box: [x0, y0, x1, y1] }) => Math.min((x1 - x0) / fx, (y1 - y0) / fy));
}

/** Collects a summary over images: their placements, and the extents of their masks' regions. */
export function summariseResolution(placements: readonly Placement[], extents: readonly number[][]): ResolutionSummary {
  let maxDownscale = 1;
  for (const p of placements) maxDownscale = Math.max(maxDownscale, ...downscaleOf(p));
  return { maxDownscale, defectExtents: extents.flat() };
}

const fmt = (v: number): string => (Math.round(v * 10) / 10).toString();

/**
 * The warnings of the rule in the file comment, for a backbone whose features have `stride`
 * model-input pixels per patch.
 */
export function resolutionWarnings(r: ResolutionSummary, stride: number): string[] {
  const limit = Math.max(MIN_DEFECT_PIXELS, stride / 2);
  const remedy = "keep more resolution: input.resize 'tile' (tiles at native size), a larger tileScale or input size";
  if (r.defectExtents.length > 0) {
    const small = r.defectExtents.filter((e) => e < limit);
    if (small.length === 0 || small.length < SMALL_DEFECT_SHARE * r.defectExtents.length) return [];
    return [
      `${small.length} of ${r.defectExtents.length} defect regions in the masks span fewer than ${fmt(limit)} model-input pixels (smallest ${fmt(Math.min(...small))} px; images shrunk up to ${fmt(r.maxDownscale)}x, feature stride ${fmt(stride)} px): such defects are likely below the model's resolution; ${remedy}`,
    ];
  }
  if (r.maxDownscale >= LARGE_DOWNSCALE) {
    return [
      `images are shrunk up to ${fmt(r.maxDownscale)}x to the model input: a defect must span about ${Math.ceil(r.maxDownscale * MIN_DEFECT_PIXELS)} original pixels to cover ${MIN_DEFECT_PIXELS} model pixels (feature stride ${fmt(stride)} px), so smaller defects are likely below the model's resolution; ${remedy}`,
    ];
  }
  return [];
}
