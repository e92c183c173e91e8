/**
 * Where an explanation's heatmap puts its mass, in the terms an answer uses: the share of
 * positive mass in each region of a 3 x 3 grid, the peak, and the share inside the
 * findings' boxes. The server builds its AskExplanationSummary from stored maps with it.
 */
import { GRID_REGIONS } from './geometry.ts';
import type { AskExplanationSummary, AskFinding } from './types.ts';

/** The fields of an {@link AskExplanationSummary} a map alone determines. */
export type HeatmapSummary = Pick<AskExplanationSummary, 'regionShares' | 'peak' | 'massInFindings' | 'degenerate'>;

/**
 * Summarises a heatmap. Only positive values count as mass (negative attributions argue
 * against the target and are left out).
 * @param map [height, width] float32, row-major, larger = more important
 * @param findings findings with boxes in original image pixels; their union gives `massInFindings`
 * @param imageSize the original image size the boxes refer to (default: the map's size)
 * @returns regionShares: positive mass per grid region / total positive mass (sums to 1);
 *   peak: argmax position (pixel centre) normalised to [0, 1]; massInFindings: share of
 *   positive mass inside the union of the findings' boxes, null without boxed findings;
 *   degenerate: a reason when the map holds no positive finite mass (shares are then 0)
 */
export function summarizeHeatmap(map: Float32Array, width: number, height: number, findings: readonly AskFinding[] = [], imageSize?: { width: number; height: number }): HeatmapSummary {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0) || map.length !== width * height) {
    throw new RangeError(`summarizeHeatmap: map holds ${map.length} values, expected ${width} x ${height}`);
  }
  const sx = width / (imageSize?.width ?? width);
  const sy = height / (imageSize?.height ?? height);
  const boxes = findings
    .filter((f): f is AskFinding & { box: [number, number, number, number] } => f.box !== undefined)
    .map((f) => [Math.floor(f.box[0] * sx), Math.floor(f.box[1] * sy), Math.ceil(f.box[2] * sx), Math.ceil(f.box[3] * sy)] as const);
  const cells = new Float64Array(9);
  let total = 0;
  let inside = 0;
  let peak = -Infinity;
  let peakAt = 0;
  for (let y = 0; y < height; y++) {
    const row = Math.min(2, Math.floor((3 * y) / height));
    for (let x = 0; x < width; x++) {
      const v = map[y * width + x];
      if (!Number.isFinite(v)) continue;
      if (v > peak) {
        peak = v;
        peakAt = y * width + x;
      }
      if (v <= 0) continue;
      cells[row * 3 + Math.min(2, Math.floor((3 * x) / width))] += v;
      total += v;
      if (boxes.some((b) => x >= b[0] && x < b[2] && y >= b[1] && y < b[3])) inside += v;
    }
  }
  const regionShares: AskExplanationSummary['regionShares'] = {};
  GRID_REGIONS.forEach((r, i) => {
    regionShares[r] = total > 0 ? cells[i] / total : 0;
  });
  const px = peakAt % width;
  const py = Math.floor(peakAt / width);
  return {
    regionShares,
    peak: [(px + 0.5) / width, (py + 0.5) / height],
    massInFindings: boxes.length && total > 0 ? inside / total : null,
    degenerate: total > 0 ? null : 'the map holds no positive attribution',
  };
}

/** The regions of a summary by share, largest first (ties in grid order). */
export function rankedRegions(summary: Pick<AskExplanationSummary, 'regionShares'>): { region: Exclude<keyof AskExplanationSummary['regionShares'], never>; share: number }[] {
  return GRID_REGIONS.map((region) => ({ region, share: summary.regionShares[region] ?? 0 })).sort((a, b) => b.share - a.share);
}
