/**
 * Figures of a fitted anomaly detector on labelled images: image AUROC of the raw image
 * scores, pixel AUROC and the normalised area under the PRO curve up to FPR 0.3 (MVTec AD,
 * `metrics/anomaly-map.ts`) of the raw maps at model resolution over images with masks
 * (and good images, all of whose pixels are defect-free), and the decisions at the chosen
 * thresholds: image precision, recall, F1, false-reject rate (good images rejected) and
 * escape rate (defect images passed), and pixel F1. A figure that the data cannot define
 * (no defect image, no mask) is null, with the reason in `notes`.
 */
import { auPro, pixelAuroc } from '../../metrics/anomaly-map.ts';
import type { PixelMap } from '../../metrics/anomaly-map.ts';
import { auroc } from '../../metrics/ranking.ts';
import type { ImageU8 } from '../../image/image.types.ts';
import type { AnomalyDetector } from './detector.ts';

/** A labelled evaluation image at model size (tiled inputs: at its own size, `tiling.ts`). */
export interface AnomalyEvalSample {
  image: ImageU8;
  /** True for a defect-free image. */
  good: boolean;
  /** Binary defect mask at model size, or at the size of a tiled image (defect images only). */
  mask?: Uint8Array;
}

/** What {@link evaluateAnomaly} reports. */
export interface AnomalyReport {
  count: { good: number; defect: number; defectWithMask: number };
  imageAuroc: number | null;
  pixelAuroc: number | null;
  /** Normalised AUPRO up to FPR 0.3. */
  pro: number | null;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  falseRejectRate: number | null;
  escapeRate: number | null;
  pixelF1: number | null;
  /** Raw thresholds the decisions used (normalised 0.5). */
  thresholds: { image: number; pixel: number };
  notes: string[];
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** Scores `samples` with `detector` and computes the figures. */
export async function evaluateAnomaly(detector: AnomalyDetector, samples: readonly AnomalyEvalSample[], batchSize = 8): Promise<AnomalyReport> {
  const raw = await detector.scoreImages(samples.map((s) => s.image), batchSize);
  const imageThr = detector.config.normalisation.image.threshold;
  const pixelThr = detector.config.normalisation.pixel.threshold;
  const notes: string[] = [];
  const labels = samples.map((s) => (s.good ? 0 : 1));
  const good = labels.filter((l) => l === 0).length;
  const defect = samples.length - good;
  let tp = 0;
  let fp = 0;
  samples.forEach((s, i) => {
    if (raw.scores[i] < imageThr) return;
    if (s.good) fp++;
    else tp++;
  });
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, defect);
  const f1 = defect > 0 ? (2 * tp) / (2 * tp + fp + (defect - tp)) : null;
  const imageAuroc = good > 0 && defect > 0 ? auroc(labels, raw.scores) : null;
  if (defect === 0) notes.push('no defect image: image AUROC, recall, F1 and escape rate are undefined');
  if (good === 0) notes.push('no good image: image AUROC and false-reject rate are undefined');

  const maps: PixelMap[] = [];
  const masks: PixelMap[] = [];
  let ptp = 0;
  let pfp = 0;
  let pfn = 0;
  samples.forEach((s, i) => {
    if (!s.good && !s.mask) return;
    // Maps are at model resolution, or at the original size of a tiled image (`raw.sizes`).
    const { width, height } = raw.sizes[i];
    const mask = s.mask ?? new Uint8Array(width * height);
    const map = raw.maps[i];
    maps.push({ width, height, data: map });
    masks.push({ width, height, data: mask });
    for (let p = 0; p < map.length; p++) {
      const flagged = map[p] >= pixelThr;
      if (mask[p]) {
        if (flagged) ptp++;
        else pfn++;
      } else if (flagged) pfp++;
    }
  });
  const withMask = samples.filter((s) => !s.good && s.mask).length;
  if (defect > withMask) notes.push(`${defect - withMask} defect image(s) without a mask are left out of the pixel figures`);
  const pixelDefined = ptp + pfn > 0;
  if (!pixelDefined) notes.push('no defect pixel in any mask: pixel AUROC, PRO and pixel F1 are undefined');
  return {
    count: { good, defect, defectWithMask: withMask },
    imageAuroc,
    pixelAuroc: pixelDefined ? pixelAuroc(maps, masks) : null,
    pro: pixelDefined ? auPro(maps, masks) : null,
    precision,
    recall,
    f1,
    falseRejectRate: ratio(fp, good),
    escapeRate: recall === null ? null : 1 - recall,
    pixelF1: pixelDefined ? (2 * ptp) / (2 * ptp + pfp + pfn) : null,
    thresholds: { image: imageThr, pixel: pixelThr },
    notes,
  };
}
