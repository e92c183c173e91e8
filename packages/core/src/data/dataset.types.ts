/** Shapes of on-disk datasets: layouts, listed samples and what was skipped. */
import type { ImageFormat } from '../image/image-format.ts';
import type { ImageU8 } from '../image/image.types.ts';

/**
 * On-disk layouts:
 * - `classification`: `ROOT/<class>/*.png`
 * - `segmentation`: `ROOT/images/<stem>.png` with `ROOT/masks/<stem>.png` (0 background, 1..K class ids)
 * - `anomaly`: anomalib "folder" layout, `ROOT/good/`, `ROOT/<defect>/`, optional `ROOT/masks/<defect>/<stem>.png` (255 = defect)
 */
export type DatasetFormat = 'classification' | 'segmentation' | 'anomaly';

/** Every layout name. */
export const DATASET_FORMATS: readonly DatasetFormat[] = ['classification', 'segmentation', 'anomaly'];

/** A file a reader passed over, and why. */
export interface SkippedFile {
  /** Path relative to the dataset root, with `/` separators. */
  path: string;
  reason: string;
}

/** One usable sample of a dataset. Paths are relative to the root, with `/` separators. */
export interface DatasetSample {
  image: string;
  /** Class (classification), `good` or defect type (anomaly), dominant mask class (segmentation). */
  label: string;
  mask?: string;
  width: number;
  height: number;
  channels: number;
  format: ImageFormat;
}

/** What a reader found in a dataset folder. */
export interface DatasetListing {
  format: DatasetFormat;
  /** Absolute root folder. */
  root: string;
  /** Image labels, sorted (classification, anomaly) or in mask-class order (segmentation). */
  classes: string[];
  samples: DatasetSample[];
  skipped: SkippedFile[];
}

/** Options of the readers. */
export interface ReadDatasetOptions {
  /**
   * `decode` (default) fully decodes every image, which catches truncated files;
   * `header` only reads headers, which is faster but lets truncated pixel data through.
   */
  verify?: 'decode' | 'header';
  /** Largest accepted image, in pixels; default 100 megapixels. */
  maxPixels?: number;
}

/** A sample handed to a layout writer. */
export interface SampleToWrite {
  /** File name without extension; letters, digits, `.`, `_`, `-`. */
  stem: string;
  /** Image label; also a folder name in the classification and anomaly layouts. */
  label: string;
  image: ImageU8;
  /** 1-channel class-id mask (0 = background), needed by segmentation, optional for anomaly. */
  mask?: ImageU8;
}
