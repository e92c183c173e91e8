/**
 * The core's anomaly explanation API (packages/core/src/explain/anomaly: pooled
 * embeddings, the embedding index, features, surrogate, waterfall) in one place. The
 * core's public index does not re-export that folder yet, so it is imported here by path;
 * when `@xai-qc/core` exports it, this file becomes a re-export of the package and nothing
 * else changes.
 */
export { EmbeddingIndex, PooledEmbedder, explainAnomalyScore, fitAnomalySurrogate, l2NormalizeRows, minSurrogateSamples, ANOMALY_FEATURE_NAMES } from '../../../core/src/explain/anomaly/index.ts';
export type { AnomalySurrogate, AnomalyScoreExplanation, RetrievalHit, Waterfall } from '../../../core/src/explain/anomaly/index.ts';
