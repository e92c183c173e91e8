/**
 * Semantic segmentation adapter: logits [N, K, H, W] -> per-pixel class (argmax of the
 * softmax at the card's temperature) and findings, mapped back onto the original image.
 *
 * One defect is one finding: defect pixels (any class that is not a good label) inside
 * the placed image are grouped into regions, and regions separated by at most
 * `thresholds.mergeGapPixels` background pixels (chessboard distance <= gap + 1, at model
 * resolution) are merged, so a crack the model sees in fragments is reported once. A
 * finding's class is the majority class of its pixels, its score the mean defect
 * probability `1 - sum P(good)` of its pixels, its severity graded from its area
 * (a fraction of the original image) and that score. Regions smaller than
 * `thresholds.minAreaPixels` model-input pixels are dropped. Image-level probabilities
 * are the mean pixel probabilities. Explanations target the largest finding's class over
 * its predicted region; the best model has the highest Dice over the defect classes.
 */
import { XqcError } from '../../errors.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import type { ModelCard } from '../card.schema.ts';
import { DEFAULT_MERGE_GAP_PIXELS, DEFAULT_MIN_AREA_PIXELS } from '../card.schema.ts';
import { defectIndices, goodOrElse } from '../labels.ts';
import { maskToRle } from '../components.ts';
import type { Placement } from '../preprocess.ts';
import type { Finding, Prediction } from '../result.ts';
import { gradeSeverity } from '../severity.ts';
import { checkLogitsShape, defaultClassTarget, figure } from './task-adapter.ts';
import type { TaskAdapter } from './task-adapter.ts';

/** Per-pixel decisions of one image at model resolution. */
interface PixelDecisions {
  /** Argmax class [H*W]. */
  cls: Uint8Array;
  /** 1 - sum of the good classes' probabilities [H*W]. */
  defect: Float32Array;
  /** Mean probability of each class over the placed image. */
  meanP: number[];
}

function decide(data: Float32Array, base: number, k: number, plane: number, t: number, good: ReadonlySet<number>, inside: (px: number) => boolean): PixelDecisions {
  const cls = new Uint8Array(plane);
  const defect = new Float32Array(plane);
  const meanP = new Array<number>(k).fill(0);
  const e = new Float64Array(k);
  let counted = 0;
  for (let px = 0; px < plane; px++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, data[base + c * plane + px] / t);
    let s = 0;
    for (let c = 0; c < k; c++) s += e[c] = Math.exp(data[base + c * plane + px] / t - max);
    let best = 0;
    let pGood = 0;
    for (let c = 0; c < k; c++) {
      if (e[c] > e[best]) best = c;
      if (good.has(c)) pGood += e[c] / s;
    }
    cls[px] = best;
    defect[px] = 1 - pGood;
    if (inside(px)) {
      for (let c = 0; c < k; c++) meanP[c] += e[c] / s;
      counted++;
    }
  }
  for (let c = 0; c < k; c++) meanP[c] /= Math.max(1, counted);
  return { cls, defect, meanP };
}

function find(parent: Int32Array, i: number): number {
  while (parent[i] !== i) {
    parent[i] = parent[parent[i]];
    i = parent[i];
  }
  return i;
}

/**
 * Groups the set pixels of `mask` [h*w] into regions whose pixels are chained by steps
 * of chessboard distance at most `gap + 1` (gap 0: 8-connected regions).
 * @returns region id per pixel (-1 for unset pixels), ids 0..count-1 in raster order of first pixel
 */
