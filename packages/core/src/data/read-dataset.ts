/** One entry point over the three layout readers. */
import { readAnomalyDataset } from './anomaly-format.ts';
import { readClassificationDataset } from './classification-format.ts';
import type { DatasetFormat, DatasetListing, ReadDatasetOptions } from './dataset.types.ts';
import { readSegmentationDataset } from './segmentation-format.ts';

/** Lists the folder `root` with the reader of `format` (see each reader for what is skipped). */
export function readDataset(format: DatasetFormat, root: string, options: ReadDatasetOptions = {}): Promise<DatasetListing> {
  if (format === 'classification') return readClassificationDataset(root, options);
  if (format === 'segmentation') return readSegmentationDataset(root, options);
  return readAnomalyDataset(root, options);
}
