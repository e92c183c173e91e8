/**
 * Why an anomaly score, and what the image resembles: the retrieval trace over past
 * inspections, human-readable image and map features, the ridge surrogate of the score,
 * its exact Shapley values and the waterfall chart.
 */
export type { AnomalyFeatureName, AnomalyFeatureOptions, AnomalyFeatureValues, FeatureDescriptor, FeatureUnit, ScoredInspection } from './anomaly-features.ts';
export { ANOMALY_FEATURE_NAMES, ANOMALY_FEATURES, anomalyFeatures, anomalyFeatureTable } from './anomaly-features.ts';
export type { BackgroundStats } from './background-stats.ts';
export { backgroundStats } from './background-stats.ts';
export type { CosineTopKOptions, TopKResult } from './cosine-top-k.ts';
export { cosineTopK, cosineTopKModelBytes, DEFAULT_SEARCH_CHUNK_ROWS } from './cosine-top-k.ts';
export { DEFAULT_EDGE_THRESHOLD, edgeDensity, sobelMagnitude } from './edge-density.ts';
export type { EmbeddingProvenance, IndexEntry, RetrievalHit } from './embedding-index.ts';
export { EmbeddingIndex } from './embedding-index.ts';
export type { EmbeddingIndexMetadata } from './embedding-index-file.ts';
export {
  deserializeEmbeddingIndex,
  EMBEDDING_INDEX_FORMAT,
  EMBEDDING_INDEX_VERSION,
  loadEmbeddingIndex,
  saveEmbeddingIndex,
  serializeEmbeddingIndex,
} from './embedding-index-file.ts';
export type { AnomalyScoreExplainInput, AnomalyScoreExplanation, AnomalySurrogate } from './explain-anomaly-score.ts';
export { explainAnomalyScore, fitAnomalySurrogate } from './explain-anomaly-score.ts';
export { fft, fft2d, isPowerOfTwo } from './fft.ts';
export { l2NormalizeRows } from './l2-normalize.ts';
export type { LinearSurrogate, SurrogateFit, SurrogateOptions } from './linear-surrogate.ts';
export { fitLinearSurrogate, minSurrogateSamples, predictLinearSurrogate, surrogateSplit, surrogateWeights } from './linear-surrogate.ts';
export { DEFAULT_CONTRAST_WINDOW, localContrast } from './local-contrast.ts';
export { defectArea, patchDistanceStats } from './map-features.ts';
export type { PooledEmbedderOptions } from './pooled-embedding.ts';
export { buildPooledEmbeddingModel, EMBEDDING_OUTPUT, PooledEmbedder } from './pooled-embedding.ts';
export type { ShapleyResult } from './surrogate-shapley.ts';
export { enumerateShapley, linearShapley, MAX_ENUMERATED_FEATURES } from './surrogate-shapley.ts';
export type { TextureOptions } from './texture-regularity.ts';
export { DEFAULT_LOW_FREQUENCY_RADIUS, DEFAULT_SPECTRUM_TILE, textureRegularity } from './texture-regularity.ts';
export type { Waterfall, WaterfallInput, WaterfallStep } from './waterfall.ts';
export { buildWaterfall, formatNumber } from './waterfall.ts';
export type { WaterfallChartOptions } from './waterfall-chart.ts';
export { renderWaterfallPng, renderWaterfallSvg } from './waterfall-chart.ts';