export function mergeRegions(mask: ArrayLike<number>, w: number, h: number, gap: number): { ids: Int32Array; count: number } {
  if (!(Number.isInteger(gap) && gap >= 0)) throw new XqcError('XQC_INVALID_ARGUMENT', `merge gap must be a non-negative integer, got ${gap}`);
  const r = gap + 1;
  const parent = new Int32Array(w * h).map((_, i) => i);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!mask[i]) continue;
      // Earlier neighbours only (rows above within r, and this row to the left): each pair once.
      for (let yy = Math.max(0, y - r); yy <= y; yy++) {
        const x1 = yy === y ? x - 1 : Math.min(w - 1, x + r);
        for (let xx = Math.max(0, x - r); xx <= x1; xx++) {
          const j = yy * w + xx;
          if (!mask[j]) continue;
          const a = find(parent, i);
          const b = find(parent, j);
          if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
        }
      }
    }
  }
  const ids = new Int32Array(w * h).fill(-1);
  const idOfRoot = new Map<number, number>();
  for (let i = 0; i < w * h; i++) {
    if (!mask[i]) continue;
    const root = find(parent, i);
    let id = idOfRoot.get(root);
    if (id === undefined) idOfRoot.set(root, (id = idOfRoot.size));
    ids[i] = id;
  }
  return { ids, count: idOfRoot.size };
}

/** Model-resolution pixel under each original pixel (nearest, half-pixel centres), as resizeNearest maps them. */
function sourceIndex(p: Placement, w: number): Int32Array {
  const xs = new Int32Array(p.width);
  for (let x = 0; x < p.width; x++) xs[x] = p.offsetX + Math.min(Math.floor(((x + 0.5) * p.innerWidth) / p.width), p.innerWidth - 1);
  const idx = new Int32Array(p.width * p.height);
  for (let y = 0; y < p.height; y++) {
    const sy = p.offsetY + Math.min(Math.floor(((y + 0.5) * p.innerHeight) / p.height), p.innerHeight - 1);
    for (let x = 0; x < p.width; x++) idx[y * p.width + x] = sy * w + xs[x];
  }
  return idx;
}

/**
 * Findings of one image from its per-pixel decisions (see the file comment).
 * @param d decisions at model resolution w x h
 */
function findingsOf(d: PixelDecisions, w: number, h: number, card: ModelCard, p: Placement, good: ReadonlySet<number>): { findings: Finding[]; mask: Uint8Array } {
  const k = card.labels.length;
  const plane = w * h;
  const defectMask = new Uint8Array(plane);
  for (let y = p.offsetY; y < p.offsetY + p.innerHeight; y++) {
    for (let x = p.offsetX; x < p.offsetX + p.innerWidth; x++) if (!good.has(d.cls[y * w + x])) defectMask[y * w + x] = 1;
  }
  const { ids, count } = mergeRegions(defectMask, w, h, card.thresholds.mergeGapPixels ?? DEFAULT_MERGE_GAP_PIXELS);
  const area = new Int32Array(count);
  const votes = new Int32Array(count * k);
  const scoreSum = new Float64Array(count);
  for (let i = 0; i < plane; i++) {
    const r = ids[i];
    if (r < 0) continue;
    area[r]++;
    votes[r * k + d.cls[i]]++;
    scoreSum[r] += d.defect[i];
  }
  const src = sourceIndex(p, w);
  const full = new Uint8Array(src.length);
  const region = new Int32Array(src.length);
  const origArea = new Int32Array(count);
  const boxes = Array.from({ length: count }, () => [p.width, p.height, 0, 0] as [number, number, number, number]);
  for (let i = 0; i < src.length; i++) {
    full[i] = d.cls[src[i]];
    const r = (region[i] = ids[src[i]]);
    if (r < 0) continue;
    origArea[r]++;
    const x = i % p.width;
    const y = (i - x) / p.width;
    const b = boxes[r];
    if (x < b[0]) b[0] = x;
    if (y < b[1]) b[1] = y;
    if (x + 1 > b[2]) b[2] = x + 1;
    if (y + 1 > b[3]) b[3] = y + 1;
  }
  const minArea = card.thresholds.minAreaPixels ?? DEFAULT_MIN_AREA_PIXELS;
  const findings: Finding[] = [];
  for (let r = 0; r < count; r++) {
    if (area[r] < minArea || origArea[r] === 0) continue;
    let classIndex = 0;
    for (let c = 1; c < k; c++) if (votes[r * k + c] > votes[r * k + classIndex]) classIndex = c;
    const score = scoreSum[r] / area[r];
    const label = card.labels[classIndex];
    const bin = Uint8Array.from(region, (v) => (v === r ? 1 : 0));
    findings.push({
      label,
      classIndex,
      score,
      severity: gradeSeverity({ label, areaFraction: origArea[r] / src.length, score }, card.severity),
      box: boxes[r],
      area: origArea[r],
      rle: maskToRle(bin, p.width, p.height),
    });
  }
  findings.sort((a, b) => (b.area ?? 0) - (a.area ?? 0));
  return { findings, mask: full };
}

