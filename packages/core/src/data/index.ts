/** Datasets: folder layouts, readers, labels files, content-hash manifests, splits, synthetic data. */
export type { DatasetFormat, DatasetListing, DatasetSample, ReadDatasetOptions, SampleToWrite, SkippedFile } from './dataset.types.ts';
export { DATASET_FORMATS } from './dataset.types.ts';
export { readClassificationDataset, writeClassificationSample } from './classification-format.ts';
export { readSegmentationDataset, writeSegmentationSample } from './segmentation-format.ts';
export { ANOMALY_MASK_VALUE, readAnomalyDataset, writeAnomalySample } from './anomaly-format.ts';
export type { DatasetLabels } from './labels-file.ts';
export { LABELS_FILE, readLabelsFile, writeLabelsFile } from './labels-file.ts';
export { canonicalJson } from './canonical-json.ts';
export type { Split, SplitRatios } from './split.ts';
export { checkSplitRatios, DEFAULT_SPLIT_RATIOS, recordedSplit, splitCounts, splitRatiosFor, stratifiedSplit } from './split.ts';
export type { BuildManifestOptions, DatasetManifest, ManifestCheck, ManifestEntry } from './manifest.ts';
export { buildManifest, MANIFEST_FILE, manifestId, readManifest, verifyManifest, writeManifest } from './manifest.ts';
export type { GenerateDatasetOptions, GenerateDatasetResult } from './generate-dataset.ts';
export { generateDataset, labelPlan } from './generate-dataset.ts';
export { readDataset } from './read-dataset.ts';
export * from './synthetic/index.ts';
export * from './quality/index.ts';
