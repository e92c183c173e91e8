/**
 * The core's anomaly explanation API (packages/core/src/explain/anomaly: pooled
 * embeddings, the embedding index, features, surrogate, waterfall) in one place, re-exported
 * from `@xai-qc/core`.
 */
export { EmbeddingIndex, PooledEmbedder, explainAnomalyScore, fitAnomalySurrogate, l2NormalizeRows, minSurrogateSamples, ANOMALY_FEATURE_NAMES } from '@xai-qc/core';
export type { AnomalySurrogate, AnomalyScoreExplanation, RetrievalHit, Waterfall } from '@xai-qc/core';
