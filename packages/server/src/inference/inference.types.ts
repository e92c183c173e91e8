/**
 * What crosses the thread boundary between the API and the inference workers: plain,
 * structured-clonable data (no class instances, no functions).
 */
import type { ImageSignals, ModelCard, ReferralReason } from '@xai-qc/core';

/** Where a model version's files are and how to run them. */
export interface ModelSpec {
  /** Stable key of the version (its id); workers cache sessions by it. */
  key: string;
  card: ModelCard;
  /**
   * 'onnx': one ONNX file run by core's Predictor (classify, segment);
   * 'patchcore': an anomaly detector folder run by core's AnomalyDetector (anomaly): PatchCore,
   * or trained on simulated defects (`anomaly.json` format `xai-qc.simulated`, network.onnx);
   * the name is kept for the PatchCore folders it first served.
   */
  runner: 'onnx' | 'patchcore';
  /** The `.onnx` file ('onnx') or the artifact folder ('patchcore'). */
  path: string;
}

/** MC-Dropout request: S stochastic passes with a fixed mask seed. */
export interface McDropoutRequest {
  method: 'mc-dropout';
  samples: number;
  seed: number;
}

/** Options shared by every image of one batch. */
export interface DetectOptions {
  /** Largest accepted width * height of a decoded image. */
  maxPixels: number;
  uncertainty?: McDropoutRequest;
  /**
   * Compute each image's monitoring signals (core imageSignals) on the decoded image, in the
   * worker: it sends them in a second message ({@link WorkerReply} `signals`) right after the
   * batch's results, so they stay off the request's critical path.
   */
  signals?: boolean;
}

/** A finding as the API returns it. Boxes, areas, masks and polygons are in original image pixels. */
export interface FindingOutput {
  label: string;
  classIndex: number;
  score: number;
  severity: 'minor' | 'major' | 'critical';
  /** [x0, y0, x1, y1), region findings only. */
  box?: [number, number, number, number];
  area?: number;
  /** COCO uncompressed RLE (column-major runs starting with zeros). */
  rle?: { size: [number, number]; counts: number[] };
  /** Outer outline, flat [x0, y0, x1, y1, ...] in pixel-corner coordinates. */
  polygon?: number[];
  /** Binary mask (0 or 255) as a grayscale PNG at the original size, base64. */
  maskPng?: string;
}

/** Uncertainty of one image from S stochastic passes, in nats (image means for segmenters). */
export interface UncertaintyOutput {
  method: 'mc-dropout';
  samples: number;
  seed: number;
  /** Mean probability of each class over the passes. */
  meanProbabilities: number[];
  /** Variance over the passes of each class probability. */
  variance: number[];
  predictiveEntropy: number;
  expectedEntropy: number;
  mutualInformation: number;
  /** Share of passes whose top class differs from the mean's top class. */
  disagreement: number;
}

/** A conformal prediction set and the referral decision of one image. */
export interface ConformalOutput {
  alpha: number;
  /** Labels in the set. */
  set: string[];
  referred: boolean;
  reason: ReferralReason;
}

/** Per-stage wall times of one image's batch, ms (queue time is added by the API). */
export interface StageTimings {
  /** This image's own decode. */
  decodeMs: number;
  /** The batch's preprocessing (0 for anomaly models, whose detector preprocesses inside compute). */
  preprocessMs: number;
  /** The batch's model runs (including MC-Dropout passes when asked). */
  computeMs: number;
  /** The batch's postprocessing: probabilities, regions, masks, polygons, PNG encoding. */
  postprocessMs: number;
  batchSize: number;
}

/** The result of one image. */
export interface DetectOutput {
  image: { width: number; height: number; channels: number; format: string };
  task: ModelCard['task'];
  verdict: 'pass' | 'reject';
  label: string;
  classIndex: number;
  /** Probability of `label`. */
  score: number;
  /** Probability (classifiers, segmenters) or normalised score (anomaly) that the image is defective. */
  defectProbability: number;
  /** Image-level class probabilities, temperature applied, in the order of `labels`. */
  probabilities: number[];
  labels: string[];
  findings: FindingOutput[];
  anomaly?: { score: number; rawScore: number; mapPng: string };
  uncertainty?: UncertaintyOutput;
  conformal?: ConformalOutput;
  /** Image statistics of the decoded image for drift monitoring, when the options asked for them. */
  signals?: ImageSignals;
  timings: StageTimings;
}

/** An error of one image, with core's stable code when it has one. */
export interface ItemError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Messages to a worker. */
export type WorkerRequest =
  | { type: 'load'; id: number; spec: ModelSpec }
  | { type: 'detect'; id: number; key: string; images: Uint8Array[]; options: DetectOptions };

/** Messages from a worker. */
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'startError'; message: string }
  | { id: number; ok: true; results?: ({ value: DetectOutput } | { error: ItemError })[] }
  | { id: number; ok: false; error: ItemError }
  /** The monitoring signals of a `detect` batch asked with `options.signals`, sent after its results: one per image, null where the image did not decode. */
  | { type: 'signals'; id: number; signals: (ImageSignals | null)[] };
