/**
 * Statistics of an uploaded dataset from the core's listing: images per class, image sizes
 * (min, max, median), decoded formats, and the files the reader passed over, split into
 * corrupt images (an image extension the core decoder refuses) and everything else.
 */
import { extname } from 'node:path';
import type { DatasetListing } from '@xai-qc/core';
import { decodeImage, IMAGE_EXTENSIONS } from '@xai-qc/core';
import type { DatasetStats } from '../schemas/dataset.schema.ts';

/** Median of `values` (mean of the middle two for an even count); 0 for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function spread(values: readonly number[]): DatasetStats['width'] {
  return values.length === 0 ? { min: 0, max: 0, median: 0 } : { min: Math.min(...values), max: Math.max(...values), median: median(values) };
}

/**
 * Computes the statistics of `listing`.
 * @param bytesOf the bytes of an archive file by its path (to decode skipped images again).
 */
export async function datasetStats(listing: DatasetListing, bytesOf: (path: string) => Uint8Array | undefined): Promise<DatasetStats> {
  const countsPerClass: Record<string, number> = Object.fromEntries(listing.classes.map((c) => [c, 0]));
  const formats: Record<string, number> = {};
  for (const s of listing.samples) {
    countsPerClass[s.label] = (countsPerClass[s.label] ?? 0) + 1;
    formats[s.format] = (formats[s.format] ?? 0) + 1;
  }
  const corrupt: DatasetStats['corrupt'] = [];
  const skipped: DatasetStats['skipped'] = [];
  for (const f of listing.skipped) {
    const bytes = IMAGE_EXTENSIONS.has(extname(f.path).toLowerCase()) ? bytesOf(f.path) : undefined;
    let decodes = true;
    if (bytes) {
      try {
        await decodeImage(bytes);
      } catch {
        decodes = false;
      }
    }
    (decodes ? skipped : corrupt).push({ path: f.path, reason: f.reason });
  }
  return {
    classes: [...listing.classes],
    images: listing.samples.length,
    masks: listing.samples.filter((s) => s.mask !== undefined).length,
    countsPerClass,
    width: spread(listing.samples.map((s) => s.width)),
    height: spread(listing.samples.map((s) => s.height)),
    formats,
    corrupt,
    skipped,
  };
}
