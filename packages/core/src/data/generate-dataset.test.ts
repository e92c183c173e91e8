import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../image/image-decode.ts';
import type { DatasetFormat } from './dataset.types.ts';
import { generateDataset, labelPlan } from './generate-dataset.ts';
import { readDataset } from './read-dataset.ts';
import { readLabelsFile } from './labels-file.ts';
import { buildManifest, readManifest, verifyManifest } from './manifest.ts';
import { SYNTHETIC_SPECS } from './synthetic/generate-sample.ts';
import type { SyntheticKind } from './synthetic/synthetic.types.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xqc-generate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('generateDataset', () => {
  const cases: [SyntheticKind, DatasetFormat][] = [
    ['surface', 'anomaly'],
    ['radiograph', 'segmentation'],
    ['cells', 'classification'],
  ];

  it.each(cases)('%s as %s: labels.json, a manifest equal to what the reader sees, and masks that match', async (kind, format) => {
    const out = join(dir, `${kind}-${format}`);
    const result = await generateDataset({ kind, count: 12, seed: 3, out, format, size: 48, defectRate: 0.5 });
    const labels = await readLabelsFile(out);
    expect(labels?.format).toBe(format);
    expect(labels?.labels).toEqual([...SYNTHETIC_SPECS[kind].labels]);
    expect(Object.values(labels?.counts ?? {}).reduce((a, b) => a + b, 0)).toBe(12);

    const listing = await readDataset(format, out);
    expect(listing.skipped).toEqual([]);
    expect(listing.samples).toHaveLength(12);
    const rebuilt = await buildManifest(listing, { seed: 3 });
    expect(rebuilt.id).toBe(result.manifest.id);
    expect((await readManifest(out)).id).toBe(result.manifest.id);
    expect((await verifyManifest(out, result.manifest)).ok).toBe(true);

    for (const s of listing.samples.slice(0, 6)) {
      const img = await decodeImage(await readFile(join(out, s.image)));
      expect([img.width, img.height, img.channels]).toEqual([48, 48, SYNTHETIC_SPECS[kind].channels]);
      if (!s.mask) continue;
      const m = await decodeImage(await readFile(join(out, s.mask)));
      const nonzero = m.data.some((v) => v > 0);
      expect(nonzero).toBe(s.label !== SYNTHETIC_SPECS[kind].goodLabel);
    }
  });

  it('is reproducible: the same options give the same manifest id, another seed another', async () => {
    const a = await generateDataset({ kind: 'surface', count: 4, seed: 9, out: join(dir, 'r1'), size: 32 });
    const b = await generateDataset({ kind: 'surface', count: 4, seed: 9, out: join(dir, 'r2'), size: 32 });
    const c = await generateDataset({ kind: 'surface', count: 4, seed: 10, out: join(dir, 'r3'), size: 32 });
    expect(b.manifest.id).toBe(a.manifest.id);
    expect(c.manifest.id).not.toBe(a.manifest.id);
  });

  it('plans exactly round(count * defectRate) defect images, balanced over types', () => {
    const plan = labelPlan(SYNTHETIC_SPECS.radiograph, 31, 0.4, 1);
    expect(plan.filter((l) => l === 'good')).toHaveLength(31 - 12);
    for (const d of ['porosity', 'crack', 'lack_of_fusion']) expect(plan.filter((l) => l === d)).toHaveLength(4);
  });

  it('refuses a non-empty output folder, cells in the anomaly layout and bad arguments', async () => {
    await expect(generateDataset({ kind: 'surface', count: 2, out: join(dir, 'r1') })).rejects.toMatchObject({ code: 'XQC_INVALID_ARGUMENT' });
    await expect(generateDataset({ kind: 'cells', count: 2, out: join(dir, 'x1'), format: 'anomaly' })).rejects.toMatchObject({ code: 'XQC_INVALID_ARGUMENT' });
    await expect(generateDataset({ kind: 'surface', count: 0, out: join(dir, 'x2') })).rejects.toMatchObject({ code: 'XQC_INVALID_ARGUMENT' });
    await expect(generateDataset({ kind: 'surface', count: 2, out: join(dir, 'x3'), defectRate: 1.5 })).rejects.toMatchObject({ code: 'XQC_INVALID_ARGUMENT' });
  });
});