/**
 * Postprocesses segmenter logits.
 * @param logits [N, K, H, W] float32
 * @param placements how each image was placed in the input (from preprocess)
 * @param task the task reported in the predictions (detect cards reuse this adapter)
 */
export function postprocessSegment(logits: Tensor, card: ModelCard, placements: readonly Placement[], task: 'segment' | 'detect' = 'segment'): Prediction[] {
  const [n, k, h, w] = logits.dims;
  if (logits.dims.length !== 4 || k !== card.labels.length) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `${task} output has dims [${logits.dims.join(',')}], expected [N, ${card.labels.length}, h, w] for the card's labels`);
  }
  if (placements.length !== n) throw new XqcError('XQC_SHAPE_MISMATCH', `${placements.length} placements for a batch of ${n}`);
  const data = logits.data as Float32Array;
  const t = card.calibration?.temperature ?? 1;
  const good = new Set(card.goodLabels.map((l) => card.labels.indexOf(l)));
  const plane = h * w;
  const out: Prediction[] = [];
  for (let i = 0; i < n; i++) {
    const p = placements[i];
    const inside = (px: number): boolean => {
      const x = px % w;
      const y = (px - x) / w;
      return x >= p.offsetX && x < p.offsetX + p.innerWidth && y >= p.offsetY && y < p.offsetY + p.innerHeight;
    };
    const d = decide(data, i * k * plane, k, plane, t, good, inside);
    const { findings, mask } = findingsOf(d, w, h, card, p, good);
    let best = 0;
    for (let c = 1; c < k; c++) if (d.meanP[c] > d.meanP[best]) best = c;
    const top = findings[0];
    out.push({
      task,
      verdict: findings.length > 0 ? 'reject' : 'pass',
      label: top ? top.label : card.labels[best],
      classIndex: top ? top.classIndex : best,
      score: top ? top.score : d.meanP[best],
      defectProbability: findings.length ? Math.max(...findings.map((f) => f.score)) : 0,
      probabilities: d.meanP,
      findings,
      mask: { width: p.width, height: p.height, data: mask },
    });
  }
  return out;
}

/** The default target of a segmenter or box-from-mask detector: its largest finding's class, else as for a classifier. */
export function defaultRegionTarget(card: ModelCard, prediction: Pick<Prediction, 'probabilities' | 'findings'> | undefined): ReturnType<TaskAdapter['defaultTarget']> {
  if (prediction?.findings.length) return { kind: 'region', index: prediction.findings[0].classIndex, reason: 'predicted' };
  return { kind: 'region', ...defaultClassTarget(card, prediction?.probabilities ?? [], defectIndices(card)) };
}

/** Dice over the defect classes, or the mean Dice when no defect class was present. */
export const DEFECT_DICE = {
  name: 'defectDice',
  description: 'mean Dice of the defect classes (mean Dice over all classes when no defect pixel was seen)',
  of: (r: Readonly<Record<string, unknown>>): number => {
    const v = figure(r, 'defectDice');
    return Number.isFinite(v) ? v : figure(r, 'meanDice');
  },
};

/** The segment task. */
export const segmentAdapter: TaskAdapter = {
  task: 'segment',
  description: 'semantic segmentation: logits [N, K, h, w] -> class mask, one finding per defect (fragments within the merge gap joined)',
  datasetLayout: 'segmentation',
  predictsFromOutput: true,
  checkModel: (model, outputName, card) => checkLogitsShape(model, outputName, card, 4, 'per-pixel class logits'),
  postprocess: (output, card, placements) => postprocessSegment(output, card, placements, 'segment'),
  targetKind: 'region',
  defaultGoodLabels: (labels) => goodOrElse(labels, labels.slice(0, 1)),
  defaultTarget: defaultRegionTarget,
  selectionMetric: DEFECT_DICE,
};
