/**
 * Wording of the anomaly answers: the where statistics (peak, mean, share beyond the pixel
 * limit) and the fit of the score surrogate behind the why waterfall, as plain sentences.
 */
import type { Reading } from './explain-methods.ts';

/** The where statistics of `GET /inspections/{id}/anomaly` (0.5 is the pixel limit). */
export interface WhereStats {
  max: number;
  mean: number;
  defectArea: number;
}

/** Peak, spread and area of the anomaly map, each with what it means. */
export function anomalyWhereReadings(w: WhereStats): Reading[] {
  const area = `${(w.defectArea * 100).toFixed(w.defectArea > 0 && w.defectArea < 0.01 ? 2 : 1)} %`;
  return [
    w.max >= 0.5
      ? { label: 'Strongest spot', value: w.max.toFixed(2), tone: 'bad', hint: 'At least one area is beyond the limit of 0.50: it differs from every good part the model has seen.' }
      : w.max >= 0.4
        ? { label: 'Strongest spot', value: w.max.toFixed(2), tone: 'warn', hint: 'The strongest area comes close to the limit of 0.50 without passing it.' }
        : { label: 'Strongest spot', value: w.max.toFixed(2), tone: 'good', hint: 'No area comes near the limit of 0.50: every patch looks like a good part.' },
    w.defectArea > 0
      ? { label: 'Area beyond the limit', value: area, tone: w.defectArea >= 0.01 ? 'bad' : 'warn', hint: w.defectArea >= 0.01 ? 'A visible region of the image is anomalous.' : 'Only a few pixels are beyond the limit: check whether it is a real defect or dust and noise.' }
      : { label: 'Area beyond the limit', value: area, tone: 'good', hint: 'No pixel is beyond the limit.' },
    { label: 'Average level', value: w.mean.toFixed(2), tone: w.mean >= 0.35 ? 'warn' : 'info', hint: w.mean >= 0.35 ? 'The whole image is unusual, not just one spot: lighting, focus or a different product may be the cause.' : 'Most of the image looks normal.' },
  ];
}

/** The surrogate fit of the why answer (`fit`). */
export interface SurrogateFit {
  r2Holdout: number | null;
  nHoldout: number;
  nTrain: number;
}

/** How far the waterfall can be believed: the surrogate's R^2 on held-out inspections. */
export function surrogateFitReading(fit: SurrogateFit): Reading {
  const r2 = fit.r2Holdout;
  if (r2 === null || !Number.isFinite(r2)) {
    return { label: 'How well the chart follows the score', value: 'unknown', tone: 'warn', hint: `Too few held-out inspections (${fit.nHoldout}) to check the chart against the real score: read it as a rough guide.` };
  }
  const value = `R\u00b2 ${r2.toFixed(2)}`;
  if (r2 >= 0.8) return { label: 'How well the chart follows the score', value, tone: 'good', hint: `On ${fit.nHoldout} held-out inspections the features explain the score well: the chart can be believed.` };
  if (r2 >= 0.5) return { label: 'How well the chart follows the score', value, tone: 'warn', hint: `On ${fit.nHoldout} held-out inspections the features explain the score only in part: trust the big bars, not the small ones.` };
  return { label: 'How well the chart follows the score', value, tone: 'bad', hint: `On ${fit.nHoldout} held-out inspections the features explain the score poorly: the chart does not say why this score is high; use the maps instead.` };
}
