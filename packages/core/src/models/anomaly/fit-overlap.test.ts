import { describe, expect, it } from 'vitest';
import type { DatasetManifest } from '../../data/manifest.ts';
import type { AnomalyFolderData, AnomalySample } from './anomaly-data.ts';
import { fitOverlap, fittedImageHashes } from './fit-overlap.ts';

const image = { width: 1, height: 1, channels: 3, data: new Uint8Array(3) } as AnomalySample['image'];
const hex = (i: number): string => i.toString(16).padStart(64, '0');

/** A folder of 4 train (2 good), 2 val and 2 test images with hashes 1..8, under manifest id `id`. */
function folder(id: string, offset = 0): AnomalyFolderData {
  const sample = (i: number, good: boolean): AnomalySample => ({ source: `img${i}.png`, label: good ? 'good' : 'crack', good, image });
  const splits = {
    train: [sample(1, true), sample(2, true), sample(3, false), sample(4, false)],
    val: [sample(5, true), sample(6, false)],
    test: [sample(7, true), sample(8, false)],
  };
  const files = [...splits.train, ...splits.val, ...splits.test].map((s, i) => ({ path: s.source, sha256: hex(i + 1 + offset), size: 1, role: 'image' as const, label: s.label, split: null }));
  const manifest = { version: 1, id, format: 'anomaly', classes: ['crack', 'good'], split: null, files } as unknown as DatasetManifest;
  return { root: '/d', manifest, goodLabel: 'good', skipped: [], splits, resized: 0, sizes: ['1x1'], resolution: { maxDownscale: 1, defectExtents: [] }, depths: ['8-bit'] };
}

describe('fit overlap', () => {
  it('records the good train images and every validation image', () => {
    expect(fittedImageHashes(folder('a'))).toEqual([hex(1), hex(2), hex(5), hex(6)]);
  });

  it('counts fitted images by hash, whatever folder they are in', () => {
    const fitted = fittedImageHashes(folder('a'));
    const own = folder('a');
    expect(fitOverlap([...own.splits.train, ...own.splits.val, ...own.splits.test], own, { fittedImages: fitted })).toMatchObject({ basis: 'image-hashes', evaluated: 8, fitted: 4 });
    expect(fitOverlap(own.splits.test, own, { fittedImages: fitted }).note).toMatch(/^none of the 2 evaluated images was used in fitting .* held out$/);
    // Another folder holding two of the fitted images (hashes 5 and 6 at other paths).
    const other = folder('b', 4);
    const r = fitOverlap(other.splits.train, other, { fittedImages: fitted, datasetHash: 'a' });
    expect(r).toMatchObject({ basis: 'image-hashes', fitted: 2 });
    expect(r.note).toMatch(/^2 of the 4 evaluated images were used in fitting .* optimistic$/);
  });

  it('falls back to the dataset hash, and says when overlap cannot be told', () => {
    const own = folder('a');
    expect(fitOverlap([...own.splits.train, ...own.splits.val], own, { datasetHash: 'a' })).toMatchObject({ basis: 'dataset-hash', fitted: 4 });
    expect(fitOverlap(own.splits.test, own, { datasetHash: 'a' })).toMatchObject({ basis: 'dataset-hash', fitted: 0 });
    const unknown = fitOverlap(own.splits.train, own, { datasetHash: 'f'.repeat(64) });
    expect(unknown).toMatchObject({ basis: 'unknown', fitted: null });
    expect(unknown.note).toMatch(/overlap with the fitting images was not checked$/);
    expect(unknown.note).not.toMatch(/optimistic/);
  });
});
