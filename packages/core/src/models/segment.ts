/**
 * Semantic segmentation adapter: logits [N, K, H, W] -> per-pixel class (argmax of the
 * softmax), one finding per connected defect region with box, area, mean score and
 * severity, mapped back to the original image; image-level probabilities are the mean
 * of the pixel probabilities.
 */
import { XqcError } from '../errors.ts';
import { resizeNearest } from '../image/image-resize.ts';
import type { Tensor } from '../onnx/tensor.ts';
import type { ModelCard } from './card.ts';
import { findRegions, maskToRle } from './components.ts';
import type { Placement } from './preprocess.ts';
import type { Finding, Prediction } from './result.ts';
import { gradeSeverity } from './severity.ts';

/**
 * Postprocesses segmenter logits.
 * @param logits [N, K, H, W] float32
 * @param placements how each image was placed in the input (from preprocess)
 */
export function postprocessSegment(logits: Tensor, card: ModelCard, placements: readonly Placement[]): Prediction[] {
  const [n, k, h, w] = logits.dims;
  if (logits.dims.length !== 4 || k !== card.labels.length) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `segmenter output has dims [${logits.dims.join(',')}], card has ${card.labels.length} labels`);
  }
  const data = logits.data as Float32Array;
  const t = card.calibration?.temperature ?? 1;
  const plane = h * w;
  const out: Prediction[] = [];
  for (let i = 0; i < n; i++) {
    const cls = new Uint8Array(plane);
    const conf = new Float32Array(plane);
    const meanP = new Array<number>(k).fill(0);
    const base = i * k * plane;
    const e = new Float64Array(k);
    for (let px = 0; px < plane; px++) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, data[base + c * plane + px] / t);
      let s = 0;
      for (let c = 0; c < k; c++) s += e[c] = Math.exp(data[base + c * plane + px] / t - max);
      let best = 0;
      for (let c = 0; c < k; c++) {
        const p = e[c] / s;
        meanP[c] += p;
        if (e[c] > e[best]) best = c;
      }
      cls[px] = best;
      conf[px] = e[best] / s;
    }
    for (let c = 0; c < k; c++) meanP[c] /= plane;
    out.push(regionsToPrediction(cls, conf, w, h, meanP, card, placements[i]));
  }
  return out;
}

function regionsToPrediction(
  cls: Uint8Array,
  conf: Float32Array,
  w: number,
  h: number,
  meanP: number[],
  card: ModelCard,
  p: Placement,
): Prediction {
  // Class ids back in the original image: crop the placed region, nearest-resize.
  const inner = new Uint8Array(p.innerWidth * p.innerHeight);
  for (let y = 0; y < p.innerHeight; y++) inner.set(cls.subarray((y + p.offsetY) * w + p.offsetX, (y + p.offsetY) * w + p.offsetX + p.innerWidth), y * p.innerWidth);
  void h;
  const full = p.innerWidth === p.width && p.innerHeight === p.height
    ? inner
    : resizeNearest({ width: p.innerWidth, height: p.innerHeight, channels: 1, data: inner }, p.width, p.height).data;
  const good = new Set(card.goodLabels.map((l) => card.labels.indexOf(l)));
  const defectMask = new Uint8Array(full.length);
  for (let i = 0; i < full.length; i++) defectMask[i] = good.has(full[i]) ? 0 : full[i];
  const scale = (p.innerWidth * p.innerHeight) / (p.width * p.height);
  const minArea = Math.max(1, Math.round((card.thresholds.minAreaPixels ?? 4) / scale));
  const findings: Finding[] = [];
  for (const comp of findRegions(defectMask, p.width, p.height, minArea)) {
    let s = 0;
    for (const px of comp.pixels) {
      const x = px % p.width;
      const y = (px - x) / p.width;
      const mx = Math.min(w - 1, p.offsetX + Math.floor((x * p.innerWidth) / p.width));
      const my = Math.min(cls.length / w - 1, p.offsetY + Math.floor((y * p.innerHeight) / p.height));
      s += conf[my * w + mx];
    }
    const score = s / comp.area;
    const label = card.labels[comp.label];
    const bin = new Uint8Array(full.length);
    for (const px of comp.pixels) bin[px] = 1;
    findings.push({
      label,
      classIndex: comp.label,
      score,
      severity: gradeSeverity({ label, areaFraction: comp.area / full.length, score }, card.severity),
      box: comp.box,
      area: comp.area,
      rle: maskToRle(bin, p.width, p.height),
    });
  }
  let best = 0;
  for (let c = 1; c < meanP.length; c++) if (meanP[c] > meanP[best]) best = c;
  const defectProbability = findings.length ? Math.max(...findings.map((f) => f.score)) : 0;
  const top = findings[0];
  return {
    task: 'segment',
    verdict: findings.length > 0 ? 'reject' : 'pass',
    label: top ? top.label : card.labels[best],
    classIndex: top ? top.classIndex : best,
    score: top ? top.score : meanP[best],
    defectProbability,
    probabilities: meanP,
    findings,
    mask: { width: p.width, height: p.height, data: full },
  };
}
