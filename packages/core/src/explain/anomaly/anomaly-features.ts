/**
 * The human-readable features of an inspected image and its anomaly map that the score
 * surrogate is fitted on: what an inspector can check by eye, each in documented units.
 * The order of {@link ANOMALY_FEATURES} is the column order of every feature vector.
 */
import { XqcError } from '../../errors.ts';
import type { ImageU8, ScalarMap } from '../../image/image.types.ts';
import { edgeDensity } from './edge-density.ts';
import { localContrast } from './local-contrast.ts';
import { defectArea, patchDistanceStats } from './map-features.ts';
import { textureRegularity } from './texture-regularity.ts';

/** How a feature's value reads: a share of pixels or energy (0..1, shown as %), a map distance, or a gray-level deviation (0..1 of full range). */
export type FeatureUnit = 'share' | 'distance' | 'gray';

/** One feature: its key, its label in charts and its unit. */
export interface FeatureDescriptor {
  readonly name: string;
  readonly label: string;
  readonly unit: FeatureUnit;
}

/** The features, in vector order. */
export const ANOMALY_FEATURES = [
  { name: 'meanPatchDistance', label: 'Mean patch distance', unit: 'distance' },
  { name: 'maxPatchDistance', label: 'Max patch distance', unit: 'distance' },
  { name: 'edgeDensity', label: 'Edge density', unit: 'share' },
  { name: 'textureRegularity', label: 'Texture regularity', unit: 'share' },
  { name: 'localContrast', label: 'Local contrast', unit: 'gray' },
  { name: 'defectArea', label: 'Defect area', unit: 'share' },
] as const satisfies readonly FeatureDescriptor[];

/** A feature key. */
export type AnomalyFeatureName = (typeof ANOMALY_FEATURES)[number]['name'];

/** The feature keys, in vector order. */
export const ANOMALY_FEATURE_NAMES: readonly AnomalyFeatureName[] = ANOMALY_FEATURES.map((f) => f.name);

/** Parameters of the image features; defaults are those of each feature's file. */
export interface AnomalyFeatureOptions {
  /** Sobel magnitude threshold of {@link edgeDensity} (default 0.1). */
  edgeThreshold?: number;
  /** Window side of {@link localContrast} (default 7). */
  contrastWindow?: number;
  /** Low-frequency radius of {@link textureRegularity} in cycles per pixel (default 0.125). */
  lowFrequencyRadius?: number;
  /** Largest spectrum tile of {@link textureRegularity} (default 64). */
  spectrumTile?: number;
}

/** The features of one image, by name and as a vector in {@link ANOMALY_FEATURES} order. */
export interface AnomalyFeatureValues {
  values: Record<AnomalyFeatureName, number>;
  /** [d] float64 */
  vector: Float64Array;
}

/**
 * Computes every feature of {@link ANOMALY_FEATURES} for one inspection.
 * @param image the inspected image (any size >= 8x8; gray, RGB or RGBA)
 * @param anomalyMap its anomaly map [H, W] float32 (patch distances; any resolution)
 * @param pixelThreshold the map value at or above which a pixel is defective
 */
export function anomalyFeatures(image: ImageU8, anomalyMap: ScalarMap, pixelThreshold: number, options: AnomalyFeatureOptions = {}): AnomalyFeatureValues {
  const distances = patchDistanceStats(anomalyMap);
  const values: Record<AnomalyFeatureName, number> = {
    meanPatchDistance: distances.mean,
    maxPatchDistance: distances.max,
    edgeDensity: edgeDensity(image, { threshold: options.edgeThreshold }),
    textureRegularity: textureRegularity(image, { radius: options.lowFrequencyRadius, tile: options.spectrumTile }),
    localContrast: localContrast(image, { window: options.contrastWindow }),
    defectArea: defectArea(anomalyMap, pixelThreshold),
  };
  return { values, vector: Float64Array.from(ANOMALY_FEATURE_NAMES, (n) => values[n]) };
}

/** One validation inspection: image, anomaly map and the model's anomaly score. */
export interface ScoredInspection {
  image: ImageU8;
  anomalyMap: ScalarMap;
  score: number;
}

/**
 * The feature table of a set of inspections (the surrogate's training data).
 * @returns rows [n, d] float64 row-major in {@link ANOMALY_FEATURES} order, scores [n]
 */
export function anomalyFeatureTable(samples: readonly ScoredInspection[], pixelThreshold: number, options: AnomalyFeatureOptions = {}): { rows: Float64Array; scores: Float64Array } {
  const d = ANOMALY_FEATURES.length;
  const rows = new Float64Array(samples.length * d);
  const scores = new Float64Array(samples.length);
  samples.forEach((s, i) => {
    if (!Number.isFinite(s.score)) throw new XqcError('XQC_INVALID_ARGUMENT', `inspection ${i} has anomaly score ${s.score}; scores must be finite`);
    rows.set(anomalyFeatures(s.image, s.anomalyMap, pixelThreshold, options).vector, i * d);
    scores[i] = s.score;
  });
  return { rows, scores };
}
