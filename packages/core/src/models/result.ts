/** What an inspection reports, independent of the task. */
import type { SeverityRule } from './card.ts';

/** A defect found in an image. Boxes and areas are in original image pixels. */
export interface Finding {
  label: string;
  classIndex: number;
  /** Probability-like score of the finding, 0..1. */
  score: number;
  severity: SeverityRule['severity'];
  /** [x0, y0, x1, y1), present for region findings. */
  box?: [number, number, number, number];
  /** Pixel area in the original image, for region findings. */
  area?: number;
  /** COCO uncompressed RLE of the region in the original image, for region findings. */
  rle?: { size: [number, number]; counts: number[] };
}

/** Result of running one model on one image. */
export interface Prediction {
  task: 'classify' | 'segment' | 'detect' | 'anomaly';
  verdict: 'pass' | 'reject';
  /** Most likely label (image level). */
  label: string;
  classIndex: number;
  /** Probability of `label`. */
  score: number;
  /** Probability that the image holds a defect (1 - P(good) for classifiers). */
  defectProbability: number;
  /** Class probabilities (image level). */
  probabilities: number[];
  findings: Finding[];
  /** Class-id mask at original resolution (segmenters). */
  mask?: { width: number; height: number; data: Uint8Array };
}
