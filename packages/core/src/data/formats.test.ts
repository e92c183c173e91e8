import { cp, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isXqcError } from '../errors.ts';
import { decodeImage } from '../image/image-decode.ts';
import { encodeJpeg, encodePng } from '../image/image-encode.ts';
import type { ImageU8 } from '../image/image.types.ts';
import { readAnomalyDataset, writeAnomalySample } from './anomaly-format.ts';
import { readClassificationDataset, writeClassificationSample } from './classification-format.ts';
import { writeLabelsFile } from './labels-file.ts';
import { readSegmentationDataset, writeSegmentationSample } from './segmentation-format.ts';

function image(width: number, height: number, value: number): ImageU8 {
  return { width, height, channels: 3, data: new Uint8Array(width * height * 3).fill(value) };
}

function mask(width: number, height: number, id: number, count: number): ImageU8 {
  const data = new Uint8Array(width * height);
  data.fill(id, 0, count);
  return { width, height, channels: 1, data };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xqc-formats-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function truncatedPng(path: string): Promise<void> {
  const png = await encodePng(image(32, 32, 7));
  await writeFile(path, png.subarray(0, png.length - 30));
}

describe('classification layout', () => {
  it('reads mixed formats and sizes, and reports corrupt or foreign files instead of throwing', async () => {
    const root = join(dir, 'cls');
    expect(await writeClassificationSample(root, { stem: 'a', label: 'ok', image: image(8, 8, 1) })).toEqual(['ok/a.png']);
    await writeClassificationSample(root, { stem: 'b', label: 'bad', image: image(12, 6, 2) });
    await writeFile(join(root, 'ok', 'c.jpg'), await encodeJpeg(image(20, 10, 100)));
    await truncatedPng(join(root, 'bad', 'broken.png'));
    await writeFile(join(root, 'bad', 'notes.txt'), 'hello');
    await writeFile(join(root, 'ok', 'fake.png'), 'not a png');

    const listing = await readClassificationDataset(root);
    expect(listing.classes).toEqual(['bad', 'ok']);
    expect(listing.samples.map((s) => [s.image, s.label, s.format, s.width, s.height])).toEqual([
      ['bad/b.png', 'bad', 'png', 12, 6],
      ['ok/a.png', 'ok', 'png', 8, 8],
      ['ok/c.jpg', 'ok', 'jpeg', 20, 10],
    ]);
    expect(listing.skipped.map((s) => s.path).sort()).toEqual(['bad/broken.png', 'bad/notes.txt', 'ok/fake.png']);
    expect(listing.skipped.find((s) => s.path === 'bad/broken.png')?.reason).toMatch(/png/i);
  });

  it('header-only verification is cheaper but misses truncated pixel data', async () => {
    const listing = await readClassificationDataset(join(dir, 'cls'), { verify: 'header' });
    expect(listing.samples.map((s) => s.image)).toContain('bad/broken.png');
  });

  it('refuses a folder without classes and unsafe names', async () => {
    await mkdir(join(dir, 'empty'), { recursive: true });
    const error = await readClassificationDataset(join(dir, 'empty')).catch((e: unknown) => e);
    expect(isXqcError(error, 'XQC_DATASET_INVALID')).toBe(true);
    await expect(writeClassificationSample(dir, { stem: 'x', label: '../up', image: image(2, 2, 0) })).rejects.toMatchObject({ code: 'XQC_INVALID_ARGUMENT' });
  });
});

describe('segmentation layout', () => {
  it('pairs images with masks, labels each by its dominant class and reports problems', async () => {
    const root = join(dir, 'seg');
    await writeSegmentationSample(root, { stem: 's1', label: '', image: image(8, 8, 10), mask: mask(8, 8, 2, 20) });
    await writeSegmentationSample(root, { stem: 's2', label: '', image: image(8, 8, 20), mask: mask(8, 8, 0, 0) });
    await writeFile(join(root, 'images', 's3.png'), await encodePng(image(8, 8, 30)));
    await writeFile(join(root, 'images', 's4.png'), await encodePng(image(8, 8, 40)));
    await writeFile(join(root, 'masks', 's4.png'), await encodePng(mask(4, 4, 1, 3)));
    await writeFile(join(root, 'masks', 'orphan.png'), await encodePng(mask(8, 8, 1, 3)));
    await writeLabelsFile(root, { version: 1, format: 'segmentation', labels: ['good', 'scratch', 'crack'], maskClasses: ['background', 'scratch', 'crack'], goodLabel: 'good' });

    const listing = await readSegmentationDataset(root);
    expect(listing.classes).toEqual(['background', 'scratch', 'crack']);
    expect(listing.samples.map((s) => [s.image, s.mask, s.label])).toEqual([
      ['images/s1.png', 'masks/s1.png', 'crack'],
      ['images/s2.png', 'masks/s2.png', 'good'],
    ]);
    const reasons = Object.fromEntries(listing.skipped.map((s) => [s.path, s.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['images/s3.png', 'images/s4.png', 'masks/orphan.png']);
    expect(reasons['images/s3.png']).toMatch(/no mask/);
    expect(reasons['images/s4.png']).toMatch(/4x4/);
  });

  it('refuses to write a mask of the wrong size', async () => {
    await expect(writeSegmentationSample(join(dir, 'seg2'), { stem: 'x', label: '', image: image(8, 8, 0), mask: mask(4, 4, 1, 1) })).rejects.toMatchObject({
      code: 'XQC_SHAPE_MISMATCH',
    });
  });
});

describe('anomaly layout', () => {
  it('writes anomalib folder masks as 0/255 and reads them back beside good images', async () => {
    const root = join(dir, 'ano');
    expect(await writeAnomalySample(root, { stem: 'g', label: 'good', image: image(8, 8, 5), mask: mask(8, 8, 0, 0) })).toEqual(['good/g.png']);
    expect(await writeAnomalySample(root, { stem: 'd', label: 'crack', image: image(8, 8, 6), mask: mask(8, 8, 2, 5) })).toEqual(['crack/d.png', 'masks/crack/d.png']);
    await writeAnomalySample(root, { stem: 'e', label: 'crack', image: image(8, 8, 7) });
    await truncatedPng(join(root, 'crack', 'z.png'));

    const written = await decodeImage(await readFile(join(root, 'masks', 'crack', 'd.png')));
    expect([...new Set(written.data)].sort((a, b) => a - b)).toEqual([0, 255]);
    expect(written.data.filter((v) => v === 255).length).toBe(5);

    const listing = await readAnomalyDataset(root);
    expect(listing.classes).toEqual(['crack', 'good']);
    expect(listing.samples.map((s) => [s.image, s.label, s.mask])).toEqual([
      ['crack/d.png', 'crack', 'masks/crack/d.png'],
      ['crack/e.png', 'crack', undefined],
      ['good/g.png', 'good', undefined],
    ]);
    expect(listing.skipped.map((s) => s.path)).toEqual(['crack/z.png']);
  });

  it('reads MVTec AD masks, ground_truth/<defect>/<stem>_mask.png, in the folder or beside a test folder', async () => {
    const category = join(dir, 'mvtec');
    await writeAnomalySample(join(category, 'test'), { stem: 'g', label: 'good', image: image(8, 8, 5) });
    await writeAnomalySample(join(category, 'test'), { stem: 'd', label: 'pit', image: image(8, 8, 6) });
    await writeAnomalySample(join(category, 'test'), { stem: 'e', label: 'pit', image: image(8, 8, 7) });
    await mkdir(join(category, 'ground_truth', 'pit'), { recursive: true });
    for (const stem of ['d', 'lost']) await writeFile(join(category, 'ground_truth', 'pit', `${stem}_mask.png`), await encodePng(mask(8, 8, 255, 3)));
    const test = await readAnomalyDataset(join(category, 'test'));
    expect(test.classes).toEqual(['good', 'pit']);
    expect(test.samples.map((s) => [s.image, s.mask])).toEqual([
      ['good/g.png', undefined],
      ['pit/d.png', '../ground_truth/pit/d_mask.png'],
      ['pit/e.png', undefined],
    ]);
    expect(test.skipped).toEqual([{ path: '../ground_truth/pit/lost_mask.png', reason: 'mask without image' }]);

    // Inside the folder, ground_truth/ is not a label; masks/<defect>/<stem>.png wins over it.
    const inside = join(dir, 'gt-inside');
    await writeAnomalySample(inside, { stem: 'g', label: 'good', image: image(8, 8, 5) });
    await writeAnomalySample(inside, { stem: 'd', label: 'pit', image: image(8, 8, 6), mask: mask(8, 8, 1, 4) });
    await writeAnomalySample(inside, { stem: 'e', label: 'pit', image: image(8, 8, 7) });
    await mkdir(join(inside, 'ground_truth', 'pit'), { recursive: true });
    for (const stem of ['d', 'e']) await writeFile(join(inside, 'ground_truth', 'pit', `${stem}_mask.png`), await encodePng(mask(8, 8, 255, 2)));
    const listing = await readAnomalyDataset(inside);
    expect(listing.classes).toEqual(['good', 'pit']);
    expect(listing.samples.map((s) => [s.image, s.mask])).toEqual([
      ['good/g.png', undefined],
      ['pit/d.png', 'masks/pit/d.png'],
      ['pit/e.png', 'ground_truth/pit/e_mask.png'],
    ]);
    expect(listing.skipped).toEqual([]);
    // Only a folder named test looks beside itself.
    await cp(join(category, 'test'), join(category, 'eval'), { recursive: true });
    expect((await readAnomalyDataset(join(category, 'eval'))).samples.every((s) => s.mask === undefined)).toBe(true);
  });
});
