/** PatchCore anomaly detection from good images only (Roth et al. 2022). */
export type { AnomalyFolderData, AnomalySample, LoadAnomalyOptions } from './anomaly-data.ts';
export { loadAnomalyFolder } from './anomaly-data.ts';
export type { AnomalyArtifacts, AnomalyConfig, AnyAnomalyArtifacts, AnyAnomalyConfig, CombinedAnomalyConfig, SimulatedAnomalyConfig, SimulatedArtifacts } from './artifact.ts';
export {
  ANOMALY_FILES,
  ANOMALY_FORMAT,
  ANOMALY_FORMAT_VERSION,
  COMBINED_FORMAT,
  COMBINED_FORMAT_VERSION,
  COMBINED_PARTS,
  parseAnomalyConfig,
  parseCombinedConfig,
  parseSimulatedConfig,
  readAnomalyArtifacts,
  readAnyAnomalyArtifacts,
  SIMULATED_FORMAT,
  SIMULATED_FORMAT_VERSION,
  SIMULATED_NETWORK_FILE,
} from './artifact.ts';
export type { CoresetOptions, CoresetResult, RowProjector } from './coreset.ts';
export { coresetSize, greedyCoreset, projectRowsJs, randomProjectionMatrix } from './coreset.ts';
export type { AnomalyDetectorOptions, AnomalyPrediction, AnomalyScorer } from './detector.ts';
export { ANOMALY_LABELS, AnomalyDetector } from './detector.ts';
export type { AnomalyEvalSample, AnomalyReport } from './evaluate-anomaly.ts';
export { evaluateAnomaly } from './evaluate-anomaly.ts';
export type { AnomalyFolderEvaluation } from './evaluate-anomaly-folder.ts';
export { evaluateAnomalyFolder } from './evaluate-anomaly-folder.ts';
export { buildDetectorModel, DETECTOR_OUTPUTS } from './export-onnx.ts';
export type { FeatureExtractor } from './feature-head.ts';
export { adaptiveAvgPoolMatrix, buildFeatureExtractor, DEFAULT_FEATURE_DIM, FEATURES_OUTPUT } from './feature-head.ts';
export type { FeatureLayer } from './feature-layers.ts';
export { chooseFeatureLayers, MAX_AUTO_STRIDE } from './feature-layers.ts';
export type { DefectSample, FitData, FitPatchCoreOptions, FitResult } from './fit.ts';
export { fitPatchCore } from './fit.ts';
export { kCenterGreedy } from './k-center-greedy.ts';
export { onnxRowProjector } from './kernel-model.ts';
export type { BankOperands, Neighbours, NearestNeighbourOptions } from './nn-search.ts';
export { buildNearestNeighbourModel, NearestNeighbourIndex, nearestNeighboursJs } from './nn-search.ts';
export { principalRotation, symmetricEigen } from './pca-rotation.ts';
export type { RawScores, ScoringConfig } from './scorer.ts';
export { defaultSigma, PatchCoreScorer } from './scorer.ts';
export type { ScoreNormalisation, ThresholdChoice, ThresholdOptions } from './thresholds.ts';
export { chooseThreshold, f1OptimalThreshold, normalisationFor, normaliseMap, normaliseScore, quantile } from './thresholds.ts';
export type { AnomalyRunRecord, TrainAnomalyOptions } from './train-anomaly.ts';
export { backboneInputSpec, trainAnomaly } from './train-anomaly.ts';
export type { PerlinMaskOptions, PerlinRegion } from './simulated/perlin-mask.ts';
export { perlinMask } from './simulated/perlin-mask.ts';
export type { EdgeField } from './simulated/edge-band.ts';
export { edgeBandMask, edgeField, hasEdge, MIN_EDGE_MAGNITUDE } from './simulated/edge-band.ts';
export type { ResolvedSimulationOptions } from './simulated/simulate.ts';
export { MIN_SIMULATION_SIDE, resolveSimulationOptions, SIMULATION_DEFAULTS, SIMULATION_KINDS, simulateDefect } from './simulated/simulate.ts';
export type { DefectSimulator, SimulatedSample, SimulationKind, SimulationOptions } from './simulated/simulated.types.ts';
export { buildSimulatedDetectorModel } from './simulated/export-simulated.ts';
export type { CombinedFusion, CombinedScorerSpec, PartScores, PartStats } from './combined/combined-scorer.ts';
export { CombinedScorer, fusedNormalisation, fuseScore, MIN_PART_STD, partStats } from './combined/combined-scorer.ts';
export type { SimulatedNetworkSpec, SimulatedScorerSpec } from './simulated/simulated-scorer.ts';
export type { TestTimeFlips, TestTimeViews } from './simulated/simulated-scorer.ts';
export { defaultTopK, paddedSize, PROBABILITY_OUTPUT, SimulatedScorer, TEST_TIME_FLIPS, topKMean, withTestTimeFlips, withTestTimeViews, wrapNetwork } from './simulated/simulated-scorer.ts';
export type { Tile, TileGrid } from './tiling.ts';
export { cutTileMasks, cutTiles, DEFAULT_TILE_OVERLAP, fitTiledImage, stitchTileMaps, tileGrid, tileStarts, tileWorkingSize, toModelChannels } from './tiling.ts';
export type { ImageScores, InputScorer } from './tiled-scoring.ts';
export { modelInputsOf, scoreImagesAs } from './tiled-scoring.ts';
export type { ResolutionSummary } from './resolution-check.ts';
export { defectExtents, LARGE_DOWNSCALE, MIN_DEFECT_PIXELS, resolutionWarnings, SMALL_DEFECT_SHARE, summariseResolution } from './resolution-check.ts';
